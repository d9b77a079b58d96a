/**
 * Snapshot files never hold a secret: a snapshot taken through a client signed in with the
 * sentinel token secret (the mock server on 127.0.0.1 issuing the sentinel session token) is read
 * back file by file and swept for every sentinel. A failed snapshot (server error or abort in the
 * middle of the listing, a write that fails) leaves no secret, no half-written file, no temporary
 * file, and the previous snapshot as it was.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import { createTableauClient } from '../../src/tableau/client.js';
import {
  loadTableauSnapshot,
  renderTableauSnapshot,
  writeTableauSnapshot,
} from '../../src/tableau/snapshot.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  assertNoSecretsInDir,
  filesUnder,
  SENTINEL_SECRET,
} from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { clientOptions, startMock } from './harness.js';
import { captureLogger } from './scripted-server.js';

const site = JSON.parse(
  await readFile(join(repoRoot, 'examples', 'jaffle-tableau', 'tableau-site.json'), 'utf8'),
) as MockSiteInput;
const WORKBOOKS = site.workbooks?.length ?? 0;

async function scratch(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snap-secrets-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test(
  'the sweep reads every file, nested and hidden ones too, and names a leaking one',
  async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'a', 'b', '.snap.json.123.tmp'), `{"token":"${SENTINEL_SECRET}"}`);
    await writeFile(join(dir, 'clean.json'), '{}');
    const files = await filesUnder(dir);
    t.same([...files.keys()], [join('a', 'b', '.snap.json.123.tmp'), 'clean.json']);
    const failures: string[] = [];
    await assertNoSecretsInDir(
      { notOk: (value: unknown, message: string) => value && failures.push(message) },
      dir,
    );
    t.same(failures, [`${join('a', 'b', '.snap.json.123.tmp')} holds no secret`]);
  },
);

t.test('a snapshot through a client signed in with the sentinel secret holds none', async (t) => {
  const mock = await startMock(t, { siteModel: site });
  const log = captureLogger();
  const client = createTableauClient(clientOptions(mock, { pageSize: 2, logger: log.logger }));
  const dir = await scratch(t);
  const path = join(dir, 'out', 'tableau-snapshot.json');
  const workbooks = await client.listWorkbooks();
  await writeTableauSnapshot(path, workbooks, {
    source: { serverUrl: mock.url, siteName: mock.siteName, fetchedAt: '2026-03-01T12:00:00Z' },
  });
  await client.signOut();
  t.ok(mock.counters.signIns >= 1, 'signed in with the sentinel token');
  t.ok((mock.counters.requests.graphql ?? 0) >= 4, 'listed over several pages');

  const files = await assertNoSecretsInDir(t, dir);
  t.same([...files.keys()], [join('out', 'tableau-snapshot.json')], 'one file, no temporary file');
  const text = files.get(join('out', 'tableau-snapshot.json')) ?? '';
  t.equal(text, renderTableauSnapshot(workbooks, JSON.parse(text).source), 'the whole snapshot');
  t.ok(WORKBOOKS > 2, `the example site has ${WORKBOOKS} workbooks`);
  t.equal((await loadTableauSnapshot(path)).length, WORKBOOKS, 'every workbook, readable back');
  t.match(JSON.parse(text).source, { serverUrl: mock.url, siteName: mock.siteName });
  assertNoSecrets(t, text, workbooks, log.lines, mock.requests);
});

/** A previous good snapshot at `path`, to check a failed one leaves it as it was. */
async function previousSnapshot(path: string): Promise<string> {
  const text = renderTableauSnapshot([], { siteName: 'previous' });
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return text;
}

t.test('a server error in the middle of the listing leaves no file and no secret', async (t) => {
  const mock = await startMock(t, {
    siteModel: site,
    // The first page is answered, every later one fails (after the client's retries).
    faults: {
      graphql: {
        fault: { kind: 'status', status: 500 },
        after: 1,
        times: Number.POSITIVE_INFINITY,
      },
    },
  });
  const log = captureLogger();
  const client = createTableauClient(
    clientOptions(mock, { pageSize: 2, retries: 1, logger: log.logger }),
  );
  const dir = await scratch(t);
  const path = join(dir, 'out', 'tableau-snapshot.json');
  const before = await previousSnapshot(path);
  const pages: number[] = [];
  const error = await client
    .listWorkbooks({ onProgress: (p) => pages.push(p.pagesFetched) })
    .then((workbooks) => writeTableauSnapshot(path, workbooks))
    .then(
      () => null,
      (caught: unknown) => caught,
    );
  await client.signOut();
  t.match(error, { code: 'ERR_TABLEAU_API' }, 'the listing failed with a coded error');
  t.ok(pages.includes(1), 'it failed after a page was fetched');
  t.ok(mock.counters.faults >= 2, 'the server error hit a later page (and its retry)');
  const files = await assertNoSecretsInDir(t, dir);
  t.same([...files.keys()], [join('out', 'tableau-snapshot.json')], 'no new or temporary file');
  t.equal(files.get(join('out', 'tableau-snapshot.json')), before, 'previous snapshot unchanged');
  assertNoSecrets(t, error, log.lines, mock.requests);
});

t.test('an abort in the middle of the listing leaves no file and no secret', async (t) => {
  const mock = await startMock(t, { siteModel: site });
  const controller = new AbortController();
  const client = createTableauClient(
    clientOptions(mock, { pageSize: 2, signal: controller.signal }),
  );
  const dir = await scratch(t);
  const path = join(dir, 'tableau-snapshot.json');
  const error = await client
    .listWorkbooks({ onProgress: (p) => p.pagesFetched === 2 && controller.abort() })
    .then((workbooks) => writeTableauSnapshot(path, workbooks, { signal: controller.signal }))
    .then(
      () => null,
      (caught: unknown) => caught,
    );
  t.match(error, { code: 'ERR_ABORTED' });
  t.same([...(await filesUnder(dir)).keys()], [], 'nothing written');
  assertNoSecrets(t, error);
});

t.test('a write that fails leaves no temporary file, and its error no secret', async (t) => {
  const mock = await startMock(t, { siteModel: site });
  const client = createTableauClient(clientOptions(mock, { pageSize: 2 }));
  const workbooks = await client.listWorkbooks();
  await client.signOut();
  const dir = await scratch(t);
  // The target is a directory: the rename over it fails after the temporary file was written.
  const path = join(dir, 'tableau-snapshot.json');
  await mkdir(join(path, 'keep'), { recursive: true });
  await writeFile(join(path, 'keep', 'note.txt'), 'unrelated');
  const error = await writeTableauSnapshot(path, workbooks).then(
    () => null,
    (caught: unknown) => caught,
  );
  t.match(error, { code: 'ERR_SNAPSHOT', file: path, field: '(file)' });
  const files = await assertNoSecretsInDir(t, dir);
  t.same(
    [...files.keys()],
    [join('tableau-snapshot.json', 'keep', 'note.txt')],
    'no temporary file left',
  );
  const aborted = new AbortController();
  aborted.abort();
  const file = join(dir, 'other.json');
  await t.rejects(writeTableauSnapshot(file, workbooks, { signal: aborted.signal }), {
    code: 'ERR_ABORTED',
  });
  t.same([...(await filesUnder(dir)).keys()], [...files.keys()], 'an aborted write adds nothing');
  assertNoSecrets(t, error);
});
