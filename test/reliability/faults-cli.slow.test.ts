/**
 * The CLI's sync, spawned as users run it (`node dist/cli/main.js sync`) against the mock server
 * with each fault of the table armed on the Metadata API. On failure: a coded error on stderr, a
 * non-zero exit, and the previous YAML, lineage JSON and report byte-identical; on success the
 * outputs are those of a fault-free sync. No secret on stdout or stderr. `npm test` builds first.
 */
import { spawn } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { MockTableauServer } from '../../src/testing/index.js';
import { assertNoSecrets, SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { CLI_CASES } from './fault-table.js';
import {
  exampleProject,
  leftovers,
  pictureOf,
  RETRIES,
  scratch,
  startMock,
  withoutPort,
} from './harness.js';

const binary = join(repoRoot, 'dist', 'cli', 'main.js');

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnSync(
  project: string,
  mock: MockTableauServer,
  onSpawn?: (kill: () => void) => void,
): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, 'sync', '--project-dir', project], {
      cwd: project,
      env: {
        PATH: process.env.PATH ?? '',
        TABLEAU_SERVER_URL: mock.url,
        TABLEAU_SITE_NAME: mock.siteName,
        TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
        TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    onSpawn?.(() => child.kill('SIGINT'));
  });
}

/** A copy of the example project with small timeouts, after one successful sync. */
async function syncedProject(t: Test): Promise<string> {
  const project = join(await scratch(t), 'jaffle-tableau');
  await cp(exampleProject, project, { recursive: true });
  await writeFile(
    join(project, 'dbt-auto-exposures.config.yml'),
    [
      'exposures:',
      '  path: models/exposures',
      '  groupBy: project',
      'matching:',
      '  parseCustomSql: true',
      'tableau:',
      `  retries: ${RETRIES}`,
      '  timeoutSeconds: 1',
      '  pageSize: 2',
      '',
    ].join('\n'),
  );
  // The previous sync saw the site without "Refund Tracker".
  const mock = await startMock(t);
  mock.site.workbooks.splice(
    mock.site.workbooks.findIndex((w) => w.name === 'Refund Tracker'),
    1,
  );
  const first = await spawnSync(project, mock);
  if (first.code !== 0) throw new Error(`first sync failed: ${first.stderr}`);
  await writeFile(join(project, 'target', 'active_exposures.json'), '{"previous":"report"}\n');
  return project;
}

t.test('CLI sync under faults', async (t) => {
  const template = await syncedProject(t);
  /** A copy of the synced project (one spawn saved per case). */
  const copyOf = async (t: Test): Promise<string> => {
    const project = join(await scratch(t), 'jaffle-tableau');
    await cp(template, project, { recursive: true });
    return project;
  };
  const fresh = await copyOf(t);
  const mock0 = await startMock(t);
  const ok = await spawnSync(fresh, mock0);
  t.equal(ok.code, 0, ok.stderr);
  const complete = withoutPort(await pictureOf(fresh));
  t.match(complete['models/exposures/tableau__operations.yml'], /name: refund_tracker/);

  for (const fault of CLI_CASES) {
    t.test(fault.id, async (t) => {
      const project = await copyOf(t);
      const before = await pictureOf(project);
      t.notMatch(before['models/exposures/tableau__operations.yml'], /refund_tracker/);
      const mock = await startMock(t);
      await fault.arm?.(mock, 'graphql', { refreshOnce: async () => undefined });
      const run = await spawnSync(project, mock);
      const after = await pictureOf(project);
      if (fault.expect.outcome === 'error') {
        t.not(run.code, 0, 'non-zero exit');
        // Warnings printed on the way (a page size lowered) may come first; then the coded error.
        t.match(
          run.stderr,
          new RegExp(`^(warning: [^\\n]*\\n)*${fault.expect.code}: `),
          'coded error first',
        );
        // The three listings are paged at once; the first to fail names itself and stops the others.
        t.match(
          run.stderr,
          /list (workbooks|published data sources|custom SQL)/,
          'names the listing',
        );
        t.same(after, before, 'previous outputs byte-identical');
      } else {
        t.equal(run.code, 0, run.stderr);
        t.same(withoutPort(after), complete, 'outputs complete');
      }
      t.ok(mock.counters.signIns <= 2, 'sign-ins bounded');
      t.same(await leftovers(project), []);
      assertNoSecrets(t, run.stdout, run.stderr, after);
    });
  }

  t.test('SIGINT while a request hangs: nothing written', async (t) => {
    const project = await copyOf(t);
    const before = await pictureOf(project);
    const mock = await startMock(t);
    mock.inject('graphql', { kind: 'latency', ms: 3000 });
    const run = await spawnSync(project, mock, (kill) => {
      const poll = setInterval(() => {
        if (mock.counters.requests.graphql > 0) {
          clearInterval(poll);
          kill();
        }
      }, 10);
    });
    t.not(run.code, 0);
    t.match(run.stderr, /ERR_ABORTED/);
    t.same(await pictureOf(project), before);
    t.same(await leftovers(project), []);
    assertNoSecrets(t, run.stdout, run.stderr);
  });
});
