/**
 * CLI redirects: sync and refresh requests redirected by a hostile server never carry the token
 * anywhere but the origin, and the sign-in's move to its pod is followed and announced on stderr.
 * The built binary (`node dist/cli/main.js`), as users run it; `npm test` builds first. Helpers
 * and case tables: hostile-cli.ts.
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { spawnCli } from '../cli/helpers.js';
import { assertNoSecrets } from '../helpers/secrets.js';
import { scratch, startMock } from './harness.js';
import { pathOf, startHostile } from './hostile.js';
import {
  envFor,
  noSecretReached,
  REFRESH_REDIRECTS,
  ROUTE,
  redirectOnce,
  SYNC_REFUSED,
  syncedProject,
} from './hostile-cli.js';

t.test('sync: redirects', async (t) => {
  const mock = await startMock(t);
  const template = await syncedProject(t, mock);
  const copy = async (t: Test): Promise<string> => {
    const project = join(await scratch(t), 'jaffle-tableau');
    await cp(template, project, { recursive: true });
    return project;
  };

  for (const [name, status, route, location] of SYNC_REFUSED) {
    t.test(name, async (t) => {
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
      // A sync's listing pages workbooks, published data sources and custom SQL at once: one
      // request each at most on the GraphQL route, the redirected one not retried.
      const made = origin.requests.filter(ROUTE[route]).length;
      t.ok(made >= 1 && made <= (route === 'graphql' ? 3 : 1), `not retried (${made})`);
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
    const project = await copy(t);
    const pod = await startHostile(t, { host: '127.0.0.3', upstream: mock.url });
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: redirectOnce(ROUTE.signin, 307, (r) => `${pod.url}${r.url}`),
    });
    const run = await spawnCli(['sync'], { cwd: project, env: envFor(origin.url, mock) });
    t.equal(run.code, 0, run.stderr);
    t.match(
      run.stderr,
      `warning: Tableau redirected the sign in request from ${origin.url} to its pod ${pod.url}`,
    );
    t.same(
      origin.requests.map((r) => `${r.method} ${pathOf(r)}`),
      ['GET /api/3.6/serverinfo', `POST /api/${mock.apiVersion}/auth/signin`],
    );
    t.ok(pod.requests.some(ROUTE.graphql) && pod.requests.some(ROUTE.signout));
    t.equal(mock.activeSessions, 0, 'signed out');
    assertNoSecrets(t, run.stdout, run.stderr);
  });

  t.test('sign-out 301 to another host: not followed, the sync still succeeds', async (t) => {
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
  for (const [name, route, status] of REFRESH_REDIRECTS) {
    t.test(name, async (t) => {
      const other = await startHostile(t, { host: '127.0.0.2', upstream: mock.url });
      const origin = await startHostile(t, {
        upstream: mock.url,
        rule: redirectOnce(ROUTE[route], status, (r) => `${other.url}${r.url}`),
      });
      const run = await spawnCli(['refresh', '--wait', '--log-format', 'json'], {
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
