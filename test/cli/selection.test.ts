/**
 * dbt's selection syntax against the example project's manifest and the lineage a sync of its
 * snapshot writes, with the expected sets written by hand from the project's graph:
 *
 *   sources jaffle_raw.{orders,customers,payments}
 *   jaffle_raw.orders → stg_orders → int_order_payments (ephemeral) ← stg_payments ← jaffle_raw.payments
 *   int_order_payments → orders (tag finance) → customers.v1/v2 (← stg_customers), Revenue_By_Country
 *   (tag finance, ← seed country_codes), weekly_finance_report (hand-written exposure), two tests
 *   jaffle_raw.payments → stg_refunds → refunds (tag finance); jaffle_raw.customers → customers_snapshot
 *   Tableau exposures: customer_health (country_codes, customers_snapshot), executive_kpis
 *   (Revenue_By_Country, customers.v2, orders, jaffle_raw.payments), finance_forecast (orders),
 *   ops_live_monitor (stg_orders), refund_tracker (refunds), sales_overview (customers.v2, orders)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { select, selectionGraph } from '../../src/cli/selection.js';
import { loadLineage, loadManifest } from '../../src/index.js';
import { captureIo, copyExample, runCli } from './helpers.js';

/** A synced copy of the example project, and its selection graph. */
async function synced(t: Parameters<typeof copyExample>[0]) {
  const project = await copyExample(t);
  const snapshot = join(project, 'tableau-snapshot.json');
  const code = await run(['sync', '--snapshot', snapshot], captureIo({}, project).io);
  if (code !== 0) throw new Error(`sync exited ${code}`);
  const manifest = await loadManifest(join(project, 'target', 'manifest.json'));
  const lineage = await loadLineage(join(project, 'models', 'exposures', 'tableau_lineage.json'));
  return { project, graph: selectionGraph(manifest, [lineage]) };
}

/** Unique ids without the project name, sorted: `model.orders`. */
const short = (ids: Iterable<string>) =>
  [...ids].map((id) => id.replace('.jaffle_tableau.', '.')).sort();

const cases: [string[], string[]][] = [
  [['orders'], ['model.orders']],
  [['customers.v2'], ['model.customers.v2']],
  [['CUSTOMERS'], ['model.customers.v1', 'model.customers.v2']],
  [['marts.orders'], ['model.orders']],
  [['seed.jaffle_tableau.country_codes'], ['seed.country_codes']],
  // A folder of the fqn (sources there need source:, see below).
  [
    ['staging'],
    ['model.stg_customers', 'model.stg_orders', 'model.stg_payments', 'model.stg_refunds'],
  ],
  [
    ['+orders'],
    [
      'model.int_order_payments',
      'model.orders',
      'model.stg_orders',
      'model.stg_payments',
      'source.jaffle_raw.orders',
      'source.jaffle_raw.payments',
    ],
  ],
  [
    ['orders+'],
    [
      'exposure.executive_kpis',
      'exposure.finance_forecast',
      'exposure.sales_overview',
      'exposure.weekly_finance_report',
      'model.Revenue_By_Country',
      'model.customers.v1',
      'model.customers.v2',
      'model.orders',
      'test.not_null_customers_v2_customer_id.9a8b7c6d5e',
      'test.not_null_orders_order_id.4f1e2d3c5b',
    ],
  ],
  [['tag:finance'], ['model.Revenue_By_Country', 'model.orders', 'model.refunds']],
  [
    ['path:models/staging'],
    [
      'model.stg_customers',
      'model.stg_orders',
      'model.stg_payments',
      'model.stg_refunds',
      'source.jaffle_raw.customers',
      'source.jaffle_raw.orders',
      'source.jaffle_raw.payments',
    ],
  ],
  [['path:models/marts/orders.sql'], ['model.orders']],
  [['exposure:sales_overview'], ['exposure.sales_overview']],
  [
    ['exposure:*'],
    [
      'exposure.customer_health',
      'exposure.executive_kpis',
      'exposure.finance_forecast',
      'exposure.ops_live_monitor',
      'exposure.refund_tracker',
      'exposure.sales_overview',
      'exposure.weekly_finance_report',
    ],
  ],
  [
    ['source:jaffle_raw'],
    ['source.jaffle_raw.customers', 'source.jaffle_raw.orders', 'source.jaffle_raw.payments'],
  ],
  [['source:jaffle_raw.payments'], ['source.jaffle_raw.payments']],
  [['jaffle_raw.payments'], ['source.jaffle_raw.payments']],
  [['resource_type:seed'], ['seed.country_codes']],
  // Unions: a space inside one value, or --select repeated.
  [['orders customers.v1'], ['model.customers.v1', 'model.orders']],
  [
    ['orders', 'refunds'],
    ['model.orders', 'model.refunds'],
  ],
  // Intersections: a comma joins atoms of one term.
  [['tag:finance,+customers'], ['model.orders']],
  [
    ['tag:finance,path:models/marts', 'stg_refunds'],
    ['model.Revenue_By_Country', 'model.orders', 'model.refunds', 'model.stg_refunds'],
  ],
  [
    ['@stg_refunds'],
    ['exposure.refund_tracker', 'model.refunds', 'model.stg_refunds', 'source.jaffle_raw.payments'],
  ],
];

t.test('every selector form selects the hand-written set', async (t) => {
  const { graph } = await synced(t);
  for (const [selectors, expected] of cases) {
    t.same(short(select(graph, selectors)), [...expected].sort(), selectors.join(' | '));
  }
});

t.test('a name, tag, method or path that matches nothing: exit 2 with the closest', async (t) => {
  const { graph } = await synced(t);
  const wrong: [string, RegExp][] = [
    ['ordrs', /--select: no dbt node or exposure matches "ordrs"; did you mean "orders"\?/],
    ['tag:finanse', /no tag matches "tag:finanse"; did you mean "finance"\?/],
    ['tg:finance', /unknown selector method "tg"; did you mean "tag"\?/],
    ['exposure:sales_overveiw', /no exposure matches .*; did you mean "sales_overview"\?/],
    ['path:models/stagin', /no path matches .*; did you mean "models\/staging"/],
    ['2+orders', /depth limits on \+ are not supported/],
  ];
  for (const [selector, message] of wrong) {
    t.throws(() => select(graph, [selector]), { code: 'ERR_INVALID_OPTION', message }, selector);
  }
});

t.test('impact -s, --exclude, JSON output, exit codes', async (t) => {
  const { project } = await synced(t);
  const names = async (args: string[]) => {
    const r = await runCli(['impact', ...args, '--output', 'json'], { cwd: project });
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    t.equal(lines.length, 1, 'one JSON object on stdout');
    return (JSON.parse(lines[0]!) as { exposures: { name: string }[] }).exposures.map(
      (e) => e.name,
    );
  };
  t.same(await names(['-s', 'stg_refunds']), ['refund_tracker']);
  t.same(await names(['--select', 'tag:finance,+customers']), [
    'executive_kpis',
    'finance_forecast',
    'sales_overview',
  ]);
  t.same(await names(['-s', 'orders', 'stg_refunds']), [
    'executive_kpis',
    'finance_forecast',
    'refund_tracker',
    'sales_overview',
  ]);
  t.same(
    await names(['-s', 'orders+', '--exclude', 'exposure:finance_forecast']),
    ['executive_kpis', 'sales_overview'],
    '--exclude removes from the result',
  );
  t.same(await names(['-s', 'exposure:customer_health']), ['customer_health']);
  const typo = await runCli(['impact', '-s', 'ordrs'], { cwd: project });
  t.equal(typo.code, 2, 'a typo fails the CI check');
  t.match(typo.stderr, /did you mean "orders"\?/);
  t.equal(typo.stdout, '');
  const viaEnv = await runCli(['impact', '--output', 'json'], {
    cwd: project,
    env: { DBT_AUTO_EXPOSURES_SELECT: 'stg_refunds' },
  });
  t.equal(viaEnv.code, 0, viaEnv.stderr);
  t.match(JSON.parse(viaEnv.stdout), { exposures: [{ name: 'refund_tracker' }] });
});

t.test('sync -s updates only the selected exposures', async (t) => {
  const dir = await copyExample(t);
  const yaml = join(dir, 'models', 'exposures', 'tableau_exposures.yml');
  const snap = join(dir, 'tableau-snapshot.json');
  const first = captureIo({}, dir);
  t.equal(await run(['sync', '--snapshot', snap, '-s', 'exposure:sales_overview'], first.io), 0);
  t.match(first.stdout(), 'First sync: 1 exposure added.\n  + sales_overview\n');
  t.match(await readFile(yaml, 'utf8'), 'name: sales_overview');
  t.notMatch(await readFile(yaml, 'utf8'), 'name: finance_forecast');
  const second = captureIo({}, dir);
  t.equal(await run(['sync', '--snapshot', snap, '--exclude', 'refunds+'], second.io), 0);
  t.match(second.stdout(), 'Changes since the last sync: 4 added, 0 removed, 0 changed.');
  t.notMatch(await readFile(yaml, 'utf8'), 'name: refund_tracker');
  t.match(await readFile(yaml, 'utf8'), 'name: finance_forecast');
});
