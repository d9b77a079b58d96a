/**
 * Exposure names: stable, valid dbt identifiers derived from workbook titles, avoiding the names
 * the manifest already uses.
 *
 * dbt (>= 1.3) wants exposure names made of letters, digits and underscores; we emit the strictest
 * portable form, `^[a-z][a-z0-9_]*$`, at most 64 characters. The title stays in `label`. Names
 * that collide get a suffix derived from the workbook luid, and every member of a colliding group
 * gets one, so the result never depends on the order workbooks arrive in.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import type { Manifest } from '../artifacts/types.js';
import { ConfigError } from '../errors.js';
import type { TableauWorkbook } from '../tableau/types.js';
import type { Curation } from './curation.js';

/** What every generated exposure name matches. */
export const EXPOSURE_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Default maximum name length. */
export const MAX_EXPOSURE_NAME_LENGTH = 64;

/** Hex characters of the luid hash used first; lengthened while still colliding. */
const SUFFIX_LENGTH = 6;

/** Letters NFKD does not decompose into ASCII. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ł: 'l',
  Ł: 'l',
  ı: 'i',
  ħ: 'h',
  Ħ: 'h',
  ŋ: 'n',
  Ŋ: 'n',
  ĸ: 'k',
};

/** Prefix for names that would start with a digit (or be empty after folding). */
const DIGIT_PREFIX = 'wb_';

/** Whether a name is a valid generated exposure name. */
export function isValidExposureName(name: string, maxLength = MAX_EXPOSURE_NAME_LENGTH): boolean {
  return name.length <= maxLength && EXPOSURE_NAME_PATTERN.test(name);
}

function trimUnderscores(text: string): string {
  return text.replace(/^_+|_+$/g, '');
}

/**
 * Slug of a title: unicode folded (NFKD, marks stripped, common letters transliterated: ß→ss,
 * æ→ae, ø→o…), lower-cased, every run of other characters turned into one `_`, trimmed,
 * bounded to `maxLength`. A slug starting with a digit gets the prefix `wb_`; a title with no
 * ASCII letter or digit at all becomes `workbook`.
 */
export function slugifyExposureName(title: string, maxLength = MAX_EXPOSURE_NAME_LENGTH): string {
  const folded = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\P{ASCII}/gu, (ch) => TRANSLITERATIONS[ch] ?? ' ')
    .toLowerCase();
  let slug = trimUnderscores(folded.replace(/[^a-z0-9]+/g, '_'));
  if (slug === '') slug = 'workbook';
  if (!/^[a-z]/.test(slug)) slug = `${DIGIT_PREFIX}${slug}`;
  return trimUnderscores(slug.slice(0, maxLength));
}

/** Hex digest of a luid: the source of collision suffixes. */
function luidHash(luid: string): string {
  return createHash('sha256').update(luid).digest('hex');
}

function withSuffix(base: string, hash: string, length: number, maxLength: number): string {
  const suffix = `_${hash.slice(0, length)}`;
  const head = trimUnderscores(base.slice(0, Math.max(1, maxLength - suffix.length)));
  return `${head}${suffix}`;
}

export interface NameRequest {
  /** Workbook luid: unique per request list; the collision suffix derives from it. */
  luid: string;
  /** Workbook title. */
  title: string;
  /** A name the user fixed (override); used as is, never suffixed. */
  fixedName?: string;
}

export interface AssignNamesOptions {
  /** Names already used in the dbt project (lower-cased), which generated names must avoid. */
  taken?: ReadonlySet<string>;
  maxLength?: number;
}

/**
 * Give every request a unique, valid name, independent of input order:
 * 1. fixed names are kept (they must be unique among themselves: the caller checks);
 * 2. each other request gets the slug of its title;
 * 3. a slug used by more than one request, or equal to a taken or fixed name, is suffixed with
 *    the first 6 hex characters of sha256(luid) for EVERY request that wanted it;
 * 4. suffixed names that still collide are lengthened two hex characters at a time.
 * Returns luid → name.
 */
export function assignExposureNames(
  requests: readonly NameRequest[],
  options: AssignNamesOptions = {},
): Map<string, string> {
  const maxLength = options.maxLength ?? MAX_EXPOSURE_NAME_LENGTH;
  const taken = options.taken ?? new Set<string>();
  const result = new Map<string, string>();
  const fixed = new Set<string>();
  const byBase = new Map<string, string[]>();
  for (const request of requests) {
    if (request.fixedName !== undefined) {
      result.set(request.luid, request.fixedName);
      fixed.add(request.fixedName);
      continue;
    }
    const base = slugifyExposureName(request.title, maxLength);
    const group = byBase.get(base);
    if (group) group.push(request.luid);
    else byBase.set(base, [request.luid]);
  }
  const used = new Set<string>(fixed);
  const pending: Array<{ luid: string; base: string; hash: string }> = [];
  for (const [base, luids] of byBase) {
    if (luids.length === 1 && !taken.has(base) && !fixed.has(base)) {
      result.set(luids[0]!, base);
      used.add(base);
    } else {
      for (const luid of luids) pending.push({ luid, base, hash: luidHash(luid) });
    }
  }
  // Suffixed names must not hit unsuffixed ones, taken names, or each other; a group of
  // candidates that still collide is lengthened together, so the outcome is order-free.
  let length = SUFFIX_LENGTH;
  let open = pending;
  while (open.length > 0) {
    const counts = new Map<string, number>();
    const names = open.map((p) => withSuffix(p.base, p.hash, length, maxLength));
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    const next: typeof open = [];
    open.forEach((p, i) => {
      const name = names[i]!;
      const clash = counts.get(name)! > 1 || used.has(name) || taken.has(name);
      if (clash && length < p.hash.length) next.push(p);
      else result.set(p.luid, name);
    });
    for (const p of open) {
      const name = result.get(p.luid);
      if (name !== undefined) used.add(name);
    }
    open = next;
    length += 2;
  }
  return result;
}

/**
 * Names of manifest exposures this library generated (same workbook URL, or a file under
 * `managedPaths`): free to reuse, so names stay put from one sync to the next.
 */
function releasedNames(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  managedPaths: string[] | undefined,
): Set<string> {
  const isManaged =
    managedPaths && managedPaths.length > 0 ? picomatch(managedPaths, { dot: true }) : null;
  const urls = new Set(workbooks.map((w) => w.url).filter((u): u is string => u !== null));
  const ours = manifest.exposures.filter(
    (exposure) =>
      (exposure.url !== null && urls.has(exposure.url)) ||
      (isManaged !== null &&
        exposure.originalFilePath !== null &&
        isManaged(exposure.originalFilePath)),
  );
  const released = new Set<string>();
  if (ours.length === 0) return released;
  // A name that is also a node's is still taken (dbt names must be unique across resources).
  const nodeNames = new Set<string>();
  for (const node of manifest.nodes.values()) nodeNames.add(node.name.toLowerCase());
  for (const exposure of ours) {
    const name = exposure.name.toLowerCase();
    if (!nodeNames.has(name)) released.add(name);
  }
  return released;
}

/** Exposure names by workbook luid; override names are checked for clashes. */
export function nameExposures(
  manifest: Manifest,
  workbooks: readonly TableauWorkbook[],
  emitted: readonly TableauWorkbook[],
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
  for (const workbook of emitted) {
    const fixedName = curation.overrideFor(workbook)?.name;
    if (fixedName !== undefined) {
      const other = fixedOwner.get(fixedName);
      if (other !== undefined || exposureNames.has(fixedName)) {
        throw new ConfigError(
          'ERR_INVALID_OPTION',
          `override name ${JSON.stringify(fixedName)} is used twice (${other === undefined ? 'an exposure in the manifest' : `workbook ${other}`} and workbook ${workbook.luid})`,
          {
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
