/**
 * From a dbt node to the exposure's dependency: `buildExposureLineage` names it with a structured
 * reference, and `renderExposuresYaml` (the only Jinja renderer) writes it as dbt parses it.
 */
import t from 'tap';
import { parse } from 'yaml';
import type { DbtNode } from '../../src/artifacts/types.js';
import { buildExposureLineage, type DbtReference, renderExposuresYaml } from '../../src/index.js';
import { embedded, manifest, node, table, workbook } from '../lineage/helpers/builders.js';

/** The reference and the `depends_on` entry of a workbook reading only `target`. */
function dependencyOf(target: DbtNode, packageName = 'shop'): { ref: DbtReference; jinja: string } {
  const lineage = buildExposureLineage({
    manifest: manifest([target]),
    workbooks: [
      workbook({
        luid: 'wb',
        name: 'W',
        embeddedDatasources: [
          embedded({
            tables: [
              table({ name: 'x', fullName: `analytics.${target.schema}.${target.identifier}` }),
            ],
          }),
        ],
      }),
    ],
    options: { packageName },
  });
  const [dependency] = lineage.exposures[0]!.dependsOn;
  const doc = parse(renderExposuresYaml(lineage), { version: '1.1' });
  return { ref: dependency!.ref, jinja: doc.exposures[0].depends_on[0] };
}

t.test('models, seeds and snapshots of the project: ref(name)', async (t) => {
  const orders = node({
    uniqueId: 'model.shop.orders',
    name: 'orders',
    schema: 's',
    identifier: 'fct_orders',
  });
  t.same(dependencyOf(orders), {
    ref: { kind: 'ref', package: 'shop', name: 'orders', version: null },
    jinja: "ref('orders')",
  });
  for (const resourceType of ['seed', 'snapshot'] as const) {
    const n = node({
      uniqueId: `${resourceType}.shop.raw`,
      resourceType,
      name: 'raw',
      schema: 's',
      identifier: 'raw',
    });
    t.equal(dependencyOf(n).jinja, "ref('raw')", resourceType);
  }
});

t.test('versions and other packages', async (t) => {
  const v2 = node({
    uniqueId: 'model.shop.customers.v2',
    name: 'customers',
    schema: 's',
    identifier: 'customers_v2',
    version: 2,
    latestVersion: 3,
  });
  t.same(dependencyOf(v2), {
    ref: { kind: 'ref', package: 'shop', name: 'customers', version: 2 },
    jinja: "ref('customers', v=2)",
  });
  t.equal(dependencyOf({ ...v2, version: '1.5' }).jinja, "ref('customers', v=1.5)");
  t.equal(dependencyOf({ ...v2, version: 'beta' }).jinja, "ref('customers', v='beta')");
  t.equal(
    dependencyOf({ ...v2, uniqueId: 'model.core.customers.v2', packageName: 'core' }).jinja,
    "ref('core', 'customers', v=2)",
  );
  const seed = node({
    uniqueId: 'seed.pkg.x',
    resourceType: 'seed',
    packageName: 'pkg',
    name: 'x',
    schema: 's',
    identifier: 'x',
    version: 3,
  });
  t.same(
    dependencyOf(seed),
    {
      ref: { kind: 'ref', package: 'pkg', name: 'x', version: null },
      jinja: "ref('pkg', 'x')",
    },
    'only models carry a version',
  );
  const orders = node({
    uniqueId: 'model.shop.orders',
    name: 'orders',
    schema: 's',
    identifier: 'o',
  });
  t.equal(dependencyOf(orders, 'analytics').jinja, "ref('shop', 'orders')", 'another root project');
});

t.test('sources: source(source_name, name)', async (t) => {
  const src = node({
    uniqueId: 'source.shop.raw.orders',
    resourceType: 'source',
    sourceName: 'raw',
    name: 'orders',
    schema: 'raw',
    identifier: 'orders_2024',
    access: null,
  });
  t.same(dependencyOf(src), {
    ref: { kind: 'source', package: 'shop', source: 'raw', name: 'orders' },
    jinja: "source('raw', 'orders')",
  });
  t.equal(dependencyOf({ ...src, sourceName: null }).jinja, "source('shop', 'orders')");
});

t.test('names are quoted safely for Jinja', async (t) => {
  const quote = node({ uniqueId: "model.shop.o'k", name: "o'k", schema: 's', identifier: 'ok' });
  t.equal(dependencyOf(quote).jinja, "ref('o\\'k')");
  const slash = node({
    uniqueId: 'model.shop.b',
    name: 'back\\slash',
    schema: 's',
    identifier: 'b',
  });
  t.equal(dependencyOf(slash).jinja, "ref('back\\\\slash')");
});
