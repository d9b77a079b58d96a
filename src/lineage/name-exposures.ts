/** Which exposure name each emitted workbook gets, given the names the manifest already uses. */
import picomatch from 'picomatch';
import type { Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { TableauWorkbook } from '../tableau/types.js';
import type { Curation } from './curation.js';
import { assignExposureNames, type NameRequest } from './naming.js';
import type { WorkbookAnalysis } from './workbook-analysis.js';

/**
 * Names of manifest exposures this library generated (same workbook URL, or a file under
 * `managedPaths`): free to reuse, so names stay put from one sync to the next.
 */
function releasedNames(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  managedPaths: string[] | undefined,
): Set<string> {
  const released = new Set<string>();
  if (manifest.exposures.length === 0) return released;
  const isManaged =
    managedPaths && managedPaths.length > 0 ? picomatch(managedPaths, { dot: true }) : null;
  const urls = new Set(workbooks.map((w) => w.url).filter((u): u is string => u !== null));
  const nodeNames = new Set<string>();
  for (const node of manifest.nodes.values()) nodeNames.add(node.name.toLowerCase());
  for (const exposure of manifest.exposures) {
    const ours =
      (exposure.url !== null && urls.has(exposure.url)) ||
      (isManaged !== null &&
        exposure.originalFilePath !== null &&
        isManaged(exposure.originalFilePath));
    const name = exposure.name.toLowerCase();
    if (ours && !nodeNames.has(name)) released.add(name);
  }
  return released;
}

/** Exposure names by workbook luid; override names are checked for clashes. */
export function nameExposures(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  emitted: readonly WorkbookAnalysis[],
  curation: Curation,
  managedPaths: string[] | undefined,
): Map<string, string> {
  const released = releasedNames(manifest, workbooks, managedPaths);
  let taken = manifest.takenNames;
  if (released.size > 0) {
    const kept = new Set<string>();
    for (const name of taken) if (!released.has(name)) kept.add(name);
    taken = kept;
  }
  const exposureNames = new Set(
    manifest.exposures.map((e) => e.name.toLowerCase()).filter((n) => !released.has(n)),
  );
  const requests: NameRequest[] = [];
  const fixedOwner = new Map<string, string>();
  for (const { workbook } of emitted) {
    const fixedName = curation.overrideFor(workbook)?.name;
    if (fixedName !== undefined) {
      const other = fixedOwner.get(fixedName);
      if (other !== undefined || exposureNames.has(fixedName)) {
        throw new ConfigError(
          `override name ${JSON.stringify(fixedName)} is used twice (${other === undefined ? 'an exposure in the manifest' : `workbook ${other}`} and workbook ${workbook.luid})`,
          {
            code: 'ERR_INVALID_OPTION',
            field: 'options.overrides',
            expected: 'unique exposure names',
          },
        );
      }
      fixedOwner.set(fixedName, workbook.luid);
      requests.push({ luid: workbook.luid, title: workbook.name, fixedName });
    } else {
      requests.push({ luid: workbook.luid, title: workbook.name });
    }
  }
  return assignExposureNames(requests, { taken });
}
