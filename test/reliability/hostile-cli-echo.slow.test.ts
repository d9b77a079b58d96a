/**
 * CLI echo: secrets a hostile server echoes in its error shapes (echo-table.ts) never reach
 * stdout, stderr, `--json` lines, the report file, YAML, lineage or snapshot files.
 * The built binary (`node dist/cli/main.js`), as users run it; `npm test` builds first. Helpers
 * and case tables: hostile-cli.ts.
 */
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { spawnCli } from '../cli/helpers.js';
import { assertNoSecrets, assertNoSecretsInDir } from '../helpers/secrets.js';
import { ECHO_CASES, MARKER, URL_PASSWORD } from './echo-table.js';
import { scratch, startMock } from './harness.js';
import { startHostile } from './hostile.js';
import { CLI_ECHO, envFor, ROUTE, syncedProject } from './hostile-cli.js';

t.test('secrets echoed by the server never reach the terminal or a file', async (t) => {
  const mock0 = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  const template = await syncedProject(t, mock0);
  const byName = new Map(ECHO_CASES.map((c) => [c.name, c]));
  for (const [shapeName, route, args] of CLI_ECHO) {
    const shape = byName.get(shapeName);
    if (shape === undefined) throw new Error(shapeName);
    t.test(`${shapeName} on ${route}: ${args.join(' ')}`, async (t) => {
      const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0, ...shape.jobPlan } });
      const project = join(await scratch(t), 'jaffle-tableau');
      await cp(template, project, { recursive: true });
      const origin = await startHostile(t, {
        upstream: mock.url,
        rule: (r) => (ROUTE[route](r) && shape.reply !== undefined ? shape.reply(r) : 'forward'),
      });
      const run = await spawnCli(args, {
        cwd: project,
        env: {
          ...envFor(origin.url, mock),
          DBT_ACTIVE_EXPOSURES: '1',
          DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0',
        },
      });
      t.ok(origin.requests.some(ROUTE[route]), 'the echoing route was reached');
      const files = await assertNoSecretsInDir(t, project);
      const everything = [run.stdout, run.stderr, ...files.values()].join('\n');
      t.notOk(everything.includes(URL_PASSWORD), 'no URL password');
      assertNoSecrets(t, run.stdout, run.stderr);
      // A 401 becomes the CLI's own ERR_TABLEAU_AUTH message; a sign-out's failure is not shown.
      if (route !== 'signout' && !shapeName.includes('401')) {
        t.match(everything, MARKER, 'the echo was shown or stored, redacted');
      }
    });
  }
});
