import t from 'tap';
import { jinjaString, renderRef } from '../../src/lineage/refs.js';
import { node } from './helpers/builders.js';

const project = { projectName: 'shop' };

t.test('models, seeds and snapshots of the project', async (t) => {
  t.equal(
    renderRef(
      node({
        uniqueId: 'model.shop.orders',
        name: 'orders',
        schema: 's',
        identifier: 'fct_orders',
      }),
      project,
    ),
    "ref('orders')",
  );
  t.equal(
    renderRef(
      node({
        uniqueId: 'seed.shop.raw',
        resourceType: 'seed',
        name: 'raw',
        schema: 's',
        identifier: 'raw',
      }),
      project,
    ),
    "ref('raw')",
  );
  t.equal(
    renderRef(
      node({
        uniqueId: 'snapshot.shop.snap',
        resourceType: 'snapshot',
        name: 'snap',
        schema: 's',
        identifier: 'snap',
      }),
      project,
    ),
    "ref('snap')",
  );
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
  t.equal(renderRef(v2, project), "ref('customers', v=2)");
  t.equal(renderRef({ ...v2, version: '1.5' }, project), "ref('customers', v=1.5)");
  t.equal(renderRef({ ...v2, version: 'beta' }, project), "ref('customers', v='beta')");
  t.equal(renderRef({ ...v2, packageName: 'core' }, project), "ref('core', 'customers', v=2)");
  t.equal(
    renderRef(
      node({
        uniqueId: 'seed.pkg.x',
        resourceType: 'seed',
        packageName: 'pkg',
        name: 'x',
        schema: 's',
        identifier: 'x',
      }),
      project,
    ),
    "ref('pkg', 'x')",
  );
  t.equal(
    renderRef(
      node({ uniqueId: 'model.shop.orders', name: 'orders', schema: 's', identifier: 'o' }),
      { projectName: null },
    ),
    "ref('shop', 'orders')",
  );
});

t.test('sources', async (t) => {
  const src = node({
    uniqueId: 'source.shop.raw.orders',
    resourceType: 'source',
    sourceName: 'raw',
    name: 'orders',
    schema: 'raw',
    identifier: 'orders_2024',
  });
  t.equal(renderRef(src, project), "source('raw', 'orders')");
  t.equal(renderRef({ ...src, sourceName: null }, project), "source('shop', 'orders')");
});

t.test('names are quoted safely for Jinja', async (t) => {
  t.equal(jinjaString("it's"), "'it\\'s'");
  t.equal(jinjaString('back\\slash'), "'back\\\\slash'");
  t.equal(
    renderRef(
      node({ uniqueId: "model.shop.o'k", name: "o'k", schema: 's', identifier: 'ok' }),
      project,
    ),
    "ref('o\\'k')",
  );
});
