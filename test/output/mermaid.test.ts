import t from 'tap';
import { mermaidLabel, renderMermaid } from '../../src/output/mermaid.js';
import { exposure, lineage, ref, sampleLineage } from './sample-lineage.js';

t.test('the sample lineage as a flowchart (snapshot)', async (t) => {
  const text = renderMermaid(sampleLineage());
  t.ok(text.startsWith('flowchart LR\n'));
  t.match(text, '  n_model_jaffle_shop_orders["orders"]:::model\n');
  t.match(text, '  n_source_jaffle_shop_raw_customers["raw.customers"]:::source\n');
  t.match(text, '  n_model_jaffle_shop_customers_v2["customers v2"]:::model\n');
  t.match(text, '  n_model_dbt_utils_pkg_calendar["dbt_utils_pkg.calendar"]:::model\n');
  t.match(text, '  e_sales_overview{{"Sales Overview"}}:::dashboard\n');
  t.match(text, '  n_model_jaffle_shop_orders --> e_sales_overview\n');
  t.match(text, '  n_model_jaffle_shop_customers_v2 --> e_customer_churn\n');
  t.matchSnapshot(text, 'sample lineage');
});

t.test('deterministic under shuffled input', async (t) => {
  const a = sampleLineage();
  const b = sampleLineage();
  b.exposures.reverse();
  for (const e of b.exposures) e.dependsOn.reverse();
  t.equal(renderMermaid(b), renderMermaid(a));
});

t.test('select: by model name or unique id', async (t) => {
  const byName = renderMermaid(sampleLineage(), { select: ['orders'] });
  t.match(byName, 'n_model_jaffle_shop_orders --> e_sales_overview');
  t.notMatch(byName, 'customer_churn');
  t.notMatch(byName, 'raw.customers');
  const byId = renderMermaid(sampleLineage(), { select: ['model.jaffle_shop.customers.v2'] });
  t.match(byId, 'e_customer_churn');
  t.notMatch(byId, 'e_sales_overview');
  t.equal(
    renderMermaid(sampleLineage(), { select: ['nothing'] })
      .split('\n')[1]
      ?.startsWith('  classDef'),
    true,
  );
});

t.test('labels are escaped and ids sanitised and unique', async (t) => {
  const l = lineage([
    exposure('end', {
      label: 'Revenue "Q1" <b>[draft]</b> {x} (y) #1 & a|b `c` \\ ;\nnext',
      dependsOn: [
        { uniqueId: 'model.p.a_b', ref: ref('a_b'), tables: [], match: 'exact' },
        { uniqueId: 'model.p.a.b', ref: ref('a.b', 'p'), tables: [], match: 'exact' },
      ],
    }),
  ]);
  const text = renderMermaid(l, { direction: 'TB', fence: true });
  t.ok(text.startsWith('```mermaid\nflowchart TB\n'));
  t.ok(text.endsWith('\n```\n'));
  t.match(
    text,
    'e_end{{"Revenue #34;Q1#34; #60;b#62;#91;draft#93;#60;/b#62; #123;x#125; #40;y#41; #35;1 #38; a#124;b #96;c#96; #92; #59; next"}}',
  );
  t.match(text, '  n_model_p_a_b["p.a.b"]:::model\n');
  t.match(text, '  n_model_p_a_b_2["a_b"]:::model\n');
  t.equal(mermaidLabel('plain'), 'plain');
});

t.test(
  'a dashboard without dependencies still appears; a seed of another package is named with it',
  async (t) => {
    const l = lineage([
      exposure('lonely'),
      exposure('odd', {
        dependsOn: [{ uniqueId: 'seed.p.s', ref: ref('s', 'p'), tables: [], match: 'exact' }],
      }),
    ]);
    const text = renderMermaid(l);
    t.match(text, 'e_lonely{{"lonely"}}:::dashboard');
    t.match(text, 'n_seed_p_s["p.s"]:::seed');
  },
);
