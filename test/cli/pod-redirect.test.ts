/**
 * `sync` in process when Tableau Cloud's generic host sends the sign-in to its pod: the run
 * completes at the pod and says so once on stderr; other client warnings (a GraphQL warning from
 * a project filter) are not printed twice (they are in the summary). The binary is covered by
 * test/reliability/hostile-cli-redirects.slow.test.ts.
 */
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { startMock } from '../reliability/harness.js';
import { captureIo, copyExample } from './helpers.js';

t.test('sync follows the sign-in to the pod and warns once', async (t) => {
  const mock = await startMock(t, { pod: {} });
  const project = await copyExample(t);
  const io = captureIo(
    {
      TABLEAU_SERVER_URL: mock.url,
      TABLEAU_SITE_NAME: mock.siteName,
      TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
      TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
      DBT_PROJECT_DIR: project,
    },
    project,
  );
  t.equal(await run(['sync', '--project', 'Sales'], io.io), 0, io.stderr());
  const warnings = io
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('warning: '));
  t.same(warnings, [
    `warning: Tableau redirected the sign in request from ${mock.url} to its pod ${mock.podUrl} (HTTP 301); this ` +
      `client now talks to ${mock.podUrl} only. Set serverUrl to ${mock.podUrl} to skip the redirect.`,
  ]);
  t.match(io.stdout(), /PERMISSIONS_MODE_SWITCHED/, 'the GraphQL warning is in the summary');
  t.same(
    mock.requests.filter((r) => r.origin === mock.url).map((r) => r.route),
    ['serverinfo', 'signin'],
    'only server info and the redirected sign-in at the generic host',
  );
  t.ok(
    mock.requests.some((r) => r.origin === mock.podUrl && r.route === 'graphql'),
    'listed at the pod',
  );
  assertNoSecrets(t, io.stdout(), io.stderr(), mock.requests);
});
