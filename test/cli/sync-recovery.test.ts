/**
 * sync completes the file switch of a sync killed mid-switch before anything else, and says so;
 * even when it then fails. The journal is written by hand in the format docs/outputs.md
 * documents (real SIGKILLs: test/reliability/output-set-crash.slow.test.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { captureIo, copyExample, exampleProject } from './helpers.js';

const snapshot = join(exampleProject, 'tableau-snapshot.json');
const JOURNAL = '.dbt-auto-exposures.journal.json';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

/** A journal renaming staged copies over `targets` (`lost` ones have no staged file any more). */
async function journal(
  dir: string,
  targets: Record<string, string>,
  lost: string[] = [],
): Promise<number> {
  const pid = await deadPid();
  const steps = [];
  for (const [name, text] of Object.entries(targets)) {
    const temp = `.${name}.${pid}.0123456789ab.tmp`;
    if (!lost.includes(name)) await writeFile(join(dir, temp), text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    steps.push({ rename: temp, to: name, sha256 });
  }
  const body = {
    kind: 'dbt-auto-exposures/output-journal',
    version: 1,
    pid,
    hostname: hostname(),
    startedAt: '2026-01-01T00:00:00.000Z',
    steps,
  };
  await writeFile(join(dir, JOURNAL), JSON.stringify(body));
  return pid;
}

t.test('a failing sync still completes an interrupted switch first', async (t) => {
  const project = await copyExample(t);
  const dir = join(project, 'models', 'exposures');
  const args = ['sync', '--snapshot', snapshot, '--group-by', 'project'];
  t.equal(await run(args, captureIo({}, project).io), 0);
  const sales = `${await readFile(join(dir, 'tableau__sales.yml'), 'utf8')}# switched\n`;
  const pid = await journal(dir, { 'tableau__sales.yml': sales });

  const check = captureIo({}, project);
  t.equal(await run([...args, '--check'], check.io), 0);
  t.match(check.stderr(), `warning: an interrupted sync left ${join(dir, JOURNAL)}`);
  t.ok((await readdir(dir)).includes(JOURNAL), '--check writes nothing');

  const c = captureIo({}, project);
  t.equal(await run(['sync', '--snapshot', join(project, 'missing.json')], c.io), 1);
  t.match(
    c.stderr(),
    `completed the file switch of a sync interrupted at 2026-01-01T00:00:00.000Z (pid ${pid})\n`,
  );
  t.match(c.stderr(), /ERR_SNAPSHOT/);
  t.equal(await readFile(join(dir, 'tableau__sales.yml'), 'utf8'), sales);
  t.notOk(
    (await readdir(dir)).some((n) => n.startsWith('.')),
    'no journal, lock or temp file',
  );
});

t.test('a staged file lost since: a warning, and the sync rewrites the file', async (t) => {
  const project = await copyExample(t);
  const dir = join(project, 'models', 'exposures');
  const args = ['sync', '--snapshot', snapshot, '--group-by', 'project'];
  t.equal(await run(args, captureIo({}, project).io), 0);
  const good = await readFile(join(dir, 'tableau__sales.yml'), 'utf8');
  await writeFile(join(dir, 'tableau__sales.yml'), `${good}# half-switched\n`);
  await journal(dir, { 'tableau__sales.yml': 'never staged' }, ['tableau__sales.yml']);
  const c = captureIo({}, project);
  t.equal(await run(args, c.io), 0, c.stderr());
  t.match(
    c.stderr(),
    `warning: ${join(dir, 'tableau__sales.yml')} could not be completed (its staged file is missing); a successful sync rewrites it`,
  );
  t.equal(await readFile(join(dir, 'tableau__sales.yml'), 'utf8'), good);
  t.match(c.stdout(), 'models/exposures/tableau__sales.yml');
});

t.test('a damaged journal: a warning, and the sync writes its set', async (t) => {
  const project = await copyExample(t);
  const dir = join(project, 'models', 'exposures');
  const args = ['sync', '--snapshot', snapshot, '--group-by', 'project'];
  t.equal(await run(args, captureIo({}, project).io), 0);
  await writeFile(join(dir, JOURNAL), '{"kind": "dbt-auto-exposures/output-journal", "vers');
  const c = captureIo({}, project);
  t.equal(await run(args, c.io), 0, c.stderr());
  t.equal(
    c.stderr(),
    `warning: ${join(dir, JOURNAL)} could not be read; a successful sync rewrites every output\n`,
  );
  t.notOk((await readdir(dir)).includes(JOURNAL));
});
