import { join } from 'node:path';
import t from 'tap';
import {
  allExposures,
  impactedExposures,
  rebuiltNodes,
  renderImpactMarkdown,
  renderImpactText,
  restrictLineage,
} from '../../src/cli/impact-query.js';
import { loadLineage, loadManifest, loadRunResults } from '../../src/index.js';
import { closure } from '../../src/util/graph.js';
import { exampleProject, jaffleLineage } from './helpers.js';

const P = 'jaffle_tableau';
const manifest = await loadManifest(join(exampleProject, 'target', 'manifest.json'));
const lineage = await loadLineage(jaffleLineage);

t.test(
  'impactedExposures: direct and indirect readers, sorted, with the refs they read',
  async (t) => {
    const items = impactedExposures(lineage, closure([`model.${P}.stg_orders`], manifest.childMap));
    t.same(
      items.map((i) => [i.exposure.name, i.via]),
      [
        ['ops_live_monitor', ["ref('stg_orders')"]],
        ['sales_overview', ["ref('customers', v=2)", "ref('orders')"]],
      ],
    );
    t.same(impactedExposures(lineage, new Set([`source.${P}.jaffle_raw.orders`])), []);
    t.same(
      impactedExposures(lineage, new Set(), new Set([`exposure.${P}.sales_overview`])).map((i) => [
        i.exposure.name,
        i.via,
      ]),
      [['sales_overview', ["ref('customers', v=2)", "ref('orders')"]]],
      'an exposure selected itself reads every dependency',
    );
    t.same(
      allExposures(lineage).map((i) => i.exposure.name),
      ['customer_health', 'ops_live_monitor', 'sales_overview'],
    );
  },
);

t.test('rebuiltNodes: models, seeds and snapshots that succeeded', async (t) => {
  const run = await loadRunResults(join(exampleProject, 'target', 'run_results.json'));
  t.same(rebuiltNodes(run), [
    `model.${P}.Revenue_By_Country`,
    `model.${P}.customers.v1`,
    `model.${P}.customers.v2`,
    `model.${P}.orders`,
    `model.${P}.stg_customers`,
    `model.${P}.stg_orders`,
    `model.${P}.stg_payments`,
    `seed.${P}.country_codes`,
    `snapshot.${P}.customers_snapshot`,
  ]);
});

t.test('text and markdown renderings', async (t) => {
  const items = impactedExposures(lineage, new Set([`model.${P}.stg_orders`]));
  t.equal(
    renderImpactText(items, 'stg_orders'),
    [
      '1 exposure depend on stg_orders:',
      '  Ops Live Monitor (ops_live_monitor) — dashboard, owner Kim Osei',
      "    reads ref('stg_orders')",
      '',
    ].join('\n'),
  );
  t.equal(renderImpactText([], 'x'), '0 exposures depend on x.\n');
  const all = allExposures(lineage);
  t.match(
    renderImpactText(all, null),
    /^3 exposures:\n {2}Customer Health \(customer_health\) — dashboard, owner Ada Park <ada.park@jaffle.example>\n {4}https:\/\/tableau.example\/#\/site\/jaffle\/workbooks\/103\n/,
  );
  t.equal(
    renderImpactMarkdown(impactedExposures(lineage, new Set([`model.${P}.orders`])), 'orders|x'),
    [
      '### Tableau exposures downstream of orders\\|x',
      '',
      '| Dashboard | Exposure | Reads | Owner |',
      '|---|---|---|---|',
      "| [Sales Overview](https://tableau.example/#/site/jaffle/workbooks/101) | `sales_overview` | `ref('orders')` | Ada Park &lt;ada\\.park@jaffle\\.example&gt; |",
      '',
    ].join('\n'),
  );
  t.equal(renderImpactMarkdown([], null), '### Tableau exposures\n\nNone.\n');
  t.match(renderImpactMarkdown(all, null), '| Ops Live Monitor | `ops_live_monitor` |');
  t.same(
    restrictLineage(lineage, items).exposures.map((e) => e.name),
    ['ops_live_monitor'],
  );
});
