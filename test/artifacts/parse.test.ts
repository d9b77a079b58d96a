/** parseManifest / parseRunResults on small hand-made documents: every rule, one at a time. */
import t from 'tap';
import { ArtifactError, parseManifest, parseRunResults } from '../../src/index.js';

const MANIFEST_V = (n: number) => `https://schemas.getdbt.com/dbt/manifest/v${n}.json`;
const RUN_V = (n: number) => `https://schemas.getdbt.com/dbt/run-results/v${n}.json`;

type Raw = Record<string, unknown>;

const model = (name: string, extra: Raw = {}): Raw => ({
  resource_type: 'model',
  name,
  package_name: 'shop',
  database: 'analytics',
  schema: 'marts',
  alias: name,
  config: { enabled: true, materialized: 'table' },
  tags: ['t'],
  fqn: ['shop', name],
  description: `about ${name}`,
  ...extra,
});

const manifest = (extra: Raw = {}, metadata: Raw = {}): Raw => ({
  metadata: {
    dbt_schema_version: MANIFEST_V(12),
    dbt_version: '1.10.6',
    adapter_type: 'postgres',
    project_name: 'shop',
    generated_at: '2026-01-05T10:00:00Z',
    invocation_id: 'inv-1',
    ...metadata,
  },
  nodes: {},
  sources: {},
  exposures: {},
  ...extra,
});

function thrown(fn: () => unknown): ArtifactError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ArtifactError) return error;
    throw error;
  }
  throw new Error('expected an ArtifactError');
}

t.test('a model becomes a DbtNode with every field', async (t) => {
  const m = parseManifest(
    manifest({
      nodes: {
        'model.shop.orders': model('orders', {
          relation_name: '"analytics"."marts"."orders"',
          access: 'public',
        }),
      },
    }),
  );
  t.same(m.nodes.get('model.shop.orders'), {
    uniqueId: 'model.shop.orders',
    resourceType: 'model',
    packageName: 'shop',
    name: 'orders',
    sourceName: null,
    database: 'analytics',
    schema: 'marts',
    identifier: 'orders',
    relationName: '"analytics"."marts"."orders"',
    materialization: 'table',
    version: null,
    latestVersion: null,
    access: 'public',
    enabled: true,
    tags: ['t'],
    fqn: ['shop', 'orders'],
    originalFilePath: null,
    description: 'about orders',
  });
  t.equal(m.path, null);
  t.equal(m.projectName, 'shop');
  t.equal(m.adapterType, 'postgres');
  t.equal(m.invocationId, 'inv-1');
  t.equal(m.generatedAt, '2026-01-05T10:00:00Z');
  t.equal(m.quoting, null);
  t.equal(m.isFusion, false);
});

t.test('a source uses identifier and source_name', async (t) => {
  const m = parseManifest(
    manifest({
      sources: {
        'source.shop.raw.customers': {
          resource_type: 'source',
          name: 'customers',
          source_name: 'raw',
          package_name: 'shop',
          database: 'RAW_DB',
          schema: 'CRM',
          identifier: 'CUSTOMERS_TBL',
          relation_name: 'RAW_DB.CRM.CUSTOMERS_TBL',
          config: { enabled: true },
        },
      },
    }),
  );
  t.same(m.nodes.get('source.shop.raw.customers'), {
    uniqueId: 'source.shop.raw.customers',
    resourceType: 'source',
    packageName: 'shop',
    name: 'customers',
    sourceName: 'raw',
    database: 'RAW_DB',
    schema: 'CRM',
    identifier: 'CUSTOMERS_TBL',
    relationName: 'RAW_DB.CRM.CUSTOMERS_TBL',
    materialization: null,
    version: null,
    latestVersion: null,
    access: null,
    enabled: true,
    tags: [],
    fqn: [],
    originalFilePath: null,
    description: null,
  });
  t.equal(m.resourceTypes.get('source.shop.raw.customers'), 'source');
});

t.test(
  'only enabled, non-ephemeral models, seeds, snapshots and sources are matchable',
  async (t) => {
    const m = parseManifest(
      manifest({
        nodes: {
          'model.shop.a': model('a'),
          'model.shop.eph': model('eph', {
            config: { materialized: 'ephemeral' },
            relation_name: null,
          }),
          'model.shop.off': model('off', { config: { enabled: false } }),
          'seed.shop.s': { ...model('s'), resource_type: 'seed' },
          'snapshot.shop.snap': { ...model('snap'), resource_type: 'snapshot' },
          'test.shop.not_null_a.abc': { resource_type: 'test', name: 'not_null_a' },
          'analysis.shop.x': { resource_type: 'analysis', name: 'x' },
          'operation.shop.shop-on-run-start-0': {
            resource_type: 'operation',
            name: 'on-run-start',
          },
        },
        sources: {
          'source.shop.raw.off': {
            name: 'off_src',
            source_name: 'raw',
            package_name: 'shop',
            schema: 'raw',
            identifier: 'off_src',
            config: { enabled: false },
          },
        },
        unit_tests: { 'unit_test.shop.a.t1': { name: 't1' } },
      }),
    );
    t.same([...m.nodes.keys()], ['model.shop.a', 'seed.shop.s', 'snapshot.shop.snap']);
    t.same(Object.fromEntries(m.resourceTypes), {
      'model.shop.a': 'model',
      'model.shop.eph': 'model',
      'model.shop.off': 'model',
      'seed.shop.s': 'seed',
      'snapshot.shop.snap': 'snapshot',
      'test.shop.not_null_a.abc': 'test',
      'analysis.shop.x': 'analysis',
      'operation.shop.shop-on-run-start-0': 'operation',
      'source.shop.raw.off': 'source',
      'unit_test.shop.a.t1': 'unit_test',
    });
    t.same(m.notes, []);
  },
);

t.test('relation from relation_name when fields are missing, quote-aware', async (t) => {
  const m = parseManifest(
    manifest({
      nodes: {
        'model.shop.three': model('three', {
          database: null,
          schema: null,
          alias: null,
          relation_name: '"my.db"."s""x"."T"',
        }),
        'model.shop.two': model('two', {
          database: 'spark_db',
          schema: '',
          alias: null,
          relation_name: 'sales.orders',
        }),
        'model.shop.expr': model('expr', {
          schema: null,
          alias: null,
          relation_name: "read_csv('x.csv')",
        }),
        'model.shop.nothing': model('nothing', { schema: null, alias: null }),
      },
    }),
  );
  const rel = (id: string) => {
    const n = m.nodes.get(id);
    return n && [n.database, n.schema, n.identifier];
  };
  t.same(rel('model.shop.three'), ['my.db', 's"x', 'T']);
  t.same(rel('model.shop.two'), ['spark_db', 'sales', 'orders']);
  t.notOk(m.nodes.has('model.shop.expr'));
  t.notOk(m.nodes.has('model.shop.nothing'));
  t.same(
    m.notes.map((n) => [n.level, n.code]),
    [
      ['warn', 'NODE_WITHOUT_RELATION'],
      ['warn', 'NODE_WITHOUT_RELATION'],
    ],
  );
  t.match(m.notes[0]?.message, 'model.shop.expr');
});

t.test(
  'a read_csv source keeps its fields as relation and its expression for display',
  async (t) => {
    const m = parseManifest(
      manifest({
        sources: {
          'source.p.dummy.customers': {
            name: 'customers',
            source_name: 'dummy',
            package_name: 'p',
            database: 'dbt',
            schema: 'dummy',
            identifier: 'customers',
            relation_name: "read_csv('./seeds/raw_customers.csv')",
          },
          'source.p.dummy.orphan': {
            name: 'orphan',
            source_name: 'dummy',
            package_name: 'p',
            relation_name: "read_csv('./seeds/orphan.csv')",
          },
        },
      }),
    );
    const node = m.nodes.get('source.p.dummy.customers');
    t.same(node && [node.database, node.schema, node.identifier, node.relationName], [
      'dbt',
      'dummy',
      'customers',
      "read_csv('./seeds/raw_customers.csv')",
    ]);
    t.notOk(m.nodes.has('source.p.dummy.orphan'));
    t.match(m.notes, [{ code: 'NODE_WITHOUT_RELATION' }]);
  },
);

t.test('versioned models keep version and latest version', async (t) => {
  const m = parseManifest(
    manifest({
      nodes: {
        'model.shop.customers.v1': model('customers', {
          alias: 'customers_v1',
          version: 1,
          latest_version: 2,
        }),
        'model.shop.customers.v2': model('customers', {
          alias: 'customers_v2',
          version: '2',
          latest_version: '2',
        }),
      },
    }),
  );
  const v1 = m.nodes.get('model.shop.customers.v1');
  const v2 = m.nodes.get('model.shop.customers.v2');
  t.same(v1 && [v1.name, v1.identifier, v1.version, v1.latestVersion], [
    'customers',
    'customers_v1',
    1,
    2,
  ]);
  t.same(v2 && [v2.name, v2.identifier, v2.version, v2.latestVersion], [
    'customers',
    'customers_v2',
    '2',
    '2',
  ]);
});

t.test('exposures, takenNames and quoting', async (t) => {
  const m = parseManifest(
    manifest(
      {
        nodes: { 'model.shop.Orders': model('Orders') },
        exposures: {
          'exposure.shop.z_dash': {
            name: 'z_dash',
            package_name: 'shop',
            label: 'Z Dashboard',
            type: 'dashboard',
            url: 'https://tableau.example/z',
            original_file_path: 'models/exposures.yml',
            depends_on: { nodes: ['model.shop.Orders'], macros: [] },
          },
          'exposure.shop.Pulse queries': { name: 'Pulse queries', package_name: 'shop' },
        },
        metrics: { 'metric.shop.revenue': { name: 'Revenue' } },
        semantic_models: { 'semantic_model.shop.sm': { name: 'sm' }, broken: 7 },
        disabled: { 'model.shop.old': [{ name: 'Old_Model' }, 'junk'], weird: 'x' },
      },
      { quoting: { database: true, schema: false, identifier: null } },
    ),
  );
  t.same(m.exposures, [
    {
      uniqueId: 'exposure.shop.Pulse queries',
      name: 'Pulse queries',
      packageName: 'shop',
      label: null,
      type: null,
      url: null,
      originalFilePath: null,
      dependsOn: [],
    },
    {
      uniqueId: 'exposure.shop.z_dash',
      name: 'z_dash',
      packageName: 'shop',
      label: 'Z Dashboard',
      type: 'dashboard',
      url: 'https://tableau.example/z',
      originalFilePath: 'models/exposures.yml',
      dependsOn: ['model.shop.Orders'],
    },
  ]);
  t.same([...m.takenNames].sort(), [
    'old_model',
    'orders',
    'pulse queries',
    'revenue',
    'sm',
    'z_dash',
  ]);
  t.same(m.quoting, { database: true, schema: false, identifier: null });
  t.equal(m.resourceTypes.get('metric.shop.revenue'), 'metric');
  t.equal(m.resourceTypes.get('broken'), 'semantic_model');
});

t.test('disabled as an array (v1–v3) only contributes names', async (t) => {
  const m = parseManifest(
    manifest(
      { disabled: [{ name: 'Gone', resource_type: 'model' }, null] },
      {
        dbt_schema_version: MANIFEST_V(3),
      },
    ),
  );
  t.equal(m.schemaVersion, 3);
  t.same([...m.takenNames], ['gone']);
  t.equal(m.nodes.size, 0);
});

t.test('parent and child maps: as written, or reconstructed', async (t) => {
  const nodes = {
    'model.shop.b': model('b', {
      depends_on: { nodes: ['model.shop.a', 'source.shop.raw.t', 'model.shop.a'] },
    }),
    'model.shop.a': model('a', { depends_on: { nodes: ['source.shop.raw.t'] } }),
    'test.shop.t1': { resource_type: 'test', name: 't1', depends_on: { nodes: ['model.shop.b'] } },
  };
  const sources = {
    'source.shop.raw.t': {
      name: 't',
      source_name: 'raw',
      package_name: 'shop',
      schema: 'raw',
      identifier: 't',
    },
  };
  const exposures = {
    'exposure.shop.e': { name: 'e', package_name: 'shop', depends_on: { nodes: ['model.shop.b'] } },
  };
  const metrics = { 'metric.shop.m': { name: 'm', depends_on: { nodes: ['model.shop.a'] } } };

  const rebuilt = parseManifest(manifest({ nodes, sources, exposures, metrics }));
  t.same(Object.fromEntries(rebuilt.parentMap), {
    'model.shop.b': ['model.shop.a', 'source.shop.raw.t'],
    'model.shop.a': ['source.shop.raw.t'],
    'test.shop.t1': ['model.shop.b'],
    'source.shop.raw.t': [],
    'exposure.shop.e': ['model.shop.b'],
    'metric.shop.m': ['model.shop.a'],
  });
  t.same(Object.fromEntries(rebuilt.childMap), {
    'model.shop.b': ['exposure.shop.e', 'test.shop.t1'],
    'model.shop.a': ['metric.shop.m', 'model.shop.b'],
    'test.shop.t1': [],
    'source.shop.raw.t': ['model.shop.a', 'model.shop.b'],
    'exposure.shop.e': [],
    'metric.shop.m': [],
  });

  const written = parseManifest(
    manifest({
      nodes,
      sources,
      parent_map: { 'model.shop.a': ['x'], x: [] },
      child_map: { x: ['model.shop.a', 'y'] },
    }),
  );
  // dbt's maps win over depends_on, as written
  t.same(Object.fromEntries(written.parentMap), { 'model.shop.a': ['x'], x: [] });
  t.same(Object.fromEntries(written.childMap), { x: ['model.shop.a', 'y'] });

  const onlyParents = parseManifest(manifest({ parent_map: { b: ['a'], a: [] } }));
  t.same(Object.fromEntries(onlyParents.childMap), { b: [], a: ['b'] });
  const onlyChildren = parseManifest(manifest({ child_map: { a: ['b', 'c'] }, parent_map: null }));
  t.same(Object.fromEntries(onlyChildren.parentMap), { a: [], b: ['a'], c: ['a'] });
  // read once, on first access
  t.equal(written.parentMap, written.parentMap);
  t.equal(onlyParents.childMap, onlyParents.childMap);
});

t.test('Fusion is dbt_version 2.x; a missing dbt_version reads as empty', async (t) => {
  t.equal(parseManifest(manifest({}, { dbt_version: '2.0.0-beta.2' })).isFusion, true);
  t.equal(parseManifest(manifest({}, { dbt_version: '1.11.2' })).isFusion, false);
  const bare = parseManifest({ metadata: { dbt_schema_version: MANIFEST_V(4) }, nodes: {} });
  t.equal(bare.dbtVersion, '');
  t.equal(bare.isFusion, false);
  t.equal(bare.projectName, null);
  t.equal(bare.adapterType, null);
});

t.test('does not copy or modify the caller’s JSON', async (t) => {
  const json = manifest({
    nodes: { 'model.shop.a': model('a') },
    parent_map: { 'model.shop.a': ['source.x'] },
  });
  const before = JSON.stringify(json);
  const m = parseManifest(json);
  t.equal(JSON.stringify(json), before);
  t.same(m.parentMap.get('model.shop.a'), ['source.x']);
  // arrays are copies, so a consumer cannot edit the input through them
  m.nodes.get('model.shop.a')?.tags.push('x');
  t.equal(JSON.stringify(json), before);
});

t.test('kind and version errors from the header', async (t) => {
  t.match(
    thrown(() => parseManifest([1, 2])),
    {
      code: 'ERR_ARTIFACT_KIND',
      message:
        /the manifest\.json given is not a dbt manifest\.json: expected a JSON object, got an array/,
    },
  );
  t.match(
    thrown(() => parseRunResults('text')),
    { code: 'ERR_ARTIFACT_KIND' },
  );
  t.match(
    thrown(() => parseManifest({ nodes: {} }, { path: 'm.json' })),
    {
      code: 'ERR_ARTIFACT_SCHEMA',
      file: 'm.json',
      field: 'metadata.dbt_schema_version',
    },
  );
  t.match(
    thrown(() => parseRunResults({ results: [] })),
    {
      code: 'ERR_ARTIFACT_SCHEMA',
      field: 'metadata.dbt_schema_version',
    },
  );
  t.match(
    thrown(() => parseManifest({ semantic_models: [], metrics: [], project_configuration: {} })),
    { code: 'ERR_ARTIFACT_KIND', message: /semantic_manifest\.json/ },
  );
  t.match(
    thrown(() => parseManifest(manifest({}, { dbt_schema_version: 'v12' }))),
    {
      code: 'ERR_ARTIFACT_VERSION',
      field: 'metadata.dbt_schema_version',
    },
  );
  t.match(
    thrown(() => parseManifest(manifest({}, { dbt_schema_version: MANIFEST_V(0) }))),
    {
      code: 'ERR_ARTIFACT_VERSION',
      message: /v0 does not exist/,
    },
  );
  t.match(
    thrown(() =>
      parseManifest(
        manifest(
          {},
          { dbt_schema_version: 'https://schemas.getdbt.com/dbt/semantic-manifest/v1.json' },
        ),
      ),
    ),
    { code: 'ERR_ARTIFACT_KIND', message: /semantic_manifest\.json/ },
  );
  t.match(
    thrown(() =>
      parseManifest(
        manifest({}, { dbt_schema_version: 'https://schemas.getdbt.com/dbt/widget/v1.json' }),
      ),
    ),
    { code: 'ERR_ARTIFACT_KIND', message: /a dbt "widget" artifact/ },
  );
});

t.test('schema errors name the JSON path of the first offending field', async (t) => {
  const cases: Array<[Raw, string, string]> = [
    [manifest({ nodes: [] }), 'nodes', 'an object'],
    [manifest({}, { project_name: 5 }), 'metadata.project_name', 'a string or null'],
    [
      manifest({}, { quoting: { database: 'yes' } }),
      'metadata.quoting.database',
      'a boolean or null',
    ],
    [manifest({ sources: 'x' }), 'sources', 'an object'],
    [
      manifest({ nodes: { 'test.x.y': { resource_type: 'test' } } }),
      'nodes["test.x.y"].name',
      'a string',
    ],
    [
      manifest({ nodes: { 'model.x.y': model('y', { tags: ['a', 1] }) } }),
      'nodes["model.x.y"].tags[1]',
      'a string',
    ],
    [
      manifest({ nodes: { 'model.x.y': model('y', { access: 'secret' }) } }),
      'nodes["model.x.y"].access',
      'one of "private", "protected", "public", or null',
    ],
    [
      manifest({ nodes: { 'model.x.y': model('y', { version: true }) } }),
      'nodes["model.x.y"].version',
      'a string, a number or null',
    ],
    [
      manifest({ nodes: { 'model.x.y': model('y', { config: [] }) } }),
      'nodes["model.x.y"].config',
      'an object or null',
    ],
    [
      manifest({ sources: { 's.x': { name: 'a', package_name: 'p' } } }),
      'sources["s.x"].source_name',
      'a string',
    ],
    [
      manifest({ exposures: { e: { name: 'e', package_name: 'p', url: 3 } } }),
      'exposures.e.url',
      'a string or null',
    ],
    [
      manifest({ exposures: { e: { name: 'e', package_name: 'p', depends_on: { nodes: 'x' } } } }),
      'exposures.e.depends_on.nodes',
      'an array of strings',
    ],
    [
      // no parent_map nor child_map: depends_on is read to rebuild them
      manifest({ nodes: { 'test.x.t': { resource_type: 'test', name: 't', depends_on: [] } } }),
      'nodes["test.x.t"].depends_on',
      'an object or null',
    ],
  ];
  for (const [json, field, expected] of cases) {
    const e = thrown(() => parseManifest(json, { path: 'target/manifest.json' }));
    t.equal(e.code, 'ERR_ARTIFACT_SCHEMA', field);
    t.equal(e.field, field);
    t.equal(e.expected, expected, field);
    t.match(e.message, `target/manifest.json: ${field} must be ${expected}, got `);
  }
  const noFile = thrown(() => parseManifest(manifest({ nodes: 3 })));
  t.match(noFile.message, /^the manifest\.json given: nodes must be an object, got number 3\./);
  const long = thrown(() =>
    parseManifest(manifest({ nodes: { m: model('m', { fqn: 'x'.repeat(50) }) } })),
  );
  t.match(long.message, 'got a string.');
  const missing = thrown(() =>
    parseManifest(manifest({ nodes: { m: model('m', { package_name: undefined }) } })),
  );
  t.match(missing.message, 'got nothing (the field is missing)');
  const objectValue = thrown(() =>
    parseManifest(manifest({ nodes: { m: model('m', { schema: {} }) } })),
  );
  t.match(objectValue.message, 'got an object');
  // the graph maps are read on first access of parentMap or childMap, and fail there each time
  const graphCases: [object, 'parentMap' | 'childMap', string, string][] = [
    [manifest({ parent_map: { a: [1] } }), 'parentMap', 'parent_map.a[0]', 'a string'],
    [manifest({ parent_map: { a: [1] } }), 'childMap', 'parent_map.a[0]', 'a string'],
    [manifest({ child_map: { a: 'b' } }), 'childMap', 'child_map.a', 'an array of strings'],
    [manifest({ child_map: { a: 'b' } }), 'parentMap', 'child_map.a', 'an array of strings'],
  ];
  for (const [json, property, field, expected] of graphCases) {
    const parsed = parseManifest(json, { path: 'target/manifest.json' });
    t.equal(parsed.nodes.size, 0, `${field}: parsed without reading the graph`);
    for (const attempt of ['first', 'second']) {
      const e = thrown(() => parsed[property]);
      t.equal(e.code, 'ERR_ARTIFACT_SCHEMA', `${field} via ${property}, ${attempt} access`);
      t.equal(e.field, field);
      t.equal(e.expected, expected, field);
      t.match(e.message, `target/manifest.json: ${field} must be ${expected}, got `);
    }
  }
  // only the fields read are checked: with dbt's maps, a node's depends_on is not read
  const withMaps = parseManifest(
    manifest({
      nodes: { m: model('m', { depends_on: 'odd' }) },
      parent_map: { m: [] },
      child_map: { m: [] },
    }),
  );
  t.same(withMaps.parentMap.get('m'), []);
});

t.test('run results: every field, statuses passed through, unknown ones noted', async (t) => {
  const r = parseRunResults(
    {
      metadata: {
        dbt_schema_version: RUN_V(6),
        dbt_version: '2.0.0-preview.1',
        generated_at: '2026-01-05T10:00:00Z',
        invocation_id: 'inv-9',
      },
      args: { which: 'build' },
      elapsed_time: 12.5,
      results: [
        {
          unique_id: 'model.shop.a',
          status: 'success',
          message: 'OK',
          execution_time: 1.25,
          failures: null,
          relation_name: '"db"."s"."a"',
          timing: [{ name: 'execute', started_at: '2026-01-05T10:00:01Z', completed_at: null }],
          adapter_response: { rows_affected: 1 },
        },
        { unique_id: 'test.shop.t', status: 'fail', failures: 3 },
        { unique_id: 'model.shop.b', status: 'reused', timing: null },
        { unique_id: 'model.shop.c', status: 'Queued' },
        { unique_id: 'model.shop.d', status: 'Queued' },
        { unique_id: 'model.shop.e', status: 'Cancelled' },
      ],
    },
    { path: 'target/run_results.json' },
  );
  t.equal(r.path, 'target/run_results.json');
  t.equal(r.isFusion, true);
  t.equal(r.command, 'build');
  t.equal(r.elapsedTime, 12.5);
  t.equal(r.invocationId, 'inv-9');
  t.equal(r.generatedAt, '2026-01-05T10:00:00Z');
  t.same(r.results[0], {
    uniqueId: 'model.shop.a',
    status: 'success',
    message: 'OK',
    executionTime: 1.25,
    failures: null,
    timing: [{ name: 'execute', startedAt: '2026-01-05T10:00:01Z', completedAt: null }],
    relationName: '"db"."s"."a"',
  });
  t.same(r.results[1], {
    uniqueId: 'test.shop.t',
    status: 'fail',
    message: null,
    executionTime: null,
    failures: 3,
    timing: [],
    relationName: null,
  });
  t.same(
    r.notes.map((n) => [n.level, n.code, n.message]),
    [
      [
        'info',
        'RUN_STATUS_UNKNOWN',
        'target/run_results.json: status "Cancelled" is not one dbt Core writes; it is passed through as is.',
      ],
      [
        'info',
        'RUN_STATUS_UNKNOWN',
        'target/run_results.json: status "Queued" is not one dbt Core writes; it is passed through as is.',
      ],
    ],
  );
});

t.test('run results: minimal v1 document and errors', async (t) => {
  const r = parseRunResults({ metadata: { dbt_schema_version: RUN_V(1) }, results: [] });
  t.same(
    [r.command, r.elapsedTime, r.dbtVersion, r.invocationId, r.generatedAt, r.path],
    [null, null, '', null, null, null],
  );
  t.match(
    thrown(() => parseRunResults({ metadata: { dbt_schema_version: RUN_V(6) }, results: {} })),
    {
      code: 'ERR_ARTIFACT_SCHEMA',
      field: 'results',
    },
  );
  t.match(
    thrown(() =>
      parseRunResults({
        metadata: { dbt_schema_version: RUN_V(6) },
        results: [],
        args: { which: 1 },
      }),
    ),
    { field: 'args.which' },
  );
  t.match(
    thrown(() =>
      parseRunResults({
        metadata: { dbt_schema_version: RUN_V(6) },
        results: [{ unique_id: 'a', status: 'pass', timing: [{ name: 'x', started_at: 5 }] }],
      }),
    ),
    { field: 'results[0].timing[0].started_at', expected: 'a string or null' },
  );
  t.match(
    thrown(() =>
      parseRunResults({
        metadata: { dbt_schema_version: RUN_V(6) },
        results: [{ unique_id: 'a', status: 'pass', timing: {} }],
      }),
    ),
    { field: 'results[0].timing' },
  );
  const future = parseRunResults({ metadata: { dbt_schema_version: RUN_V(7) }, results: [] });
  t.match(future.notes, [{ level: 'warn', code: 'ARTIFACT_VERSION_NEWER' }]);
  t.match(
    thrown(() =>
      parseRunResults(
        { metadata: { dbt_schema_version: RUN_V(7) }, results: 'all good' },
        { path: 'rr.json' },
      ),
    ),
    {
      code: 'ERR_ARTIFACT_VERSION',
      field: 'results',
      message: /^rr\.json: run_results schema v7 is newer than this library knows \(v1–v6\)/,
    },
  );
  const other = thrown(() => parseRunResults({ metadata: { dbt_schema_version: RUN_V(7) } }));
  t.equal(other.code, 'ERR_ARTIFACT_VERSION');
  t.equal((other.cause as ArtifactError).code, 'ERR_ARTIFACT_SCHEMA', 'the schema error as cause');
  t.same(other.details, { schemaVersion: 7, maxKnownVersion: 6 });
  t.match(other.message, /^the run_results\.json given: run_results schema v7 is newer/);
  // a non-schema error of a future version stays what it is
  t.match(
    thrown(() =>
      parseManifest(
        manifest({}, { dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v99.json' }),
      ),
    ),
    {
      code: 'ERR_ARTIFACT_KIND',
    },
  );
});

t.test('schema URLs may carry spaces; notes without a path name the artifact', async (t) => {
  const r = parseRunResults({
    metadata: { dbt_schema_version: ` ${RUN_V(6)} ` },
    results: [{ unique_id: 'm', status: 'odd', timing: [{ name: 'compile' }] }],
  });
  t.equal(r.schemaVersion, 6);
  t.equal(
    r.notes[0]?.message,
    'run_results: status "odd" is not one dbt Core writes; it is passed through as is.',
  );
  t.same(r.results[0]?.timing, [{ name: 'compile', startedAt: null, completedAt: null }]);
  t.match(
    thrown(() =>
      parseManifest(
        manifest({}, { dbt_schema_version: MANIFEST_V(12).replace('/v12', '/latest') }),
      ),
    ),
    { code: 'ERR_ARTIFACT_VERSION', field: 'metadata.dbt_schema_version' },
  );
  t.match(
    thrown(() =>
      parseRunResults({
        metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json' },
        results: [],
      }),
    ),
    {
      code: 'ERR_ARTIFACT_KIND',
      message:
        /a dbt catalog\.json \(written by `dbt docs generate`\) \(schema v1\), not a run_results\.json/,
    },
  );
});
