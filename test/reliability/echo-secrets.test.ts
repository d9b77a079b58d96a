/**
 * A server that echoes secrets back: the token secret, the session token and a URL with a
 * password (`https://svc:<password>@…`), in every field of every error shape Tableau has (REST
 * JSON and XML `code`/`summary`/`detail` at each status, GraphQL `errors` message and
 * `extensions.code` with and without partial data, GraphQL warnings, job notes), on every route.
 * None of them may reach an error (message, stack, cause, JSON, inspect), a log or debug line, a
 * warning, a result, or a maybeRefresh report, through the public API. The matrix is in
 * echo-matrix.ts: its covering subset runs here, every case in echo-secrets.slow.test.ts. The CLI
 * side is in hostile-cli-echo.slow.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { covering } from '../helpers/covering.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { ECHO_FACETS, ECHO_MATRIX, echoCaseName, runEchoCase } from './echo-matrix.js';

const QUICK = covering(ECHO_MATRIX, ECHO_FACETS);

for (const c of QUICK) t.test(echoCaseName(c), (t) => runEchoCase(t, c));

t.test('cases tried, as docs/reliability.md states', async (t) => {
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(Number(/Echo cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), ECHO_MATRIX.length);
  t.ok(QUICK.length < ECHO_MATRIX.length, `${QUICK.length} of them here`);
});
