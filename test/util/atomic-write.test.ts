import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LineageError } from '../../src/errors.js';
import {
  type AtomicWriteFs,
  temporaryPathFor,
  writeFileAtomic,
} from '../../src/util/atomic-write.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'dae-atomic-'));
}

/** The real fs, with one named operation replaced by a failure. */
function failing(op: 'mkdir' | 'open' | 'write' | 'sync' | 'close' | 'rename'): AtomicWriteFs {
  const boom = () =>
    Promise.reject(Object.assign(new Error(`injected ${op} failure`), { code: 'EIO' }));
  const real = nodeFs as unknown as AtomicWriteFs;
  return {
    mkdir: op === 'mkdir' ? boom : real.mkdir,
    stat: real.stat,
    rm: real.rm,
    rename: op === 'rename' ? boom : real.rename,
    open: async (path, flags, mode) => {
      if (op === 'open') return boom();
      const handle = await real.open(path, flags, mode);
      return {
        writeFile: op === 'write' ? boom : (data) => handle.writeFile(data),
        sync: op === 'sync' ? boom : () => handle.sync(),
        close:
          op === 'close'
            ? async () => {
                await handle.close();
                return boom();
              }
            : () => handle.close(),
      };
    },
  };
}

t.test('writes a new file, creating parent directories', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'a', 'b', 'out.yml');
  await writeFileAtomic(target, 'hello\n');
  t.equal(await readFile(target, 'utf8'), 'hello\n');
  t.same(await readdir(join(dir, 'a', 'b')), ['out.yml'], 'no temporary file left');
});

t.test('replaces an existing file and keeps its mode', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'out.json');
  await writeFile(target, 'old', { mode: 0o640 });
  await nodeFs.chmod(target, 0o640);
  await writeFileAtomic(target, new TextEncoder().encode('new'));
  t.equal(await readFile(target, 'utf8'), 'new');
  t.equal((await stat(target)).mode & 0o777, 0o640);
});

t.test('an explicit mode wins', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'secret.json');
  await writeFileAtomic(target, '{}', { mode: 0o600 });
  t.equal((await stat(target)).mode & 0o777, 0o600);
});

t.test(
  'target path is a directory: ERR_OUTPUT_WRITE, directory intact, no temp file',
  async (t) => {
    const dir = await tempDir();
    const target = join(dir, 'taken');
    await nodeFs.mkdir(target);
    await writeFile(join(target, 'inside.txt'), 'keep');
    const error = await writeFileAtomic(target, 'data').catch((e: unknown) => e);
    t.ok(error instanceof LineageError);
    t.equal((error as LineageError).code, 'ERR_OUTPUT_WRITE');
    t.equal((error as LineageError).file, target);
    t.match((error as LineageError).message, target);
    t.same((await readdir(dir)).sort(), ['taken']);
    t.equal(await readFile(join(target, 'inside.txt'), 'utf8'), 'keep');
  },
);

for (const op of ['mkdir', 'open', 'write', 'sync', 'close', 'rename'] as const) {
  t.test(`a failing ${op} leaves the previous file intact and no temp file`, async (t) => {
    const dir = await tempDir();
    const target = join(dir, 'exposures.yml');
    await writeFile(target, 'previous content');
    const error = await writeFileAtomic(target, 'new content', { fs: failing(op) }).catch(
      (e: unknown) => e,
    );
    t.ok(error instanceof LineageError, 'a LineageError');
    t.equal((error as LineageError).code, 'ERR_OUTPUT_WRITE');
    t.equal((error as LineageError).file, target);
    t.same((error as LineageError).details, { step: op === 'sync' ? 'fsync' : op });
    t.match(String(((error as LineageError).cause as Error).message), `injected ${op} failure`);
    t.equal(await readFile(target, 'utf8'), 'previous content');
    t.same(await readdir(dir), ['exposures.yml']);
  });
}

t.test('an aborted signal: ERR_ABORTED, nothing written', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'out.yml');
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  const error = await writeFileAtomic(target, 'x', { signal: controller.signal }).catch(
    (e: unknown) => e,
  );
  t.equal((error as LineageError).code, 'ERR_ABORTED');
  t.same(await readdir(dir), []);
});

t.test('abort during the write: ERR_ABORTED, previous file intact, temp removed', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'out.yml');
  await writeFile(target, 'previous');
  const controller = new AbortController();
  const real = nodeFs as unknown as AtomicWriteFs;
  const fs: AtomicWriteFs = {
    ...real,
    mkdir: real.mkdir,
    stat: real.stat,
    rm: real.rm,
    rename: real.rename,
    open: async (path, flags, mode) => {
      const handle = await real.open(path, flags, mode);
      return {
        writeFile: async (data) => {
          await handle.writeFile(data);
          controller.abort();
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
  const error = await writeFileAtomic(target, 'new', { signal: controller.signal, fs }).catch(
    (e: unknown) => e,
  );
  t.equal((error as LineageError).code, 'ERR_ABORTED');
  t.equal(await readFile(target, 'utf8'), 'previous');
  t.same(await readdir(dir), ['out.yml']);
});

t.test('temporary names are unique, hidden and in the same directory', async (t) => {
  const a = temporaryPathFor('/x/y/out.yml');
  const b = temporaryPathFor('/x/y/out.yml');
  t.not(a, b);
  t.match(a, /^\/x\/y\/\.out\.yml\.\d+\.[0-9a-f]{12}\.tmp$/);
});

t.test('concurrent writes to one path leave one complete version', async (t) => {
  const dir = await tempDir();
  const target = join(dir, 'race.txt');
  const versions = Array.from({ length: 8 }, (_, i) => `version ${i}\n`.repeat(1000));
  await Promise.all(versions.map((v) => writeFileAtomic(target, v)));
  t.ok(versions.includes(await readFile(target, 'utf8')));
  t.same(await readdir(dir), ['race.txt']);
});
