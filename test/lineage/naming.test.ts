import { createHash } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import {
  assignExposureNames,
  isValidExposureName,
  slugifyExposureName,
} from '../../src/lineage/naming.js';

const hash6 = (luid: string) => createHash('sha256').update(luid).digest('hex').slice(0, 6);
/** dbt-core's own check (`re.match(r"[\w-]+$", name)`) plus the documented rule. */
const dbtAccepts = (name: string) => /^[A-Za-z0-9_-]+$/.test(name) && /^[a-z0-9_]+$/.test(name);

t.test('slugs: folded, snake_case, bounded, letter first', async (t) => {
  t.equal(slugifyExposureName('Sales Overview'), 'sales_overview');
  t.equal(slugifyExposureName('  Café — Umsätze / Größe  '), 'cafe_umsatze_grosse');
  t.equal(slugifyExposureName('Ærø Łódź Straße Þing œuvre'), 'aero_lodz_strasse_thing_oeuvre');
  t.equal(slugifyExposureName('2024 Revenue'), 'wb_2024_revenue');
  t.equal(slugifyExposureName('数据看板'), 'workbook');
  t.equal(slugifyExposureName('___'), 'workbook');
  t.equal(slugifyExposureName('ﬁnance ＫＰＩ'), 'finance_kpi');
  t.equal(slugifyExposureName('a'.repeat(100)), 'a'.repeat(64));
  t.equal(slugifyExposureName(`${'a'.repeat(63)} b`), 'a'.repeat(63));
  t.equal(slugifyExposureName('key: value # comment', 20), 'key_value_comment');
});

t.test('collisions: every colliding workbook gets a luid suffix', async (t) => {
  const names = assignExposureNames(
    [
      { luid: 'l-1', title: 'Sales' },
      { luid: 'l-2', title: 'sales!' },
      { luid: 'l-3', title: 'Orders' },
      { luid: 'l-4', title: 'Customers' },
      { luid: 'l-5', title: 'Fixed', fixedName: 'orders_2' },
      { luid: 'l-6', title: 'orders 2' },
    ],
    { taken: new Set(['customers']) },
  );
  t.same(Object.fromEntries(names), {
    'l-1': `sales_${hash6('l-1')}`,
    'l-2': `sales_${hash6('l-2')}`,
    'l-3': 'orders',
    'l-4': `customers_${hash6('l-4')}`,
    'l-5': 'orders_2',
    'l-6': `orders_2_${hash6('l-6')}`,
  });
});

t.test('suffixes lengthen while they still collide', async (t) => {
  // Find two luids whose hashes share the first 6 hex characters but not the first 8.
  const byPrefix = new Map<string, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; pair === undefined; i += 1) {
    const luid = `luid-${i}`;
    const prefix = hash6(luid);
    const other = byPrefix.get(prefix);
    if (other !== undefined) pair = [other, luid];
    else byPrefix.set(prefix, luid);
  }
  const [a, b] = pair;
  const full = (l: string) => createHash('sha256').update(l).digest('hex');
  const names = assignExposureNames([
    { luid: a, title: 'Same' },
    { luid: b, title: 'Same' },
  ]);
  const length = [8, 10, 12].find((n) => full(a).slice(0, n) !== full(b).slice(0, n))!;
  t.same(
    [names.get(a), names.get(b)],
    [`same_${full(a).slice(0, length)}`, `same_${full(b).slice(0, length)}`],
  );
});

t.test('suffixed names stay within the length bound', async (t) => {
  const names = assignExposureNames([
    { luid: 'x', title: 'a'.repeat(80) },
    { luid: 'y', title: 'a'.repeat(80) },
  ]);
  t.equal(names.get('x'), `${'a'.repeat(57)}_${hash6('x')}`);
  t.equal(names.get('x')?.length, 64);
});

t.test('property: valid, unique, and independent of input order', async () => {
  const request = fc.record({
    luid: fc.uuid(),
    title: fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('Sales', 'sales', 'SALES!', '2024', 'Größe', 'Ærø', '', 'customers'),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
    ),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(request, { selector: (r) => r.luid, maxLength: 30 }),
      fc.array(fc.constantFrom('customers', 'sales', 'wb_2024', 'workbook'), { maxLength: 4 }),
      fc.infiniteStream(fc.nat()),
      (requests, takenList, randoms) => {
        const taken = new Set<string>(takenList);
        const names = assignExposureNames(requests, { taken });
        const values = [...names.values()];
        if (new Set(values).size !== requests.length) return false;
        for (const name of values) {
          if (!isValidExposureName(name) || !dbtAccepts(name) || taken.has(name)) return false;
        }
        const shuffled = [...requests];
        const it = randoms[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i -= 1) {
          const j = it.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const again = assignExposureNames(shuffled, { taken });
        return requests.every((r) => again.get(r.luid) === names.get(r.luid));
      },
    ),
    { numRuns: 300 },
  );
});
