/**
 * docs/reliability.md stays in sync with the test tables: the per-operation scenario counts, the
 * total of faults injected and the number of bad inputs are derived from the tables here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { BAD_INPUTS } from './bad-input-table.js';
import { scenarioCounts } from './fault-table.js';

const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');

t.test('scenario counts per operation', async (t) => {
  const counts = scenarioCounts();
  for (const [operation, count] of Object.entries(counts)) {
    const row = new RegExp(`^\\| ${operation.replace(/[()]/g, '\\$&')} \\| (\\d+) \\|$`, 'm');
    t.equal(Number(row.exec(doc)?.[1]), count, operation);
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  t.equal(Number(/Faults injected: \*\*(\d+)\*\*/.exec(doc)?.[1]), total, 'faults injected');
});

t.test('bad inputs tried', async (t) => {
  t.equal(Number(/Bad inputs tried: \*\*(\d+)\*\*/.exec(doc)?.[1]), BAD_INPUTS.length);
  t.equal(new Set(BAD_INPUTS.map((b) => b.name)).size, BAD_INPUTS.length, 'names unique');
});
