/**
 * Property-based tests (fast-check) over arbitrary strings: exposure naming (valid for dbt,
 * unique, independent of input order), YAML rendering (parses back with the `yaml` package to the
 * same data), and the lineage JSON round trip (writeLineage → loadLineage deep-equals).
 * Relation normalisation has its own file (relation-properties.test.ts).
 */
import { deepStrictEqual } from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { loadManifest } from '../../src/artifacts/manifest.js';
import type { Manifest } from '../../src/artifacts/types.js';
import { buildExposureLineage } from '../../src/lineage/build.js';
import { assignExposureNames, isValidExposureName } from '../../src/lineage/naming.js';
import type { ExposureLineage } from '../../src/lineage/types.js';
import { loadLineage, writeLineage } from '../../src/output/lineage-file.js';
import { renderExposuresYaml } from '../../src/output/yaml.js';
import type { TableauWorkbook } from '../../src/tableau/types.js';
import * as build from '../lineage/helpers/builders.js';
import { exampleManifest, leftovers, scratch } from './harness.js';

const manifest: Manifest = await loadManifest(exampleManifest);
const RUNS = 60;

// Any string, including control characters, lone surrogates excluded (not valid in files).
const text = fc.string({ unit: 'binary', maxLength: 40 });

function workbook(i: number, name: string, extra: Partial<TableauWorkbook> = {}): TableauWorkbook {
  const orders = build.table({
    name: 'ORDERS',
    fullName: '[ANALYTICS].[MARTS].[ORDERS]',
    schema: 'MARTS',
    databaseName: 'ANALYTICS',
  });
  return build.workbook({
    luid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name,
    projectName: 'Sales',
    projectLuid: 'p1',
    embeddedDatasources: [build.embedded({ name: 'ds', hasExtracts: true, tables: [orders] })],
    ...extra,
  });
}

t.test('exposure names: valid, unique, independent of order', async (t) => {
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.nat(), (titles, seed) => {
      const requests = titles.map((title, i) => ({ luid: `luid-${i}`, title }));
      const names = assignExposureNames(requests);
      const values = [...names.values()];
      if (!values.every((n) => isValidExposureName(n))) return false;
      if (new Set(values).size !== values.length) return false;
      // The same requests in another order (rotated by `seed`, then reversed).
      const k = seed % requests.length;
      const shuffled = [...requests.slice(k), ...requests.slice(0, k)].reverse();
      const again = assignExposureNames(shuffled);
      return requests.every((r) => again.get(r.luid) === names.get(r.luid));
    }),
    { numRuns: RUNS },
  );
  t.pass('property held');
});

/** `{% raw %}x{% endraw %}` → x: the text dbt shows for a Jinja-protected string. */
const unraw = (value: unknown): unknown =>
  typeof value === 'string' ? value.replace(/^\{% raw %\}([\s\S]*)\{% endraw %\}$/, '$1') : value;

t.test('YAML parses back to the same labels, descriptions, urls and owners', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ name: text, description: text, url: text, owner: text, email: text }), {
        minLength: 1,
        maxLength: 5,
      }),
      (rows) => {
        const workbooks = rows.map((row, i) =>
          workbook(i + 1, row.name === '' ? 'x' : row.name, {
            description: row.description,
            url: row.url,
            owner: { name: row.owner, email: row.email, username: null },
          }),
        );
        const lineage = buildExposureLineage({ manifest, workbooks, options: {} });
        const yaml = renderExposuresYaml(lineage);
        const parsed = parseYaml(yaml) as { exposures: Record<string, unknown>[] };
        const byName = new Map(parsed.exposures.map((e) => [e.name, e]));
        if (parsed.exposures.length !== lineage.exposures.length) return false;
        for (const exposure of lineage.exposures) {
          const back = byName.get(exposure.name) as Record<string, unknown> | undefined;
          if (back === undefined) return false;
          if (unraw(back.label) !== exposure.label) return false;
          if (exposure.description && unraw(back.description) !== exposure.description) {
            return false;
          }
          if (exposure.url && unraw(back.url) !== exposure.url) return false;
          const owner = back.owner as { name?: unknown; email?: unknown } | undefined;
          if (exposure.owner?.name && unraw(owner?.name) !== exposure.owner.name) return false;
        }
        return true;
      },
    ),
    { numRuns: RUNS },
  );
  t.pass('property held');
});

t.test('lineage JSON round trip: writeLineage → loadLineage deep-equals', async (t) => {
  const dir = await scratch(t);
  const path = join(dir, 'lineage.json');
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(text, text), { maxLength: 5 }), async (rows) => {
      const workbooks = rows.map(([name, description], i) =>
        workbook(i + 1, name === '' ? 'x' : name, { description }),
      );
      const lineage: ExposureLineage = buildExposureLineage({ manifest, workbooks, options: {} });
      await writeLineage(path, lineage);
      const back = await loadLineage(path);
      // Thrown, not a tap assertion: fast-check shrinks a failure and reports its seed.
      deepStrictEqual(back, lineage);
    }),
    { numRuns: 30 },
  );
  t.same(await leftovers(dir), []);
});
