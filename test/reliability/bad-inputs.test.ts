/**
 * Runs the bad-input corpus (bad-input-table.ts): a coded error or a correct, safe result for
 * each entry; never a crash, hang, unbounded memory or a temporary file left behind.
 */
import t from 'tap';
import { DbtAutoExposuresError } from '../../src/errors.js';
import { BAD_INPUTS } from './bad-input-table.js';
import { leftovers, scratch } from './harness.js';

t.test('bad-input corpus', async (t) => {
  for (const input of BAD_INPUTS) {
    t.test(`${input.through}: ${input.name}`, async (t) => {
      const dir = await scratch(t);
      let value: unknown;
      let error: unknown;
      try {
        value = await input.run(dir);
      } catch (caught) {
        error = caught;
      }
      if ('code' in input.expect) {
        t.type(error, DbtAutoExposuresError, `a coded error, not ${String(error)}`);
        t.equal((error as DbtAutoExposuresError).code, input.expect.code);
        if (input.expect.field) t.match((error as DbtAutoExposuresError).field, input.expect.field);
        const named = (error as DbtAutoExposuresError).file ?? '';
        if (input.run.toString().includes('file(')) t.ok(named.startsWith(dir), 'names the file');
      } else {
        t.equal(error, undefined, `no error: ${String(error)}`);
        input.expect.ok(t, value);
      }
      t.same(await leftovers(dir), [], 'no temporary file');
    });
  }
});
