/** readJsonFile / parseJsonText: one BOM rule, one abort rule, problems handed to the caller. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DbtAutoExposuresError } from '../../src/errors.js';
import { type JsonProblem, parseJsonText, readJsonFile } from '../../src/util/json-file.js';

class Problem extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.kind);
  }
}
const fail = (problem: JsonProblem) => new Problem(problem);

async function problemOf(run: () => unknown): Promise<JsonProblem> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Problem) return error.problem;
    throw error;
  }
  throw new Error('expected a problem');
}

t.test('reads JSON, with or without a byte order mark', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'json-file-'));
  await writeFile(join(dir, 'a.json'), '{"a":1}');
  await writeFile(join(dir, 'bom.json'), '\ufeff{"a":2}');
  t.same(await readJsonFile(join(dir, 'a.json'), fail), { a: 1 });
  t.same(await readJsonFile(join(dir, 'bom.json'), fail), { a: 2 });
});

t.test('missing, unreadable and aborted files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'json-file-'));
  t.same(await problemOf(() => readJsonFile(join(dir, 'nope.json'), fail)), { kind: 'missing' });
  t.same(await problemOf(() => readJsonFile(join(dir, 'nope', 'x.json'), fail)), {
    kind: 'missing',
  });
  const unreadable = await problemOf(() => readJsonFile(dir, fail));
  t.equal(unreadable.kind, 'unreadable', 'a directory cannot be read as a file');
  await writeFile(join(dir, 'a.json'), '{}');
  const controller = new AbortController();
  controller.abort();
  await t.rejects(readJsonFile(join(dir, 'a.json'), fail, { signal: controller.signal }), {
    constructor: DbtAutoExposuresError,
    code: 'ERR_ABORTED',
  });
});

t.test('text that is not JSON: position from the parser, truncation told apart', async (t) => {
  t.same(await problemOf(() => parseJsonText('', fail)), { kind: 'empty' });
  t.same(await problemOf(() => parseJsonText('\ufeff \n', fail)), { kind: 'empty' });
  const trailing = await problemOf(() => parseJsonText('{\n  "a": 1,\n}', fail));
  t.match(trailing, { kind: 'not_json', line: 3, column: 1, truncated: false });
  const cut = await problemOf(() => parseJsonText('{"a":\n[1,', fail));
  t.match(cut, { kind: 'not_json', line: 2, column: 4, truncated: true });
  const cutInString = await problemOf(() => parseJsonText('{"a":\n"ab', fail));
  t.match(cutInString, { kind: 'not_json', line: 2, column: 4, truncated: true });
  const token = await problemOf(() => parseJsonText('nope', fail));
  t.match(token, { kind: 'not_json', truncated: false });
  t.type((token as { message: string }).message, 'string');
});
