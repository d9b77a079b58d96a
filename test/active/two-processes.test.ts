/**
 * Two worker PROCESSES (separate Node processes, as two orchestrator workers would be) calling
 * maybeRefresh at the same moment against one mock Tableau server: each target is triggered once.
 * No state file is shared; Tableau's own extract refresh time and its 409093 answer coordinate them.
 * Runs the built package (`npm test` builds before tap).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RefreshResult } from '../../src/index.js';
import { writeLineage } from '../../src/output/lineage-file.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import {
  assertNoSecrets,
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { repoFixtures, repoRoot } from '../helpers/shared-fixtures.js';
import { BQ, exposure, lineage, target } from './helpers.js';

const CUSTOMERS = 'model.jaffle_shop.customers';
const worker = join(repoRoot, 'test', 'active', 'fixtures', 'refresh-worker.mjs');

function run(
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

t.test('two worker processes at once trigger each refresh exactly once', async (t) => {
  t.ok(existsSync(join(repoRoot, 'dist', 'index.js')), 'the package is built (npm run build)');
  const server = await createMockTableauServer({
    workbooks: [
      {
        luid: 'wb-sales',
        name: 'Sales',
        embeddedDatasources: [{ name: 'sales', hasExtracts: true }],
      },
      ...[1, 2].map((n) => ({
        luid: `wb-${n}`,
        name: `Over shared ${n}`,
        embeddedDatasources: [{ name: `e${n}`, publishedDatasourceLuids: [`ds-${n}`] }],
        publishedDatasources: [{ luid: `ds-${n}`, name: `Shared ${n}`, hasExtracts: true }],
      })),
    ],
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: () => SENTINEL_SESSION_TOKEN,
    // jobs outlive both workers, so the second trigger of a target meets a queued job (409093)
    jobPlan: { queuedMs: 30_000, runMs: 30_000 },
  });
  t.teardown(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), 'dae-two-workers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lineagePath = join(dir, 'lineage.json');
  await writeLineage(
    lineagePath,
    lineage([
      exposure(
        'sales',
        [CUSTOMERS],
        [target('workbook', 'wb-sales', 'Sales'), target('datasource', 'ds-1', 'Shared 1')],
      ),
      exposure('shared_two', [CUSTOMERS], [target('datasource', 'ds-2', 'Shared 2')]),
      exposure('shared_one_again', [CUSTOMERS], [target('datasource', 'ds-1', 'Shared 1')]),
    ]),
  );
  const env = {
    WORKER_SERVER_URL: server.url,
    WORKER_SITE: server.siteName,
    WORKER_TOKEN_NAME: SENTINEL_TOKEN_NAME,
    WORKER_TOKEN_SECRET: SENTINEL_SECRET,
    WORKER_LINEAGE: lineagePath,
    WORKER_RUN_RESULTS: join(repoFixtures, 'dbt', BQ, 'run_results.json'),
    WORKER_MANIFEST: join(repoFixtures, 'dbt', BQ, 'manifest.json'),
  };
  const [a, b] = await Promise.all([run(env), run(env)]);
  t.equal(a.code, 0, `worker A exits 0 ${a.err}`);
  t.equal(b.code, 0, `worker B exits 0 ${b.err}`);
  assertNoSecrets(t, a.out, a.err, b.out, b.err);

  // three distinct targets: exactly three jobs on the server, whoever triggered them
  t.equal(server.jobs().length, 3, 'one job per distinct target');
  const results = [a, b].flatMap((w) => JSON.parse(w.out.trim()) as RefreshResult[]);
  const outcomes = new Map<string, string[]>();
  for (const r of results) {
    const key = `${r.target?.kind}:${r.target?.luid}`;
    outcomes.set(key, [
      ...(outcomes.get(key) ?? []),
      r.status === 'success' ? 'success' : `${r.reason}`,
    ]);
  }
  t.same([...outcomes.keys()].sort(), ['datasource:ds-1', 'datasource:ds-2', 'workbook:wb-sales']);
  const triggeredBy = new Map<string, Set<string>>();
  for (const [w, worker] of [
    ['A', a],
    ['B', b],
  ] as const) {
    for (const r of JSON.parse(worker.out.trim()) as RefreshResult[]) {
      if (r.status !== 'success' || r.jobId === undefined) continue;
      const key = `${r.target?.kind}:${r.target?.luid}`;
      triggeredBy.set(key, new Set([...(triggeredBy.get(key) ?? []), `${w}:${r.jobId}`]));
    }
  }
  for (const [key, list] of outcomes) {
    t.ok(
      list.every(
        (o) => o === 'success' || o === 'already_queued' || o === 'build_after_not_elapsed',
      ),
      `${key}: ${list.join(', ')} — never an error`,
    );
    t.equal(triggeredBy.get(key)?.size, 1, `${key}: one worker, one job`);
  }
});
