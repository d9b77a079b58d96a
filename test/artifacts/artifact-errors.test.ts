import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import {
  asVersionError,
  describeValue,
  formatJsonPath,
  throwSchemaError,
} from '../../src/artifacts/artifact-errors.js';
import { loadManifest } from '../../src/artifacts/load.js';
import { parseRunResults } from '../../src/artifacts/run-results.js';
import { describeKind, parseSchemaVersion } from '../../src/artifacts/schema-version.js';
import { ArtifactError } from '../../src/errors.js';

t.test('formatJsonPath', async (t) => {
  t.equal(formatJsonPath([]), '(the top level)');
  t.equal(formatJsonPath(['nodes', 'model.a.b', 'tags', 0]), 'nodes["model.a.b"].tags[0]');
  t.equal(formatJsonPath(['results', 3, 'status']), 'results[3].status');
  t.equal(formatJsonPath(['exposure.p.Pulse queries']), '["exposure.p.Pulse queries"]');
  t.equal(formatJsonPath(['$ok', '_x1']), '$ok._x1');
});

t.test('describeValue never echoes large values', async (t) => {
  t.equal(describeValue(undefined), 'nothing (the field is missing)');
  t.equal(describeValue(null), 'null');
  t.equal(describeValue([1]), 'an array');
  t.equal(describeValue('abc'), 'the string "abc"');
  t.equal(describeValue('x'.repeat(41)), 'a string');
  t.equal(describeValue(false), 'boolean false');
  t.equal(describeValue({}), 'a object');
});

t.test('throwSchemaError: the first zod issue, below the base path', async (t) => {
  const schema = z.object({ a: z.object({ b: z.string({ error: 'a string' }) }) });
  const e = (() => {
    try {
      throwSchemaError(schema, { a: { b: 1 } }, ['root', 2], { file: 'f.json', label: 'manifest' });
    } catch (error) {
      return error as ArtifactError;
    }
  })();
  t.match(e, {
    code: 'ERR_ARTIFACT_SCHEMA',
    file: 'f.json',
    field: 'root[2].a.b',
    expected: 'a string',
  });
  t.match(e?.details, { got: 'number 1' });
  // "got" follows the path even through null (reported as missing)
  const throughNull = z.object({
    a: z
      .object({ b: z.string() })
      .nullable()
      .refine(() => false),
  });
  t.throws(
    () => throwSchemaError(throughNull, { a: null }, [], { file: undefined, label: 'manifest' }),
    {
      field: 'a',
      message: /^the manifest\.json given: a must be /,
    },
  );
  // a value zod accepts (the fast check disagreed) still fails, naming the entry
  t.throws(() => throwSchemaError(z.string(), 'fine', ['x'], { file: 'f', label: 'run_results' }), {
    code: 'ERR_ARTIFACT_SCHEMA',
    field: 'x',
    expected: 'a valid entry',
  });
});

t.test('asVersionError without field or expectation', async (t) => {
  const e = asVersionError(new ArtifactError('ERR_ARTIFACT_SCHEMA', 'x'), {
    file: undefined,
    label: 'manifest',
    version: 14,
    maxKnown: 12,
  });
  t.equal(e.code, 'ERR_ARTIFACT_VERSION');
  t.match(e.message, 'the manifest.json given: manifest schema v14 is newer');
  t.match(e.message, 'a field must be as before');
  t.same(e.details, { schemaVersion: 14, maxKnownVersion: 12 });
});

t.test('schema URLs', async (t) => {
  t.same(parseSchemaVersion(' https://schemas.getdbt.com/dbt/run-results/v6.json '), {
    kind: 'run-results',
    version: 6,
  });
  t.equal(parseSchemaVersion('https://schemas.getdbt.com/dbt/manifest/latest.json'), null);
  t.equal(describeKind('catalog'), 'a dbt catalog.json (written by `dbt docs generate`)');
  t.equal(describeKind('thing'), 'a dbt "thing" artifact');
});

t.test('a UTF-8 byte order mark is ignored', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dae-bom-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'manifest.json');
  await writeFile(
    file,
    `\uFEFF${JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' }, nodes: {} })}`,
  );
  const m = await loadManifest(dir);
  t.equal(m.path, file);
  t.equal(m.schemaVersion, 12);
});

t.test('notes without a path name the artifact; timing fields may be missing', async (t) => {
  const r = parseRunResults({
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json' },
    results: [{ unique_id: 'm', status: 'odd', timing: [{ name: 'compile' }] }],
  });
  t.equal(
    r.notes[0]?.message,
    'run_results: status "odd" is not one dbt Core writes; it is passed through as is.',
  );
  t.same(r.results[0]?.timing, [{ name: 'compile', startedAt: null, completedAt: null }]);
});
