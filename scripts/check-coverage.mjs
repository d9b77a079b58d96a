// Enforces the coverage floor of the README ("Coverage") on tap's json-summary report.
// tap itself only knows "100% or allow incomplete"; we want a high, explicit, enforced floor.
import { readFileSync } from 'node:fs';

const FLOOR = { lines: 95, statements: 95, functions: 95, branches: 90 };
const summary = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'));
const failures = [];
for (const [metric, floor] of Object.entries(FLOOR)) {
  const pct = summary.total[metric].pct;
  if (typeof pct !== 'number' || pct < floor) failures.push(`${metric} ${pct}% < ${floor}%`);
}
if (failures.length > 0) {
  console.error(`coverage below the floor: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(
  `coverage ok: ${Object.keys(FLOOR)
    .map((m) => `${m} ${summary.total[m].pct}%`)
    .join(', ')}`,
);
