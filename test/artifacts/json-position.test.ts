import fc from 'fast-check';
import t from 'tap';
import { jsonErrorIndex, scanJson, textPosition } from '../../src/artifacts/json-position.js';

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (error) {
    return error;
  }
  throw new Error(`valid JSON: ${text}`);
}

t.test('scanJson accepts valid JSON', async (t) => {
  for (const text of [
    '{}',
    '[]',
    ' { "a" : [1, -2.5e+3, 0, 0.5, 1E2, true, false, null, "x\\n\\u00e9\\"" ] , "b": {} } ',
    '"s"',
    '3',
  ]) {
    t.equal(scanJson(text), -1, text);
  }
});

t.test('scanJson finds the first offending character', async (t) => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['{', 1],
    ['{"a":', 5],
    ['{"a" 1}', 5],
    ['{"a":1,}', 7],
    ['[1,2', 4],
    ['[1 2]', 3],
    ['{"a":"b', 7],
    ['{"a":tru}', 8],
    ['{"a":nul', 8],
    ['{} x', 3],
    ["{'a':1}", 1],
    ['["\\x"]', 3],
    ['["\\u12G4"]', 6],
    ['["\\u12', 6],
    ['["\\', 3],
    ['["a\u0001"]', 3],
    ['[-]', 2],
    ['[1.]', 3],
    ['[1e]', 3],
    ['[01]', 2],
    ['{1:2}', 1],
  ];
  for (const [text, index] of cases) t.equal(scanJson(text), index, JSON.stringify(text));
});

t.test('scanJson agrees with JSON.parse on whether text is valid', async (t) => {
  fc.assert(
    fc.property(fc.json(), fc.nat(), fc.nat(), (json, cut, at) => {
      if (scanJson(json) !== -1) return false;
      const truncated = json.slice(0, cut % (json.length + 1));
      const mutated = `${json.slice(0, at % (json.length + 1))}'${json.slice(at % (json.length + 1))}`;
      for (const text of [truncated, mutated]) {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if ((scanJson(text) === -1) !== valid) return false;
      }
      return true;
    }),
  );
  t.pass('property held');
});

t.test('jsonErrorIndex uses V8 positions, else scans', async (t) => {
  t.equal(jsonErrorIndex('[1 2]', parseError('[1 2]')), 3);
  t.equal(jsonErrorIndex('{"a":', parseError('{"a":')), 5);
  t.equal(jsonErrorIndex("{'a':1}", parseError("{'a':1}")), 1);
  t.equal(jsonErrorIndex('xyz', new Error('no position here')), 0);
  t.equal(jsonErrorIndex('[1]', 'not an error'), 3);
  t.equal(jsonErrorIndex('[1', new Error('at position 99')), 2);
});

t.test('textPosition: line, column and UTF-8 byte offset', async (t) => {
  t.same(textPosition('abc', 0), { index: 0, byteOffset: 0, line: 1, column: 1 });
  t.same(textPosition('a\nbc\nd', 3), { index: 3, byteOffset: 3, line: 2, column: 2 });
  t.same(textPosition('a\nbc\nd', 5), { index: 5, byteOffset: 5, line: 3, column: 1 });
  // é is 2 bytes, 😀 is 2 UTF-16 units and 4 bytes
  t.same(textPosition('é😀x', 3), { index: 3, byteOffset: 6, line: 1, column: 4 });
});
