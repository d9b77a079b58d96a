/**
 * writeSyncOutputs (public API): the YAML, the lineage JSON and extra files written as one set,
 * the lock between writers, and the completion of a journal an interrupted writer left (written
 * here by hand, in the format docs/outputs.md documents). The crash test with real SIGKILLs is
 * test/reliability/output-set-crash.slow.test.ts.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  type ExposureLineage,
  loadLineage,
  renderExposuresYaml,
  renderLineage,
  writeSyncOutputs,
} from '../../src/index.js';
import { exposure, lineage } from './sample-lineage.js';

const LOCK = '.dbt-auto-exposures.lock';
const JOURNAL = '.dbt-auto-exposures.journal.json';

async function project(t: Test): Promise<{ dir: string; lineagePath: string }> {
  const root = await mkdtemp(join(tmpdir(), 'dae-set-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  return { dir: join(root, 'models', 'exposures'), lineagePath: join(root, 'target', 'l.json') };
}

/** Every file of the directories, name → text. */
async function files(...dirs: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const dir of dirs) {
    for (const name of (await readdir(dir).catch(() => [])).sort()) {
      out[join(dir, name)] = await readFile(join(dir, name), 'utf8');
    }
  }
  return out;
}

const before = lineage([
  exposure('a_dash', { projectName: 'Finance' }),
  exposure('b_dash', { projectName: 'Sales' }),
]);
// b_dash moves to Finance, Sales disappears, Marketing appears.
const after = lineage([
  exposure('a_dash', { projectName: 'Finance', label: 'A' }),
  exposure('b_dash', { projectName: 'Finance' }),
  exposure('c_dash', { projectName: 'Marketing' }),
]);

/** A process that stays alive until killed: a lock holder other than this test. */
function liveProcess(t: Test): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], {
    stdio: 'ignore',
  });
  t.teardown(() => child.kill('SIGKILL'));
  return child.pid as number;
}

/** A pid that no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

t.test('writes the YAML, the lineage and extra files; a second call changes nothing', async (t) => {
  const { dir, lineagePath } = await project(t);
  const extra = join(dir, '..', '..', 'target', 'manifest_with_exposures.json');
  const options = {
    groupBy: 'project' as const,
    lineagePath,
    extraFiles: [{ path: extra, data: '{}' }],
  };
  const first = await writeSyncOutputs(dir, before, options);
  t.same(first.written, [
    join(dir, 'tableau__finance.yml'),
    join(dir, 'tableau__sales.yml'),
    extra,
    lineagePath,
  ]);
  t.same(await loadLineage(lineagePath), before);
  t.equal(await readFile(extra, 'utf8'), '{}');
  const second = await writeSyncOutputs(dir, before, options);
  t.same(second.written, []);
  t.same(second.unchanged.sort(), first.written.sort());
  t.same(await readdir(dir), ['tableau__finance.yml', 'tableau__sales.yml'], 'no lock, no journal');
});

t.test('a name moving between files, a project gone: the new set exactly', async (t) => {
  const { dir, lineagePath } = await project(t);
  await writeSyncOutputs(dir, before, { groupBy: 'project', lineagePath });
  const result = await writeSyncOutputs(dir, after, { groupBy: 'project', lineagePath });
  t.same(result.removed, [join(dir, 'tableau__sales.yml')]);
  const expected = renderExposuresYaml(after, { groupBy: 'project' });
  const onDisk = await files(dir);
  t.same(onDisk, Object.fromEntries([...expected].map(([name, text]) => [join(dir, name), text])));
  t.equal(await readFile(lineagePath, 'utf8'), renderLineage(after));
});

t.test(
  'another live writer holds the lock: ERR_OUTPUT_LOCKED naming it, nothing written',
  async (t) => {
    const { dir, lineagePath } = await project(t);
    await writeSyncOutputs(dir, before, { lineagePath });
    const pid = liveProcess(t);
    const lock = { pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'x' };
    await writeFile(join(dir, LOCK), JSON.stringify(lock));
    const previous = await files(dir, join(lineagePath, '..'));
    const started = Date.now();
    const error = await writeSyncOutputs(dir, after, { lineagePath, lockTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    t.match(error, {
      code: 'ERR_OUTPUT_LOCKED',
      file: join(dir, LOCK),
      details: { holder: { pid, hostname: hostname(), startedAt: lock.startedAt } },
    });
    t.ok(Date.now() - started >= 300, 'waited lockTimeoutMs');
    t.same(await files(dir, join(lineagePath, '..')), previous, 'nothing changed, lock kept');
    // Writing the YAML alone takes the same lock.
    await t.rejects(writeSyncOutputs(dir, after, { lockTimeoutMs: 0 }), {
      code: 'ERR_OUTPUT_LOCKED',
    });
  },
);

t.test('a lock whose process is gone is taken over', async (t) => {
  const { dir, lineagePath } = await project(t);
  await mkdir(dir, { recursive: true });
  const lock = { pid: await deadPid(), hostname: hostname(), startedAt: 'x', token: 'y' };
  await writeFile(join(dir, LOCK), JSON.stringify(lock));
  await writeSyncOutputs(dir, before, { lineagePath, lockTimeoutMs: 0 });
  t.same(await readdir(dir), ['tableau_exposures.yml']);
});

t.test(
  'a lock file that is not readable: waited for while young, taken over when old',
  async (t) => {
    const { dir, lineagePath } = await project(t);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, LOCK), '');
    await t.rejects(writeSyncOutputs(dir, before, { lineagePath, lockTimeoutMs: 0 }), {
      code: 'ERR_OUTPUT_LOCKED',
      message: /locked by another writer/,
    });
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK), old, old);
    await writeSyncOutputs(dir, before, { lineagePath, lockTimeoutMs: 0 });
    t.same(await readdir(dir), ['tableau_exposures.yml']);
  },
);

t.test('an abort while waiting for the lock: ERR_ABORTED', async (t) => {
  const { dir, lineagePath } = await project(t);
  await mkdir(dir, { recursive: true });
  const lock = { pid: liveProcess(t), hostname: hostname(), startedAt: 'x', token: 'y' };
  await writeFile(join(dir, LOCK), JSON.stringify(lock));
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('stop')), 100);
  await t.rejects(writeSyncOutputs(dir, before, { lineagePath, signal: controller.signal }), {
    code: 'ERR_ABORTED',
  });
});

/** What a writer killed after committing its journal leaves: staged files and the journal. */
async function interruptedWrite(
  dir: string,
  lineagePath: string,
  next: ExposureLineage,
  pid: number,
): Promise<void> {
  const yaml = renderExposuresYaml(next, { groupBy: 'project' });
  const steps: unknown[] = [];
  for (const name of (await readdir(dir)).filter((n) => !yaml.has(n))) {
    steps.push({ remove: name });
  }
  const stage = async (target: string, text: string, relative: string) => {
    const temp = `.${target.split('/').pop()}.${pid}.0123456789ab.tmp`;
    await writeFile(join(target, '..', temp), text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    steps.push({
      rename: join(relative, temp),
      to: join(relative, target.split('/').pop()!),
      sha256,
    });
  };
  for (const [name, text] of yaml) await stage(join(dir, name), text, '.');
  await stage(lineagePath, renderLineage(next), join('..', '..', 'target'));
  const journal = {
    kind: 'dbt-auto-exposures/output-journal',
    version: 1,
    pid,
    hostname: hostname(),
    startedAt: '2026-01-01T00:00:00.000Z',
    steps,
  };
  await writeFile(join(dir, JOURNAL), JSON.stringify(journal));
}

t.test('the next writer completes an interrupted switch first', async (t) => {
  const { dir, lineagePath } = await project(t);
  await writeSyncOutputs(dir, before, { groupBy: 'project', lineagePath });
  await interruptedWrite(dir, lineagePath, after, await deadPid());
  // Part of the switch was done before the crash: one file already renamed into place.
  const finance = (await readdir(dir)).find((n) => n.startsWith('.tableau__finance.yml.'))!;
  await writeFile(join(dir, 'tableau__finance.yml'), await readFile(join(dir, finance)));
  await rm(join(dir, finance));

  // The next call writes `after` again: completing the switch leaves it nothing to do.
  const result = await writeSyncOutputs(dir, after, { groupBy: 'project', lineagePath });
  t.same(result.written, [], 'the interrupted switch was completed before planning');
  const expected = renderExposuresYaml(after, { groupBy: 'project' });
  t.same(
    await files(dir),
    Object.fromEntries([...expected].map(([name, text]) => [join(dir, name), text])),
    'the new set, and no journal, lock or temporary file',
  );
  t.same(await loadLineage(lineagePath), after);
  t.same(await readdir(join(lineagePath, '..')), ['l.json']);
});

t.test('a journal that cannot be completed or read: the next full write still wins', async (t) => {
  const { dir, lineagePath } = await project(t);
  await writeSyncOutputs(dir, before, { groupBy: 'project', lineagePath });
  await interruptedWrite(dir, lineagePath, after, await deadPid());
  // A staged file lost (deleted by hand): that file of the set cannot be switched.
  const lost = (await readdir(dir)).find((n) => n.startsWith('.tableau__marketing.yml.'))!;
  await rm(join(dir, lost));
  const result = await writeSyncOutputs(dir, after, { groupBy: 'project', lineagePath });
  t.same(result.written, [join(dir, 'tableau__marketing.yml')], 'rewritten by the full write');
  t.same(Object.keys(await files(dir)).length, 2);

  await writeFile(join(dir, JOURNAL), 'not json');
  await writeSyncOutputs(dir, before, { groupBy: 'project', lineagePath });
  t.same(await readdir(dir), ['tableau__finance.yml', 'tableau__sales.yml']);
  t.same(await loadLineage(lineagePath), before);
});

t.test('temporary files of dead writers are removed, a live writer’s are kept', async (t) => {
  const { dir, lineagePath } = await project(t);
  await mkdir(dir, { recursive: true });
  const dead = await deadPid();
  const live = liveProcess(t);
  const stale = [
    `.tableau__x.yml.${dead}.0123456789ab.tmp`,
    `.tableau_exposures.yml.${dead}.0123456789ab.tmp`,
    `.${JOURNAL}.${dead}.0123456789ab.tmp`,
  ];
  const kept = [
    `.tableau__x.yml.${live}.0123456789ab.tmp`,
    `.other.yml.${dead}.0123456789ab.tmp`,
    `.tableau__x.yml.${dead}.not-ours.tmp`,
  ];
  for (const name of [...stale, ...kept]) await writeFile(join(dir, name), 'x');
  await mkdir(join(lineagePath, '..'), { recursive: true });
  await writeFile(join(lineagePath, '..', `.l.json.${dead}.0123456789ab.tmp`), 'x');
  await writeSyncOutputs(dir, before, { lineagePath });
  t.same((await readdir(dir)).sort(), [...kept, 'tableau_exposures.yml'].sort());
  t.same(await readdir(join(lineagePath, '..')), ['l.json']);
});

t.test('a failure before the switch leaves every previous file and nothing else', async (t) => {
  const { dir, lineagePath } = await project(t);
  await writeSyncOutputs(dir, before, { groupBy: 'project', lineagePath });
  const previous = await files(dir, join(lineagePath, '..'));
  // The extra file's directory is a file: staging it fails after the YAML files were staged.
  const blocked = join(dir, '..', 'blocked');
  await writeFile(blocked, '');
  const error = await writeSyncOutputs(dir, after, {
    groupBy: 'project',
    lineagePath,
    extraFiles: [{ path: join(blocked, 'x.json'), data: '{}' }],
  }).catch((e: unknown) => e);
  t.match(error, { code: 'ERR_OUTPUT_WRITE', file: join(blocked, 'x.json') });
  t.same(
    await files(dir, join(lineagePath, '..')),
    previous,
    'no staged file, journal or lock left',
  );

  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await t.rejects(
    writeSyncOutputs(dir, after, { groupBy: 'project', lineagePath, signal: controller.signal }),
    { code: 'ERR_ABORTED' },
  );
  t.same(await files(dir, join(lineagePath, '..')), previous);
});

t.test('two outputs at one path: ERR_INVALID_OPTION before any I/O', async (t) => {
  const { dir, lineagePath } = await project(t);
  await t.rejects(
    writeSyncOutputs(dir, before, { lineagePath: join(dir, 'tableau_exposures.yml') }),
    { code: 'ERR_INVALID_OPTION', field: 'lineagePath' },
  );
  await t.rejects(
    writeSyncOutputs(dir, before, { lineagePath, extraFiles: [{ path: lineagePath, data: '' }] }),
    { code: 'ERR_INVALID_OPTION', field: 'lineagePath' },
  );
  await t.rejects(
    writeSyncOutputs(dir, before, { lineagePath, extraFiles: [{ path: '', data: '' }] }),
    { code: 'ERR_INVALID_OPTION', field: 'extraFiles[0].path' },
  );
  const badName = { ...before, exposures: [{ ...before.exposures[0]!, name: 'not-a-dbt-name' }] };
  await t.rejects(writeSyncOutputs(dir, badName, { lineagePath }), {
    code: 'ERR_LINEAGE_SCHEMA',
  });
  t.same(await readdir(join(dir, '..', '..')), [], 'nothing created');
});

t.test('dryRun: what a write would do, with every check, and nothing written', async (t) => {
  const { dir, lineagePath } = await project(t);
  const options = { groupBy: 'project' as const, lineagePath };
  await writeSyncOutputs(dir, before, options);
  const onDisk = await files(dir, join(lineagePath, '..'));

  const planned = await writeSyncOutputs(dir, after, { ...options, dryRun: true });
  t.same(await files(dir, join(lineagePath, '..')), onDisk, 'nothing written, no lock left');
  const real = await writeSyncOutputs(dir, after, options);
  t.same(planned, real, 'the dry run announced exactly what the write then did');
  t.ok(real.written.includes(lineagePath) && real.removed.length > 0, JSON.stringify(real));

  const again = await writeSyncOutputs(dir, after, { ...options, dryRun: true });
  t.same(again.written, [], 'nothing would change');

  // The checks still refuse: a hand-written exposure with a name about to be written.
  await writeFile(
    join(dir, 'hand.yml'),
    'version: 2\nexposures:\n  - name: c_dash\n    type: dashboard\n',
  );
  const onDiskNow = await files(dir, join(lineagePath, '..'));
  await t.rejects(writeSyncOutputs(dir, after, { ...options, dryRun: true }), {
    code: 'ERR_EXPOSURE_NAME_TAKEN',
  });
  t.same(await files(dir, join(lineagePath, '..')), onDiskNow);
});

t.test('the YAML alone (no lineagePath) is a set of its own', async (t) => {
  const { dir } = await project(t);
  const result = await writeSyncOutputs(dir, before);
  t.same(result.written, [join(dir, 'tableau_exposures.yml')]);
  t.same(Object.keys(await files(dir)), [join(dir, 'tableau_exposures.yml')]);
});
