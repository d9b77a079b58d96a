/**
 * The CLI with a connected app (TABLEAU_CONNECTED_APP_* and TABLEAU_USERNAME), in process against
 * the mock server: sync and refresh (with --debug and --json) work, the secret value and the JWTs
 * minted never reach the terminal, the report, or any file written; a half-set connected app
 * names every missing variable.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  assertNoSecretsInDir,
  renderAll,
  SENTINEL_SECRET,
} from '../helpers/secrets.js';
import { captureIo, copyExample, exampleProject } from './helpers.js';

const site = JSON.parse(
  await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
) as MockSiteInput;

const APP = {
  clientId: 'ci-connected-app',
  secretId: 'ci-secret-id',
  secretValue: SENTINEL_SECRET,
  usernames: ['ci-bot@example.com'],
};

t.test('sync and refresh with a connected app leave no secret and no JWT anywhere', async (t) => {
  const project = await copyExample(t);
  const server = await createMockTableauServer({ siteModel: site, connectedApps: [APP] });
  t.teardown(() => server.close());
  const env = {
    TABLEAU_SERVER_URL: server.url,
    TABLEAU_SITE_NAME: server.siteName,
    TABLEAU_CONNECTED_APP_CLIENT_ID: APP.clientId,
    TABLEAU_CONNECTED_APP_SECRET_ID: APP.secretId,
    TABLEAU_CONNECTED_APP_SECRET_VALUE: APP.secretValue,
    TABLEAU_USERNAME: 'ci-bot@example.com',
    DBT_PROJECT_DIR: project,
  };
  const sync = captureIo(env, project);
  t.equal(await run(['sync', '--verbose'], sync.io), 0, sync.stderr());
  const refresh = captureIo({ ...env, DBT_ACTIVE_EXPOSURES: '1' }, project);
  t.equal(
    await run(
      ['refresh', '--log-format', 'json', '--debug', '--wait', '--wait-timeout', '30'],
      refresh.io,
    ),
    0,
    refresh.stderr(),
  );
  t.equal(server.counters.signIns, 2, 'one sign-in per command');
  t.same(server.counters.rejectedJwts, {});
  t.ok(server.jobs().length > 0, 'refreshes ran under the connected app');
  const outputs = [sync.stdout(), sync.stderr(), refresh.stdout(), refresh.stderr()];
  assertNoSecrets(t, ...outputs);
  const files = await assertNoSecretsInDir(t, project);
  t.ok(files.has(join('target', 'active_exposures.json')), 'the report was written');
  // The JWTs are credentials too: none shows in any output or file (a JWT starts with eyJ).
  for (const request of server.requests) t.notMatch(request.path, /eyJ/, 'no JWT in a path');
  const everything = renderAll([outputs, [...files.values()]]);
  t.notMatch(everything, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, 'no JWT-shaped string in any output');
});

t.test('a half-set connected app names every missing variable', async (t) => {
  const project = await copyExample(t);
  const io = captureIo(
    {
      TABLEAU_SERVER_URL: 'https://tableau.example.com',
      TABLEAU_SITE_NAME: 'acme',
      TABLEAU_CONNECTED_APP_CLIENT_ID: 'ci-connected-app',
      TABLEAU_CONNECTED_APP_SECRET_VALUE: SENTINEL_SECRET,
      DBT_PROJECT_DIR: project,
    },
    project,
  );
  t.not(await run(['sync'], io.io), 0);
  t.match(io.stderr(), /ERR_TABLEAU_CONFIG/);
  t.match(io.stderr(), /TABLEAU_CONNECTED_APP_SECRET_ID/);
  t.match(io.stderr(), /TABLEAU_USERNAME/);
  t.notMatch(io.stderr(), /TABLEAU_TOKEN_SECRET\)/, 'the token is not asked for');
  assertNoSecrets(t, io.stdout(), io.stderr());
});
