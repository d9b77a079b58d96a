import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import * as publicApi from '../../src/index.js';
import {
  loadTableauSnapshot,
  parseTableauSnapshot,
  renderTableauSnapshot,
  TABLEAU_SNAPSHOT_KIND,
  writeTableauSnapshot,
} from '../../src/tableau/snapshot.js';
import type { TableauWorkbook } from '../../src/tableau/types.js';
import { repoFixtures } from '../helpers/shared-fixtures.js';

const table = {
  name: 'ORDERS',
  fullName: '[MARTS].[ORDERS]',
  schema: 'MARTS',
  databaseName: 'ANALYTICS',
  connectionType: 'snowflake',
};
const workbook = (
  luid: string,
  name: string,
  extra: Partial<TableauWorkbook> = {},
): TableauWorkbook => ({
  luid,
  name,
  projectName: 'Finance',
  projectLuid: 'p1',
  owner: { name: 'Ann', email: 'ann@example.com', username: 'ann' },
  tags: ['b', 'a'],
  description: null,
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-02T00:00:00Z',
  vizportalUrlId: '1',
  url: 'https://h/#/site/s/workbooks/1',
  embeddedDatasources: [
    {
      name: 'E',
      hasExtracts: true,
      extractLastRefreshTime: null,
      tables: [table],
      customSql: [],
      publishedDatasourceLuids: [],
    },
  ],
  publishedDatasources: [],
  ...extra,
});

t.test('write then read round-trips, sorted and byte-deterministic', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snap-'));
  const path = join(dir, 'nested', 'tableau.json');
  const input = [workbook('w2', 'Zeta'), workbook('w1', 'Alpha')];
  await writeTableauSnapshot(path, input, { source: { serverUrl: 'https://h', siteName: 's' } });
  const text = await readFile(path, 'utf8');
  const parsed = JSON.parse(text);
  t.equal(parsed.kind, TABLEAU_SNAPSHOT_KIND);
  t.equal(parsed.version, 1);
  t.same(parsed.source, { serverUrl: 'https://h', siteName: 's' }, 'no timestamp unless given');
  t.same(
    parsed.workbooks.map((w: TableauWorkbook) => w.name),
    ['Alpha', 'Zeta'],
  );
  t.same(parsed.workbooks[0].tags, ['a', 'b']);
  t.ok(text.endsWith('}\n'));
  const back = await loadTableauSnapshot(path);
  t.same(back, [
    workbook('w1', 'Alpha', { tags: ['a', 'b'] }),
    workbook('w2', 'Zeta', { tags: ['a', 'b'] }),
  ]);
  t.equal(
    renderTableauSnapshot([...input].reverse(), { serverUrl: 'https://h', siteName: 's' }),
    text,
    'input order does not change bytes',
  );
  t.same(await readdir(join(dir, 'nested')), ['tableau.json'], 'no temporary file left');
  t.same(
    parseTableauSnapshot(parsed),
    back,
    'an already-parsed value is read by parseTableauSnapshot',
  );
  t.same(JSON.parse(renderTableauSnapshot([], { fetchedAt: '2024-05-05T00:00:00Z' })).source, {
    fetchedAt: '2024-05-05T00:00:00Z',
  });
});

t.test('raw Metadata API output is normalised, from a file or a value', async (t) => {
  const dir = join(repoFixtures, 'tableau', 'metadata');
  const wbFile = join(
    dir,
    'metadata-workbooks-embedded-upstreamtables-snowflake-dbt-exposures-crawler.json',
  );
  const workbooks = await loadTableauSnapshot(wbFile, { serverUrl: 'h.example.com', siteName: '' });
  t.same(
    workbooks.map((w) => w.name),
    ['Orders workbook', 'Unrelated workbook'],
  );
  t.equal(workbooks[0]?.url, null, 'no vizportalUrlId in that payload');
  const value = {
    data: { workbooksConnection: { nodes: [{ luid: 'x', name: 'X', vizportalUrlId: '9' }] } },
  };
  const [x] = parseTableauSnapshot(value, { serverUrl: 'h.example.com' });
  t.equal(x?.url, 'https://h.example.com/#/workbooks/9');
  const warnings: unknown[] = [];
  const warnFile = join(dir, 'metadata-permissions-mode-switched-warning.json');
  t.same(await loadTableauSnapshot(warnFile, { onWarning: (w) => warnings.push(w) }), []);
  t.equal(warnings.length, 1);
  const partial = join(dir, 'metadata-partial-data-time-limit-error.json');
  await t.rejects(loadTableauSnapshot(partial), {
    code: 'ERR_SNAPSHOT',
    file: partial,
    field: 'errors',
  });
  t.same(await loadTableauSnapshot(partial, { allowErrors: true }), []);
});

t.test('bad snapshots are coded errors naming the file and the field', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snap-bad-'));
  const missing = join(dir, 'missing.json');
  await t.rejects(loadTableauSnapshot(missing), {
    code: 'ERR_SNAPSHOT',
    file: missing,
    field: '(file)',
  });
  const notJson = join(dir, 'bad.json');
  await writeFile(notJson, '{nope');
  await t.rejects(loadTableauSnapshot(notJson), {
    code: 'ERR_SNAPSHOT',
    file: notJson,
    field: '(root)',
  });
  const base = { kind: TABLEAU_SNAPSHOT_KIND, version: 1, workbooks: [workbook('w', 'W')] };
  t.throws(() => parseTableauSnapshot({ ...base, kind: 'other' }, { file: 'f' }), {
    code: 'ERR_SNAPSHOT',
    file: 'f',
    field: 'kind',
  });
  t.throws(() => parseTableauSnapshot({ ...base, version: 2 }, { file: 'f' }), {
    code: 'ERR_SNAPSHOT',
    field: 'version',
  });
  const badTable = { ...base, workbooks: [workbook('w', 'W', { tags: [1 as unknown as string] })] };
  const err = t.throws(() => parseTableauSnapshot(badTable, { file: 'f' }));
  t.match(err, { code: 'ERR_SNAPSHOT', file: 'f', field: 'workbooks[0].tags[0]' });
  t.match((err as Error).message, /^f: invalid Tableau snapshot at workbooks\[0\]\.tags\[0\]/);
  t.throws(() => parseTableauSnapshot({ ...base, workbooks: [{ luid: '' }] }), {
    code: 'ERR_SNAPSHOT',
    field: /^workbooks\[0\]/,
  });
  // each workbook is read on its own: the path counts from the snapshot, not from the workbook
  const laterBad = {
    ...base,
    workbooks: [workbook('a', 'A'), workbook('b', 'B'), { ...workbook('c', 'C'), owner: 'x' }],
  };
  t.throws(() => parseTableauSnapshot(laterBad, { file: 'f' }), {
    code: 'ERR_SNAPSHOT',
    file: 'f',
    field: 'workbooks[2].owner',
    message: /^f: invalid Tableau snapshot at workbooks\[2\]\.owner: /,
  });
  t.throws(() => parseTableauSnapshot({ ...base, workbooks: 'none' }, { file: 'f' }), {
    code: 'ERR_SNAPSHOT',
    field: 'workbooks',
  });
  t.same(
    parseTableauSnapshot({ kind: TABLEAU_SNAPSHOT_KIND, version: 1, workbooks: [] }),
    [],
    'source is optional',
  );
  t.throws(() => parseTableauSnapshot({ hello: 1 }, { file: 'raw.json' }), {
    code: 'ERR_SNAPSHOT',
    file: 'raw.json',
    field: '(root)',
  });
  t.throws(() => parseTableauSnapshot([1]), { code: 'ERR_SNAPSHOT', field: '[0]' });
});

t.test('writing failures and aborts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snap-w-'));
  const blocker = join(dir, 'file');
  await writeFile(blocker, 'x');
  await t.rejects(writeTableauSnapshot(join(blocker, 'under-a-file.json'), []), {
    code: 'ERR_SNAPSHOT',
    field: '(file)',
  });
  const aborted = AbortSignal.abort();
  await t.rejects(writeTableauSnapshot(join(dir, 'a.json'), [], { signal: aborted }), {
    code: 'ERR_ABORTED',
  });
  const good = join(dir, 'good.json');
  await writeTableauSnapshot(good, []);
  await t.rejects(loadTableauSnapshot(good, { signal: aborted }), {
    code: 'ERR_ABORTED',
    message: `Reading ${good} was aborted`,
  });
});

t.test(
  'a snapshot file with a UTF-8 byte-order mark reads like one without (public API)',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'snap-bom-'));
    const plain = join(dir, 'plain.json');
    await publicApi.writeTableauSnapshot(plain, [workbook('w1', 'Alpha')], {
      source: { siteName: 's' },
    });
    const withBom = join(dir, 'bom.json');
    await writeFile(withBom, `\uFEFF${await readFile(plain, 'utf8')}`);
    const expected = await publicApi.loadTableauSnapshot(plain);
    t.equal(expected.length, 1);
    t.same(await publicApi.loadTableauSnapshot(withBom), expected);
    // Raw Metadata API output saved by an editor that adds a BOM, too.
    const raw = join(dir, 'raw.json');
    await writeFile(
      raw,
      '\uFEFF{"data":{"workbooksConnection":{"nodes":[{"luid":"x","name":"X"}]}}}',
    );
    t.same(
      (await publicApi.loadTableauSnapshot(raw)).map((w) => w.name),
      ['X'],
    );
    // A file cut short says so, with the position.
    const cut = join(dir, 'cut.json');
    await writeFile(cut, '{"kind":"dbt-auto-exposures/tableau-snapshot","workbooks":[');
    await t.rejects(publicApi.loadTableauSnapshot(cut), {
      code: 'ERR_SNAPSHOT',
      file: cut,
      field: '(root)',
      message: /not valid JSON at line 1, column \d+ .*was it written completely\?/,
    });
  },
);
