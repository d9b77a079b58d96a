/**
 * `sync --group-by project` killed with SIGKILL at random instants, as users and CI runners kill
 * it: the YAML files and the lineage JSON must always be the complete set of one sync (or, while
 * a journal records an interrupted switch, have no exposure name defined twice and be completed
 * by the next run), and no temporary file may survive the next run. Two syncs started together
 * must not interleave. The built binary is spawned (`npm test` builds first); workbooks come from
 * snapshot files so the write is most of the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import type { TableauWorkbook } from '../../src/index.js';
import { renderTableauSnapshot } from '../../src/tableau/snapshot.js';
import { binary, exampleProject } from '../cli/helpers.js';

/** Kills tried; the counts reached are printed (docs/reliability.md keeps the figures). */
const KILLS = 50;
const PROJECTS = 40;
const WORKBOOKS = 80;
const JOURNAL = '.dbt-auto-exposures.journal.json';
const LOCK = '.dbt-auto-exposures.lock';

// About 60 s on this 2-core machine while shared (docs/reliability.md); more under heavy load.
t.setTimeout(600_000);

type Generation = 'A' | 'B';

/** Generation A and B put every workbook in another project and describe it differently. */
function workbooks(generation: Generation): TableauWorkbook[] {
  const projects = generation === 'A' ? PROJECTS : PROJECTS + 10;
  const shift = generation === 'A' ? 0 : 1;
  return Array.from({ length: WORKBOOKS }, (_, i) => {
    const project = `Project ${String((i + shift) % projects).padStart(3, '0')}`;
    return {
      luid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: `Dashboard ${String(i).padStart(4, '0')}`,
      projectName: project,
      projectLuid: `10000000-0000-4000-8000-${String((i + shift) % projects).padStart(12, '0')}`,
      owner: { name: 'Ada Park', email: 'ada@jaffle.example', username: 'ada' },
      tags: [],
      description: `generation ${generation}`,
      createdAt: null,
      updatedAt: null,
      vizportalUrlId: String(i),
      url: null,
      embeddedDatasources: [
        {
          name: 'Orders',
          hasExtracts: true,
          extractLastRefreshTime: null,
          tables: [
            {
              name: 'ORDERS',
              fullName: '[ANALYTICS].[MARTS].[ORDERS]',
              schema: 'MARTS',
              databaseName: 'ANALYTICS',
              connectionType: 'snowflake',
            },
          ],
          customSql: [],
          publishedDatasourceLuids: [],
        },
      ],
      publishedDatasources: [],
    };
  });
}

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * The CLI as users run it: `node dist/cli/main.js sync …`. The test runner adds its process-info
 * hook to every child's NODE_OPTIONS (about 3× the start-up cost of each of the ~100 runs here);
 * `env -u` drops it, and `exec` keeps one pid, the node process the test kills.
 */
function startCli(project: string, args: string[]): Run {
  const child = spawn(
    '/bin/sh',
    ['-c', 'exec env -u NODE_OPTIONS "$0" "$@"', process.execPath, binary, ...args],
    { cwd: project, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return { child, done };
}

function startSync(project: string, snapshot: string): Run {
  return startCli(project, ['sync', '--group-by', 'project', '--snapshot', snapshot]);
}

/** The set on disk: generated YAML files and the lineage JSON (name → text). */
async function outputSet(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (/^tableau__.*\.yml$|^tableau_lineage\.json$/.test(name)) {
      out[name] = await readFile(join(dir, name), 'utf8');
    }
  }
  return out;
}

/** Every exposure name of the YAML files (a list item `  - name: x` in these files). */
function namesIn(set: Record<string, string>): string[] {
  return Object.entries(set)
    .filter(([file]) => file.endsWith('.yml'))
    .flatMap(([, text]) => [...text.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]!));
}

/** Names defined more than once across the YAML files. */
function duplicateNames(set: Record<string, string>): string[] {
  const seen = new Map<string, number>();
  for (const name of namesIn(set)) seen.set(name, (seen.get(name) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
}

/** Files of an interrupted write: temporary files, the journal, the lock. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.tmp') || n === JOURNAL || n === LOCK);
}

interface KillPlan {
  kind: 'uniform' | 'staging' | 'switch';
  /** Delay after the start (uniform) or after the trigger. */
  ms: number;
}

interface Counts {
  /** Runs killed, and runs that finished before their kill came. */
  kills: number;
  finished: number;
  /** After the kill: a journal (switch in progress), the previous set, the new set. */
  switching: number;
  previous: number;
  next: number;
  /** Next runs that had something to complete or clean up. */
  recoveries: number;
  /** Mixed sets and names defined twice found (expected: 0, asserted). */
  mixed: number;
  duplicated: number;
}

/** A project with the reference sets of both generations, ready to be killed. */
async function lane(root: string, name: string) {
  const project = join(root, name);
  await cp(exampleProject, project, { recursive: true });
  const exposures = join(project, 'models', 'exposures');
  const snapshots = { A: join(root, 'a.json'), B: join(root, 'b.json') } as const;
  const first = Date.now();
  const a = await startSync(project, snapshots.A).done;
  const runMs = Date.now() - first;
  const setA = await outputSet(exposures);
  const b = await startSync(project, snapshots.B).done;
  const setB = await outputSet(exposures);
  return { project, exposures, snapshots, runMs, sets: { A: setA, B: setB }, reference: [a, b] };
}

t.test('kill -9 at random instants never leaves a mixed set', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'dae-crash-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'a.json'), renderTableauSnapshot(workbooks('A')));
  await writeFile(join(root, 'b.json'), renderTableauSnapshot(workbooks('B')));
  const missing = join(root, 'missing.json');
  // Two lanes (two copies of the project) run side by side: this machine has two cores.
  const lanes = await Promise.all([lane(root, 'one'), lane(root, 'two')]);
  const { sets } = lanes[0]!;
  for (const l of lanes) {
    for (const r of l.reference) t.equal(r.code, 0, r.stderr);
    t.same(l.sets, sets, 'both lanes write the same sets');
  }
  t.equal(Object.keys(sets.A).length, PROJECTS + 1, 'one file per project, and the lineage');
  t.equal(Object.keys(sets.B).length, PROJECTS + 11);
  for (const set of [sets.A, sets.B]) {
    t.same(duplicateNames(set), []);
    // The names this test reads with a pattern are those a YAML parser reads.
    const parsed = Object.entries(set)
      .filter(([file]) => file.endsWith('.yml'))
      .flatMap(([, text]) => (parse(text).exposures as { name: string }[]).map((e) => e.name));
    t.equal(namesIn(set).length, WORKBOOKS);
    t.same(namesIn(set).sort(), parsed.sort());
  }
  t.comment(`one sync of ${WORKBOOKS} workbooks in ${PROJECTS} projects: ${lanes[0]!.runMs} ms`);

  const counts: Counts = {
    kills: 0,
    finished: 0,
    switching: 0,
    previous: 0,
    next: 0,
    recoveries: 0,
    mixed: 0,
    duplicated: 0,
  };
  await Promise.all(
    lanes.map(async ({ project, exposures, snapshots, runMs }, laneIndex) => {
      let current: Generation = 'B';
      // Until 50 kills landed (a kill timed after the end of a run does not count), bounded.
      for (let i = laneIndex; counts.kills < KILLS && i < 2 * KILLS; i += lanes.length) {
        const next: Generation = current === 'A' ? 'B' : 'A';
        const plan = killPlan(i, runMs);
        const result = await killedSync(project, exposures, snapshots[next], plan);
        if (result.signal === 'SIGKILL') counts.kills += 1;
        else {
          counts.finished += 1;
          t.equal(result.code, 0, result.stderr);
        }

        // Right after the kill: never a name twice; without a journal, one whole set.
        const after = await outputSet(exposures);
        const left = await leftovers(exposures);
        const switching = left.includes(JOURNAL);
        const twice = duplicateNames(after);
        if (twice.length > 0) counts.duplicated += 1;
        t.same(twice, [], `run ${i}: no name defined twice`);
        let now: Generation | null = equal(after, sets.A) ? 'A' : equal(after, sets.B) ? 'B' : null;
        if (switching) counts.switching += 1;
        else if (now === null) counts.mixed += 1;
        else if (now === next) counts.next += 1;
        else counts.previous += 1;
        if (!switching) {
          t.ok(now !== null, `run ${i} (${plan.kind} +${plan.ms.toFixed(1)} ms): one whole set`);
        }

        // The next run (here one that fails: its snapshot is missing) completes an interrupted
        // switch and removes what killed runs left, before failing.
        if (left.length > 0) {
          counts.recoveries += 1;
          const failing = await startSync(project, missing).done;
          t.equal(failing.code, 1, 'the snapshot is missing');
          const recovered = await outputSet(exposures);
          const expected = switching ? sets[next] : after;
          if (!equal(recovered, expected)) counts.mixed += 1;
          t.ok(equal(recovered, expected), `run ${i}: the next run leaves one whole set`, {
            stderr: failing.stderr,
          });
          if (switching) now = next;
          t.same(await leftovers(exposures), [], `run ${i}: nothing left after the next run`);
        }
        current = now ?? current;
      }
    }),
  );
  t.comment(JSON.stringify(counts));
  t.ok(counts.kills >= KILLS, `at least ${KILLS} runs were killed`);
  t.ok(counts.switching > 0 && counts.previous > 0, 'kills landed before and during the switch');
});

/** Start a sync and SIGKILL it as `plan` says; resolves when the process is gone. */
async function killedSync(project: string, exposures: string, snapshot: string, plan: KillPlan) {
  const watcher = watch(exposures);
  const run = startSync(project, snapshot);
  let timer: NodeJS.Timeout | undefined;
  const kill = () => {
    timer = setTimeout(() => run.child.kill('SIGKILL'), plan.ms);
  };
  if (plan.kind === 'uniform') kill();
  else {
    watcher.on('change', (_event, file) => {
      const name = String(file);
      const trigger = plan.kind === 'switch' ? name === JOURNAL : /^\.tableau__.*\.tmp$/.test(name);
      if (trigger && timer === undefined) kill();
    });
  }
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
    watcher.close();
  }
}

/**
 * When to kill: a third at a uniform time over a whole run, a third a little after the first
 * YAML file is staged, a third right after the journal is committed (the switch).
 */
function killPlan(i: number, runMs: number): KillPlan {
  if (i % 3 === 0) return { kind: 'uniform', ms: Math.random() * runMs };
  if (i % 3 === 1) return { kind: 'staging', ms: Math.random() * 200 };
  return { kind: 'switch', ms: Math.random() * 2 };
}

function equal(x: Record<string, string>, y: Record<string, string>): boolean {
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

t.test('two syncs started together take turns: one whole set, nothing left', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'dae-crash-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'a.json'), renderTableauSnapshot(workbooks('A')));
  await writeFile(join(root, 'b.json'), renderTableauSnapshot(workbooks('B')));
  const { project, exposures, snapshots, sets } = await lane(root, 'p');
  for (let round = 0; round < 4; round += 1) {
    const [first, second] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const runs = [
      startSync(project, snapshots[first as Generation]),
      startSync(project, snapshots[second as Generation]),
    ];
    for (const result of await Promise.all(runs.map((r) => r.done))) {
      t.equal(result.code, 0, result.stderr);
    }
    const set = await outputSet(exposures);
    t.ok(equal(set, sets.A) || equal(set, sets.B), `round ${round}: one whole set`);
    t.same(await leftovers(exposures), [], `round ${round}: no lock, journal or temporary file`);
  }
});

t.test(
  'a sync waits for the lock holder, fails with ERR_OUTPUT_LOCKED, then takes over a dead holder',
  async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'dae-crash-'));
    t.teardown(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, 'a.json'), renderTableauSnapshot(workbooks('A')));
    await writeFile(join(root, 'b.json'), renderTableauSnapshot(workbooks('B')));
    const { project, exposures, snapshots, sets } = await lane(root, 'p');
    // Another writer holds the lock: a live process (the lock file format is in docs/outputs.md).
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], {
      stdio: 'ignore',
    });
    t.teardown(() => holder.kill('SIGKILL'));
    const lock = join(exposures, LOCK);
    const owner = { pid: holder.pid, hostname: hostname(), startedAt: new Date().toISOString() };
    await writeFile(lock, JSON.stringify({ ...owner, token: 'held-elsewhere' }));

    const started = Date.now();
    const args = ['sync', '--group-by', 'project', '--snapshot', snapshots.A];
    const locked = await startCli(project, [...args, '--lock-timeout', '0.5']).done;
    t.equal(locked.code, 1);
    t.match(
      locked.stderr,
      /^ERR_OUTPUT_LOCKED: The outputs are locked by another sync \(pid \d+ on /,
    );
    t.match(locked.stderr, `pid ${holder.pid} on ${hostname()}`);
    t.match(locked.stderr, `if no sync is running there, remove ${lock}`);
    t.ok(Date.now() - started >= 500, 'waited for the holder');
    t.ok(equal(await outputSet(exposures), sets.B), 'nothing written');

    // The holder dies without removing its lock: the next sync takes the stale lock over.
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const next = await startCli(project, args).done;
    t.equal(next.code, 0, next.stderr);
    t.ok(equal(await outputSet(exposures), sets.A));
    t.same(await leftovers(exposures), []);
  },
);
