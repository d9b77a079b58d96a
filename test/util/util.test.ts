/** The shared helpers of src/util: one comparator, one graph walk, one zod issue formatter. */
import t from 'tap';
import { z } from 'zod';
import { compareStrings } from '../../src/util/compare.js';
import { closure } from '../../src/util/graph.js';
import { describeValue, firstProblem, formatJsonPath } from '../../src/util/zod-issue.js';

t.test('compareStrings orders by code unit, not locale', async (t) => {
  t.equal(compareStrings('a', 'b'), -1);
  t.equal(compareStrings('b', 'a'), 1);
  t.equal(compareStrings('a', 'a'), 0);
  t.equal(compareStrings('B', 'a'), -1, 'upper case first');
  t.equal(compareStrings('a', 'ab'), -1);
  t.same(['é', 'z', 'e', 'Z'].sort(compareStrings), ['Z', 'e', 'z', 'é']);
});

t.test('closure walks every reachable node once, start included', async (t) => {
  const parents = new Map<string, string[]>([
    ['c', ['b', 'a']],
    ['b', ['a']],
    ['a', []],
    ['loop1', ['loop2']],
    ['loop2', ['loop1']],
  ]);
  t.same([...closure(['c'], parents)].sort(), ['a', 'b', 'c']);
  t.same([...closure(['a'], parents)], ['a']);
  t.same([...closure(['loop1'], parents)].sort(), ['loop1', 'loop2'], 'cycles end');
  t.same(
    [...closure(['unknown'], parents)],
    ['unknown'],
    'a node without entry is its own closure',
  );
  t.same([...closure([], parents)], []);
});

t.test('formatJsonPath and describeValue', async (t) => {
  t.equal(formatJsonPath(['nodes', 'model.x.y', 'schema']), 'nodes["model.x.y"].schema');
  t.equal(formatJsonPath(['results', 3, 'status']), 'results[3].status');
  t.equal(formatJsonPath([]), '(the top level)');
  t.equal(describeValue(undefined), 'nothing (the field is missing)');
  t.equal(describeValue(null), 'null');
  t.equal(describeValue([1]), 'an array');
  t.equal(describeValue('short'), 'the string "short"');
  t.equal(describeValue('x'.repeat(41)), 'a string', 'long strings are not echoed');
  t.equal(describeValue(42), 'number 42');
  t.equal(describeValue({}), 'an object');
  t.equal(describeValue(new Date(Number.NaN)), 'an invalid Date');
  t.equal(describeValue(new Date(0)), 'a Date');
});

t.test('firstProblem names the first offending field under its base path', async (t) => {
  const schema = z.object({ name: z.string({ error: 'a string' }), tags: z.array(z.string()) });
  const value = { name: 42, tags: ['a'] };
  const result = schema.safeParse(value);
  t.notOk(result.success);
  if (result.success) return;
  t.same(firstProblem(result.error, value, ['nodes', 'model.a.b']), {
    field: 'nodes["model.a.b"].name',
    expected: 'a string',
    got: 'number 42',
  });
});
