/**
 * `dbt-auto-exposures snapshot` with the sentinel token secret in the environment, against the
 * mock server (the sentinel session token issued): every file in the working directory is read
 * back and swept for secrets, after a good snapshot and after one that fails in the middle of the
 * listing (which writes nothing: the previous snapshot stays, no temporary file is left).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { renderTableauSnapshot } from '../../src/tableau/snapshot.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer, type MockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  assertNoSecretsInDir,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { captureIo, exampleProject, tempDir } from './helpers.js';

const site = JSON.parse(
  await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
) as MockSiteInput;

async function setUp(t: Parameters<typeof tempDir>[0], faulty: boolean) {
  const server: MockTableauServer = await createMockTableauServer({
    siteModel: site,
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: () => SENTINEL_SESSION_TOKEN,
    // The first page is answered; every later one fails with 500.
    ...(faulty
      ? {
          faults: {
            graphql: {
              fault: { kind: 'status' as const, status: 500 },
              after: 1,
              times: Number.POSITIVE_INFINITY,
            },
          },
        }
      : {}),
  });
  t.teardown(() => server.close());
  const dir = await tempDir(t);
  // Small pages so the listing takes several requests; no retries so the failure is quick.
  const config = join(dir, 'dae.config.json');
  await writeFile(config, JSON.stringify({ tableau: { pageSize: 2, retries: 0 } }));
  const io = captureIo(
    {
      TABLEAU_SERVER_URL: server.url,
      TABLEAU_SITE_NAME: server.siteName,
      TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
      TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
    },
    dir,
  );
  return { server, dir, config, io };
}

t.test('snapshot: the written file and every other file hold no secret', async (t) => {
  const { server, dir, config, io } = await setUp(t, false);
  const code = await run(['snapshot', '--out', 'snaps/tableau.json', '--config', config], io.io);
  t.equal(code, 0, io.stderr());
  t.ok(server.counters.signIns >= 1 && server.counters.requests.graphql >= 4, 'paged listing');
  t.equal(server.activeSessions, 0, 'signed out');
  const files = await assertNoSecretsInDir(t, dir);
  t.same([...files.keys()], ['dae.config.json', join('snaps', 'tableau.json')]);
  t.equal(JSON.parse(files.get(join('snaps', 'tableau.json')) ?? '{}').workbooks.length, 7);
  assertNoSecrets(t, io.stdout(), io.stderr(), server.requests);
});

t.test('snapshot failing mid-listing: exit 1, no secret, previous file unchanged', async (t) => {
  const { server, dir, config, io } = await setUp(t, true);
  const out = join(dir, 'tableau.json');
  const previous = renderTableauSnapshot([], { siteName: 'previous' });
  await writeFile(out, previous);
  const code = await run(['snapshot', '--out', out, '--config', config], io.io);
  t.equal(code, 1);
  // Workbooks, published data sources and custom SQL are listed at once: any may hit the fault.
  t.match(
    io.stderr(),
    /ERR_TABLEAU_API: list (workbooks|published data sources|custom SQL) \(page \d+\): .* HTTP 500/,
    'reported',
  );
  t.equal(io.stdout(), '', 'nothing claims a snapshot was written');
  t.ok(server.counters.faults >= 1 && server.counters.requests.graphql >= 2, 'failed on page 2');
  const files = await assertNoSecretsInDir(t, dir);
  t.same([...files.keys()], ['dae.config.json', 'tableau.json'], 'no temporary file');
  t.equal(files.get('tableau.json'), previous, 'the previous snapshot is unchanged');
  assertNoSecrets(t, io.stdout(), io.stderr(), server.requests);
});

t.test('snapshot says how many workbooks the filters left out, and which filters', async (t) => {
  const { dir, config, io } = await setUp(t, false);
  const args = ['snapshot', '--out', 'some.json', '--config', config];
  args.push('--exclude-workbook', 'S*', '--exclude-workbook', 'Ops*');
  t.equal(await run(args, io.io), 0, io.stderr());
  t.match(
    io.stdout(),
    /^wrote 5 workbooks to .*some\.json\n2 of the 7 workbooks Tableau listed were left out by the filters \(exclude-workbook S\*, Ops\*; personal spaces left out\)\n$/,
  );
  const json = captureIo(io.io.env as Record<string, string>, dir);
  t.equal(await run([...args, '--output', 'json'], json.io), 0, json.stderr());
  t.match(JSON.parse(json.stdout()), {
    workbooks: 5,
    listed: 7,
    leftOutByFilters: 2,
    filters: { exclude: ['S*', 'Ops*'] },
    incomplete: false,
  });
});
