/**
 * The CLI binary (`node dist/cli/main.js`, as users run it) against hostile servers on loopback:
 * redirects of sync and refresh requests never carry the token anywhere but the origin (and the
 * sign-in's pod, announced on stderr); secrets echoed in error shapes never reach stdout, stderr,
 * `--json` lines, the report file, YAML, lineage or snapshot; the server URL's password is never
 * echoed (`--verbose` included); `--concurrency` is bounded; `--wait-timeout` is one deadline for
 * the whole run. `npm test` builds first.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { MockTableauServer } from '../../src/testing/index.js';
import { spawnCli } from '../cli/helpers.js';
import {
  assertNoSecrets,
  assertNoSecretsInDir,
  SENTINEL_SECRET,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { ECHO_CASES, ECHO_ROUTES, MARKER, URL_PASSWORD } from './echo-table.js';
import { exampleProject, scratch, startMock } from './harness.js';
import {
  type HostileServer,
  pathOf,
  type Rule,
  type SeenRequest,
  startHostile,
  TLS_CERT_PATH,
} from './hostile.js';

/** A copy of the example project (timeouts small, one retry) after a sync straight to the mock. */
async function syncedProject(t: Test, mock: MockTableauServer): Promise<string> {
  const project = join(await scratch(t), 'jaffle-tableau');
  await cp(exampleProject, project, { recursive: true });
  const config = join(project, 'dbt-auto-exposures.config.yml');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}tableau:\n  retries: 1\n  timeoutSeconds: 5\n`,
  );
  const first = await spawnCli(['sync'], { cwd: project, env: envFor(mock.url, mock) });
  if (first.code !== 0) throw new Error(`setup sync failed: ${first.stderr}`);
  return project;
}

function envFor(serverUrl: string, mock: MockTableauServer): Record<string, string> {
  return {
    TABLEAU_SERVER_URL: serverUrl,
    TABLEAU_SITE_NAME: mock.siteName,
    TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
    TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
    NODE_EXTRA_CA_CERTS: TLS_CERT_PATH,
  };
}

const ROUTE = Object.fromEntries(ECHO_ROUTES.map((r) => [r.id, r.matches])) as Record<
  'signin' | 'graphql' | 'refresh' | 'job' | 'signout',
  (r: SeenRequest) => boolean
>;

/** A rule redirecting the first request `matches` accepts to `location(request)`. */
function redirectOnce(
  matches: (r: SeenRequest) => boolean,
  status: number,
  location: (r: SeenRequest) => string,
): Rule {
  let done = false;
  return (request) => {
    if (done || !matches(request)) return 'forward';
    done = true;
    return { status, headers: { location: location(request) } };
  };
}

function noSecretReached(t: Test, server: HostileServer): void {
  assertNoSecrets(t, server.requests);
  t.same(server.requests, [], `nothing reached ${server.url}`);
}

const cases: string[] = [];

t.test('sync: redirects', async (t) => {
  const mock = await startMock(t);
  const template = await syncedProject(t, mock);
  const copy = async (t: Test): Promise<string> => {
    const project = join(await scratch(t), 'jaffle-tableau');
    await cp(template, project, { recursive: true });
    return project;
  };

  const refused: [
    string,
    number,
    keyof typeof ROUTE,
    (other: HostileServer, r: SeenRequest) => string,
  ][] = [
    ['GraphQL 307 to another host', 307, 'graphql', (o, r) => `${o.url}${r.url}`],
    ['GraphQL 301 to another host', 301, 'graphql', (o, r) => `${o.url}${r.url}`],
    ['sign-in 308 to another host, another path', 308, 'signin', (o) => `${o.url}/collect`],
    [
      'sign-in 302 to another host with credentials',
      302,
      'signin',
      (o, r) => `${o.url.replace('://', '://u:p@')}${r.url}`,
    ],
    ['sign-in 303 to another host', 303, 'signin', (o, r) => `${o.url}${r.url}`],
  ];
  for (const [name, status, route, location] of refused) {
    t.test(name, async (t) => {
      cases.push(`sync: ${name}`);
      const project = await copy(t);
      const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
      const origin = await startHostile(t, {
        upstream: mock.url,
        rule: redirectOnce(ROUTE[route], status, (r) => location(other, r)),
      });
      const before = await readFile(join(project, 'models/exposures/tableau_lineage.json'), 'utf8');
      const run = await spawnCli(['sync'], { cwd: project, env: envFor(origin.url, mock) });
      t.equal(run.code, 1, run.stderr);
      t.match(run.stderr, /^ERR_TABLEAU_REDIRECT: /);
      t.match(run.stderr, new URL(origin.url).origin);
      t.equal(origin.requests.filter(ROUTE[route]).length, 1, 'not retried');
      noSecretReached(t, other);
      t.equal(
        await readFile(join(project, 'models/exposures/tableau_lineage.json'), 'utf8'),
        before,
        'nothing written',
      );
      assertNoSecrets(t, run.stdout, run.stderr);
    });
  }

  t.test('https origin, sign-in 307 to plain http: refused', async (t) => {
    cases.push('sync: https to http');
    const project = await copy(t);
    const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
    const origin = await startHostile(t, {
      tls: true,
      upstream: mock.url,
      rule: redirectOnce(ROUTE.signin, 307, (r) => `${other.url}${r.url}`),
    });
    const run = await spawnCli(['sync'], { cwd: project, env: envFor(origin.url, mock) });
    t.equal(run.code, 1, run.stderr);
    t.match(run.stderr, /^ERR_TABLEAU_REDIRECT: .*from https to plain http/);
    noSecretReached(t, other);
  });

  t.test('sign-in 307 to the pod: the run completes there, with a warning', async (t) => {
    cases.push('sync: pod');
    const project = await copy(t);
    const pod = await startHostile(t, { host: '127.0.0.3', upstream: mock.url });
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: redirectOnce(ROUTE.signin, 307, (r) => `${pod.url}${r.url}`),
    });
    const run = await spawnCli(['sync'], { cwd: project, env: envFor(origin.url, mock) });
    t.equal(run.code, 0, run.stderr);
    t.match(run.stderr, `warning: Tableau sent sign in from ${origin.url} to its pod ${pod.url}`);
    t.same(
      origin.requests.map((r) => `${r.method} ${pathOf(r)}`),
      ['GET /api/3.6/serverinfo', `POST /api/${mock.apiVersion}/auth/signin`],
    );
    t.ok(pod.requests.some(ROUTE.graphql) && pod.requests.some(ROUTE.signout));
    t.equal(mock.activeSessions, 0, 'signed out');
    assertNoSecrets(t, run.stdout, run.stderr);
  });

  t.test('sign-out 301 to another host: not followed, the sync still succeeds', async (t) => {
    cases.push('sync: sign-out redirect');
    const project = await copy(t);
    const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: redirectOnce(ROUTE.signout, 301, (r) => `${other.url}${r.url}`),
    });
    const run = await spawnCli(['sync'], { cwd: project, env: envFor(origin.url, mock) });
    t.equal(run.code, 0, run.stderr);
    noSecretReached(t, other);
  });
});

t.test('refresh: redirects', async (t) => {
  const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  const project = await syncedProject(t, mock);
  const report = join(project, 'target', 'active_exposures.json');
  for (const [name, route, status] of [
    ['REST refresh 307 to another host', 'refresh', 307],
    ['job polling 302 to another host', 'job', 302],
  ] as const) {
    t.test(name, async (t) => {
      cases.push(`refresh: ${name}`);
      const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
      const origin = await startHostile(t, {
        upstream: mock.url,
        rule: redirectOnce(ROUTE[route], status, (r) => `${other.url}${r.url}`),
      });
      const run = await spawnCli(['refresh', '--wait', '--json'], {
        cwd: project,
        env: {
          ...envFor(origin.url, mock),
          DBT_ACTIVE_EXPOSURES: '1',
          DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0',
        },
      });
      t.equal(run.code, 1, run.stderr);
      const written = await readFile(report, 'utf8');
      t.match(written, /ERR_TABLEAU_REDIRECT/);
      noSecretReached(t, other);
      assertNoSecrets(t, run.stdout, run.stderr, written);
    });
  }
});

t.test('secrets echoed by the server never reach the terminal or a file', async (t) => {
  const mock0 = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
  const template = await syncedProject(t, mock0);
  const byName = new Map(ECHO_CASES.map((c) => [c.name, c]));
  const table: [string, keyof typeof ROUTE, string[]][] = [
    ['REST JSON 400, code echoed', 'signin', ['sync']],
    ['REST XML 401 (401001)', 'signin', ['refresh', '--wait']],
    ['REST JSON 400, code echoed', 'graphql', ['sync', '--json']],
    ['GraphQL errors, no data', 'graphql', ['sync']],
    ['GraphQL errors with partial data', 'graphql', ['sync', '--json']],
    ['GraphQL warnings', 'graphql', ['sync']],
    ['GraphQL warnings', 'graphql', ['snapshot', '--out', 'snapshot.json']],
    ['REST XML 400, code echoed', 'graphql', ['refresh', '--wait', '--debug']],
    ['REST JSON 409 (409093, already queued)', 'refresh', ['refresh', '--wait']],
    ['REST XML 409 (409090, not refreshable)', 'refresh', ['refresh', '--wait', '--json']],
    ['REST JSON 500 (retried)', 'refresh', ['refresh', '--json', '--debug']],
    ['REST JSON 401 (401000)', 'refresh', ['refresh', '--wait']],
    ['REST XML 400, code echoed', 'job', ['refresh', '--wait', '--debug']],
    ['job notes of a failed job', 'job', ['refresh', '--wait', '--json', '--debug']],
    ['REST JSON 400, code echoed', 'signout', ['sync']],
  ];
  for (const [shapeName, route, args] of table) {
    const shape = byName.get(shapeName);
    if (shape === undefined) throw new Error(shapeName);
    t.test(`${shapeName} on ${route}: ${args.join(' ')}`, async (t) => {
      cases.push(`echo: ${shapeName} on ${route}: ${args.join(' ')}`);
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
      if (route !== 'signout')
        t.match(everything, MARKER, 'the echo was shown or stored, redacted');
    });
  }
});

t.test('a password in the server URL is never echoed, --verbose included', async (t) => {
  const mock = await startMock(t);
  const project = await syncedProject(t, mock);
  for (const serverUrl of [
    `${mock.url.replace('://', `://user:${URL_PASSWORD}@`)}`,
    `user:${URL_PASSWORD}@127.0.0.1`,
    `http://user:${URL_PASSWORD}@bad host`,
    `${mock.url.replace('://', `://user:${URL_PASSWORD}@`)}/?x=1`,
  ]) {
    for (const command of [
      ['sync', '--verbose'],
      ['refresh', '--verbose'],
      ['snapshot', '--out', 's.json', '--verbose'],
    ]) {
      cases.push(`user info: ${command[0]} ${serverUrl.replace(URL_PASSWORD, '…')}`);
      const run = await spawnCli(command, {
        cwd: project,
        env: { ...envFor(serverUrl, mock), DBT_ACTIVE_EXPOSURES: '1' },
      });
      t.equal(run.code, 2, `${command[0]}: a configuration error`);
      t.match(run.stderr, /ERR_TABLEAU_CONFIG/);
      t.notOk(
        `${run.stdout}${run.stderr}`.includes(URL_PASSWORD),
        `${command.join(' ')} ${serverUrl}`,
      );
    }
  }
});

t.test(
  '--concurrency above 64 is refused (flag and config file), before any request',
  async (t) => {
    const mock = await startMock(t);
    const project = await syncedProject(t, mock);
    mock.resetCounters();
    const env = { ...envFor(mock.url, mock), DBT_ACTIVE_EXPOSURES: '1' };
    cases.push('concurrency: flag', 'concurrency: config file');
    const flag = await spawnCli(['refresh', '--concurrency', '1000000'], { cwd: project, env });
    t.equal(flag.code, 2);
    t.match(flag.stderr, /--concurrency: expected a whole number ≥ 1 and ≤ 64, got "1000000"/);
    const config = join(project, 'dbt-auto-exposures.config.yml');
    const original = await readFile(config, 'utf8');
    await writeFile(
      config,
      original.replace(
        '  buildAfterMinutes: 1440\n',
        '  buildAfterMinutes: 1440\n  concurrency: 1000\n',
      ),
    );
    const file = await spawnCli(['refresh'], { cwd: project, env });
    t.equal(file.code, 2, file.stderr);
    t.match(file.stderr, /concurrency/);
    t.equal(mock.counters.total, 0, 'no request made');
    await writeFile(config, original);
    const ok = await spawnCli(['refresh', '--concurrency', '64', '--dry-run'], {
      cwd: project,
      env,
    });
    t.equal(ok.code, 0, ok.stderr);
  },
);

t.test('--wait-timeout is one deadline for the whole run', async (t) => {
  const mock = await startMock(t);
  const project = await syncedProject(t, mock);
  mock.setJobPlan(null, { outcome: 'hang' });
  const started = performance.now();
  const run = await spawnCli(['refresh', '--wait', '--wait-timeout', '2', '--concurrency', '1'], {
    cwd: project,
    env: { ...envFor(mock.url, mock), DBT_ACTIVE_EXPOSURES: '1' },
  });
  const elapsed = performance.now() - started;
  t.equal(run.code, 1);
  const report = JSON.parse(
    await readFile(join(project, 'target', 'active_exposures.json'), 'utf8'),
  );
  const timedOut = report.results.filter((r: { reason?: string }) => r.reason === 'job_timeout');
  t.ok(timedOut.length >= 4, `${timedOut.length} jobs still running at the deadline`);
  // One wait per job would take 5 × 2 s = 10 s.
  t.ok(elapsed < 8000, `the run took ${Math.round(elapsed)} ms`);
});

t.test('CLI cases tried, as docs/reliability.md states', async (t) => {
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(Number(/CLI hostile-server cases tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), cases.length);
});
