/**
 * A dbt manifest v12 writer for synthetic projects, streaming into a `Sink`. Shapes follow real
 * dbt 1.10–1.12 manifests (`../shared/fixtures/dbt/v12_*`): full node configs, columns, checksums,
 * raw and compiled code, generic tests, package macros with heavy-tailed `macro_sql`, docs blocks,
 * parent and child maps. `bulk` below 1 keeps every node but scales the bulk down (for
 * benchmarks that need many nodes in a file `JSON.parse` can still read).
 */
import type { PlannedNode, ProjectPlan } from './project.js';
import { planProject, relationName } from './project.js';
import { prose, Rng, word } from './rng.js';
import type { Sink } from './sink.js';
import { CountingSink, FileSink, ObjectWriter } from './sink.js';

export interface ManifestWriteOptions {
  /**
   * How much of the realistic bulk to write, 0–1 (default 1): scales the drawn sizes of code,
   * descriptions, macro SQL and docs, and the counts of columns and tests per node and of macros
   * and docs per model. 0 writes no columns, tests, descriptions or package macros at all.
   */
  bulk?: number;
}

export interface ManifestStats {
  bytes: number;
  models: number;
  /** Nodes with an enabled warehouse relation (what matching can hit). */
  matchableNodes: number;
  tests: number;
  macros: number;
  docs: number;
}

const CREATED_AT = 1_767_225_600; // 2026-01-01T00:00:00Z: fixed so output is deterministic.
const SQL_LINES = [
  'select',
  '    {{ dbt_utils.generate_surrogate_key(["id", "updated_at"]) }} as surrogate_key,',
  '    cast(amount as numeric(38, 2)) as amount,',
  "    coalesce(status, 'unknown') as status,",
  '    row_number() over (partition by customer_id order by updated_at desc) as rn',
  'from {{ ref("upstream") }}',
  'left join {{ source("raw", "events") }} using (id)',
  'where updated_at >= dateadd(day, -3, current_date)',
  '{% if is_incremental() %}',
  '  and updated_at > (select max(updated_at) from {{ this }})',
  '{% endif %}',
  'group by 1, 2, 3',
  'qualify rn = 1',
];

/** The first `bulk` share of a text (all of it at 1). */
function scaled(text: string, bulk: number): string {
  return bulk >= 1 ? text : text.slice(0, Math.round(text.length * bulk));
}

function code(rng: Rng, length: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < length) {
    const line = rng.pick(SQL_LINES);
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

function macroSql(rng: Rng, name: string, length: number): string {
  return `{% macro ${name}(relation, columns=none, where=none) -%}\n${code(rng, length)}\n{%- endmacro %}`;
}

function columns(rng: Rng, names: string[], bulk: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names.slice(0, Math.max(1, Math.round(names.length * bulk)))) {
    out[name] = {
      name,
      description: prose(rng, rng.logNormal(40 * bulk, 1, 0, 600 * bulk)),
      meta: {},
      data_type: rng.chance(0.5)
        ? rng.pick(['varchar', 'number(38,0)', 'timestamp_ntz', 'boolean'])
        : null,
      constraints: [],
      quote: null,
      config: { meta: {}, tags: [] },
      tags: [],
      granularity: null,
      dimension: null,
      entity: null,
      doc_blocks: [],
    };
  }
  return out;
}

function baseConfig(node: PlannedNode): Record<string, unknown> {
  return {
    enabled: node.enabled,
    alias: node.identifier === node.name ? null : node.identifier,
    schema: null,
    database: null,
    tags: [],
    meta: {},
    group: null,
    static_analysis: null,
    materialized: node.materialized,
    incremental_strategy: null,
    batch_size: null,
    lookback: 1,
    begin: null,
    persist_docs: {},
    'post-hook': [],
    'pre-hook': [],
    quoting: {},
    column_types: {},
    full_refresh: null,
    unique_key: node.materialized === 'incremental' ? 'id' : null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: { show: true, node_color: null },
    contract: { enforced: false, alias_types: true },
    event_time: null,
    concurrent_batches: null,
  };
}

function nodeJson(rng: Rng, node: PlannedNode, bulk: number): Record<string, unknown> {
  const folder =
    node.resourceType === 'model' ? `models/${node.name.split('_')[0]}` : `${node.resourceType}s`;
  const ext = node.resourceType === 'seed' ? 'csv' : 'sql';
  const file = `${node.name}${node.version === null ? '' : `_v${node.version}`}.${ext}`;
  const raw =
    node.resourceType === 'seed'
      ? ''
      : code(rng, bulk > 0 ? rng.logNormal(900 * bulk, 0.7, 60, Math.max(60, 20_000 * bulk)) : 60);
  const relation = node.materialized === 'ephemeral' ? null : relationName(node);
  const json: Record<string, unknown> = {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: node.resourceType,
    package_name: node.packageName,
    path: `${folder.replace(/^models\//, '')}/${file}`,
    original_file_path: `${folder}/${file}`,
    unique_id: node.uniqueId,
    fqn: [node.packageName, ...folder.split('/').slice(1), node.name],
    alias: node.identifier,
    checksum: { name: 'sha256', checksum: rng.hex(64) },
    config: baseConfig(node),
    tags: rng.chance(0.2) ? [word(rng)] : [],
    description: scaled(node.description, bulk),
    columns: bulk > 0 ? columns(rng, node.columns, bulk) : {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: `${node.packageName}://${folder}/_${folder.split('/').pop()}__models.yml`,
    build_path: null,
    unrendered_config: { materialized: node.materialized },
    created_at: CREATED_AT,
    relation_name: relation,
    raw_code: raw,
    doc_blocks: [],
    language: 'sql',
    refs: node.dependsOn
      .filter((id) => !id.startsWith('source.'))
      .map((id) => ({ name: id.split('.')[2], package: null, version: null })),
    sources: node.dependsOn
      .filter((id) => id.startsWith('source.'))
      .map((id) => id.split('.').slice(2)),
    metrics: [],
    functions: [],
    depends_on: { macros: ['macro.dbt_utils.generate_surrogate_key'], nodes: node.dependsOn },
    compiled_path: `target/compiled/${node.packageName}/${folder}/${file}`,
    compiled: true,
    compiled_code: raw === '' ? '' : `${raw.replaceAll('{{', '/*').replaceAll('}}', '*/')}\n`,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
  if (node.resourceType === 'model') {
    json.access = node.packageName === 'acme_analytics' ? 'protected' : 'public';
    json.constraints = [];
    json.version = node.version;
    json.latest_version = node.latestVersion;
    json.deprecation_date = null;
    json.primary_key = ['id'];
    json.time_spine = null;
  }
  if (node.resourceType === 'seed') {
    json.root_path = '/home/runner/work/acme/dbt';
    json.depends_on = { macros: [] };
  }
  return json;
}

function sourceJson(rng: Rng, node: PlannedNode, bulk: number): Record<string, unknown> {
  const path = `models/staging/${node.sourceName}/_${node.sourceName}__sources.yml`;
  const freshness = {
    warn_after: { count: 12, period: 'hour' },
    error_after: { count: 24, period: 'hour' },
    filter: null,
  };
  return {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: 'source',
    package_name: node.packageName,
    path,
    original_file_path: path,
    unique_id: node.uniqueId,
    fqn: [node.packageName, 'staging', node.sourceName, node.name],
    source_name: node.sourceName,
    source_description: bulk > 0 ? prose(rng, Math.round(120 * bulk)) : '',
    loader: 'fivetran',
    identifier: node.identifier,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: '_fivetran_synced',
    loaded_at_query: null,
    freshness,
    external: null,
    description: scaled(node.description, bulk),
    columns: bulk > 0 ? columns(rng, node.columns, bulk) : {},
    meta: {},
    source_meta: {},
    tags: [],
    config: {
      enabled: true,
      event_time: null,
      freshness,
      loaded_at_field: '_fivetran_synced',
      loaded_at_query: null,
      meta: {},
      tags: [],
      static_analysis: null,
    },
    patch_path: null,
    unrendered_config: { loaded_at_field: '_fivetran_synced' },
    relation_name: relationName(node),
    created_at: CREATED_AT,
    unrendered_database: null,
    unrendered_schema: node.schema,
    doc_blocks: [],
  };
}

function testJson(
  rng: Rng,
  node: PlannedNode,
  kind: string,
  column: string,
  bulk: number,
): Record<string, unknown> {
  const name = `${kind}_${node.name}${node.version === null ? '' : `_v${node.version}`}_${column}`;
  const compiled =
    bulk > 0
      ? `\n\nselect ${column}\nfrom ${relationName(node)}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1\n${code(rng, rng.logNormal(200 * bulk, 0.8, 0, 4000 * bulk))}`
      : '';
  return {
    database: 'ANALYTICS',
    schema: 'DBT_TEST__AUDIT',
    name,
    resource_type: 'test',
    package_name: node.packageName,
    path: `${name}.sql`,
    original_file_path: 'models/_models.yml',
    unique_id: `test.${node.packageName}.${name}.${rng.hex(10)}`,
    fqn: [node.packageName, name],
    alias: name,
    checksum: { name: 'none', checksum: '' },
    config: {
      enabled: true,
      alias: null,
      schema: 'dbt_test__audit',
      database: null,
      tags: [],
      meta: {},
      group: null,
      materialized: 'test',
      severity: 'ERROR',
      store_failures: null,
      store_failures_as: null,
      where: null,
      limit: null,
      fail_calc: 'count(*)',
      warn_if: '!= 0',
      error_if: '!= 0',
    },
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: {},
    created_at: CREATED_AT,
    relation_name: null,
    raw_code: `{{ test_${kind}(**_dbt_generic_test_kwargs) }}`,
    doc_blocks: [],
    language: 'sql',
    refs: [{ name: node.name, package: null, version: node.version }],
    sources: [],
    metrics: [],
    functions: [],
    depends_on: { macros: [`macro.dbt.test_${kind}`], nodes: [node.uniqueId] },
    compiled_path: `target/compiled/${node.packageName}/models/_models.yml/${name}.sql`,
    compiled: true,
    compiled_code: compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
    column_name: column,
    file_key_name: `models.${node.name}`,
    attached_node: node.uniqueId,
    test_metadata: {
      name: kind,
      kwargs: { column_name: column, model: `{{ get_where_subquery(ref('${node.name}')) }}` },
      namespace: null,
    },
  };
}

/** Write a manifest for `plan` into `sink`. Deterministic in the plan and options. */
export function writeManifest(
  sink: Sink,
  plan: ProjectPlan,
  options: ManifestWriteOptions = {},
): ManifestStats {
  const bulk = options.bulk ?? 1;
  const rng = new Rng(plan.seed ^ 0x5eed);
  const parentMap = new Map<string, string[]>();
  const stats: ManifestStats = {
    bytes: 0,
    models: 0,
    matchableNodes: plan.matchable.length,
    tests: 0,
    macros: 0,
    docs: 0,
  };
  const root = new ObjectWriter(sink);
  root.value('metadata', {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
    dbt_version: '1.10.6',
    generated_at: '2026-01-01T00:00:00.000000Z',
    invocation_id: '00000000-0000-4000-8000-000000000000',
    invocation_started_at: '2026-01-01T00:00:00.000000+00:00',
    env: {},
    project_name: plan.projectName,
    project_id: rng.hex(32),
    user_id: null,
    send_anonymous_usage_stats: false,
    adapter_type: plan.adapterType,
    quoting: { database: false, schema: false, identifier: false, column: null },
  });

  const nodes = root.object('nodes');
  const disabled: PlannedNode[] = [];
  for (const node of plan.nodes) {
    if (node.resourceType === 'source') continue;
    if (!node.enabled) {
      disabled.push(node);
      continue;
    }
    if (node.resourceType === 'model') stats.models += 1;
    nodes.value(node.uniqueId, nodeJson(rng, node, bulk));
    parentMap.set(node.uniqueId, node.dependsOn);
    if (node.resourceType === 'model' || node.resourceType === 'snapshot') {
      // ~2.5 generic tests per model: unique + not_null on the key, then other columns.
      const tests = bulk > 0 ? Math.round(rng.int(1, 4) * bulk) : 0;
      for (let t = 0; t < tests; t += 1) {
        const kind =
          t === 0 ? 'unique' : rng.pick(['not_null', 'accepted_values', 'relationships']);
        const test = testJson(rng, node, kind, node.columns[t % node.columns.length]!, bulk);
        nodes.value(test.unique_id as string, test);
        parentMap.set(test.unique_id as string, [node.uniqueId]);
        stats.tests += 1;
      }
    }
  }
  // dbt writes on-run hooks as nodes too.
  nodes.value(`operation.${plan.projectName}.${plan.projectName}-on-run-end-0`, {
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    name: `${plan.projectName}-on-run-end-0`,
    resource_type: 'operation',
    package_name: plan.projectName,
    path: 'hooks/on-run-end-0.sql',
    original_file_path: './dbt_project.yml',
    unique_id: `operation.${plan.projectName}.${plan.projectName}-on-run-end-0`,
    fqn: [plan.projectName, 'hooks', 'on-run-end-0'],
    alias: `${plan.projectName}-on-run-end-0`,
    checksum: { name: 'sha256', checksum: rng.hex(64) },
    config: { enabled: true, materialized: 'view' },
    tags: ['on-run-end'],
    description: '',
    columns: {},
    meta: {},
    relation_name: null,
    raw_code: '{{ grant_select() }}',
    depends_on: { macros: ['macro.acme_analytics.grant_select'], nodes: [] },
    compiled: true,
    compiled_code: 'grant select on all tables',
  });
  nodes.end();

  const sources = root.object('sources');
  for (const node of plan.nodes) {
    if (node.resourceType !== 'source') continue;
    sources.value(node.uniqueId, sourceJson(rng, node, bulk));
    parentMap.set(node.uniqueId, []);
  }
  sources.end();

  // Macros: dbt core and adapter macros (~1,100 in a real install) plus package and project ones,
  // scaling with the project. Sizes are heavy-tailed: most are short, a few are pages long.
  const macros = root.object('macros');
  const macroCount = bulk > 0 ? 1100 + Math.round(stats.models * 1.6 * bulk) : 50;
  for (let i = 0; i < macroCount; i += 1) {
    const pkg =
      i < 1100
        ? plan.macroPackages[i % 2]!
        : rng.pick([...plan.macroPackages.slice(2), plan.projectName]);
    const name = `${rng.pick(['get', 'default__', 'snowflake__', 'test_', 'generate_', 'apply_'])}${word(rng)}_${word(rng)}_${i}`;
    const args = ['relation', 'columns', 'where'].slice(0, rng.int(0, 3));
    macros.value(`macro.${pkg}.${name}`, {
      name,
      resource_type: 'macro',
      package_name: pkg,
      path: `macros/${word(rng)}/${name}.sql`,
      original_file_path: `macros/${word(rng)}/${name}.sql`,
      unique_id: `macro.${pkg}.${name}`,
      macro_sql: macroSql(
        rng,
        name,
        bulk > 0 ? rng.logNormal(1400 * bulk, 0.9, 40, Math.max(40, 60_000 * bulk)) : 40,
      ),
      depends_on: {
        macros: rng.chance(0.5)
          ? [`macro.dbt.${rng.pick(['run_query', 'statement', 'adapter_macro'])}`]
          : [],
      },
      description: rng.chance(0.2) ? prose(rng, rng.int(20, 300)) : '',
      meta: {},
      docs: { show: true, node_color: null },
      config: { meta: {}, docs: { show: true, node_color: null } },
      patch_path: null,
      arguments: args.map((a) => ({ name: a, type: null, description: '' })),
      created_at: CREATED_AT,
      supported_languages: rng.chance(0.3) ? ['sql'] : null,
    });
    stats.macros += 1;
  }
  macros.end();

  const docs = root.object('docs');
  const docCount = bulk > 0 ? 10 + Math.round(stats.models * 0.1 * bulk) : 1;
  for (let i = 0; i < docCount; i += 1) {
    const name = `${word(rng)}_${word(rng)}_${i}`;
    docs.value(`doc.${plan.projectName}.${name}`, {
      name,
      resource_type: 'doc',
      package_name: plan.projectName,
      path: `docs/${name}.md`,
      original_file_path: `models/docs/${name}.md`,
      unique_id: `doc.${plan.projectName}.${name}`,
      // Non-ASCII text appears in real docs; it also makes V8 hold the file as a two-byte string.
      block_contents: `${prose(rng, rng.logNormal(600 * bulk, 0.9, 20, Math.max(20, 20_000 * bulk)))} — voir la définition`,
    });
    stats.docs += 1;
  }
  docs.end();

  const exposures = root.object('exposures');
  const targets = plan.matchable.filter((n) => n.resourceType === 'model').slice(0, 5);
  for (let i = 0; i < targets.length; i += 1) {
    const uniqueId = `exposure.${plan.projectName}.weekly_report_${i}`;
    exposures.value(uniqueId, {
      name: `weekly_report_${i}`,
      resource_type: 'exposure',
      package_name: plan.projectName,
      path: 'exposures.yml',
      original_file_path: 'models/exposures.yml',
      unique_id: uniqueId,
      fqn: [plan.projectName, `weekly_report_${i}`],
      type: 'dashboard',
      owner: { email: 'bi@acme.test', name: 'BI team' },
      description: '',
      label: `Weekly report ${i}`,
      maturity: 'high',
      meta: {},
      tags: [],
      config: { enabled: true, tags: [], meta: {} },
      unrendered_config: {},
      url: null,
      depends_on: { macros: [], nodes: [targets[i]!.uniqueId] },
      refs: [{ name: targets[i]!.name, package: null, version: null }],
      sources: [],
      metrics: [],
      created_at: CREATED_AT,
    });
    parentMap.set(uniqueId, [targets[i]!.uniqueId]);
  }
  exposures.end();
  root.value('metrics', {});
  root.value('groups', {});
  root.value('selectors', {});
  const disabledWriter = root.object('disabled');
  for (const node of disabled) disabledWriter.value(node.uniqueId, [nodeJson(rng, node, bulk)]);
  disabledWriter.end();

  const childMap = new Map<string, string[]>();
  for (const id of parentMap.keys()) childMap.set(id, []);
  const parents = root.object('parent_map');
  for (const [id, list] of parentMap) {
    parents.value(id, list);
    for (const parent of list) childMap.get(parent)?.push(id);
  }
  parents.end();
  const children = root.object('child_map');
  for (const [id, list] of childMap) children.value(id, list.sort());
  children.end();
  root.value('group_map', {});
  root.value('saved_queries', {});
  root.value('semantic_models', {});
  root.value('unit_tests', {});
  root.end();
  stats.bytes = sink.bytes;
  return stats;
}

/**
 * The `models` count whose bulk manifest is about `targetBytes`: writes a calibration project to a
 * counting sink and scales linearly (per-model bytes are stable, so the result lands within a few %).
 */
export function modelsForBytes(seed: number, targetBytes: number): number {
  // Two samples give the fixed part (core macros) and the per-model slope.
  const size = (models: number): number => {
    const sink = new CountingSink();
    writeManifest(sink, planProject({ seed, models }));
    return sink.bytes;
  };
  const small = 400;
  const large = 1600;
  const a = size(small);
  const b = size(large);
  const perModel = (b - a) / (large - small);
  return Math.max(10, Math.round(small + (targetBytes - a) / perModel));
}

/** Write the manifest of `plan` to `path` (atomically) and return its stats with the real size. */
export function writeManifestFile(
  path: string,
  plan: ProjectPlan,
  options: ManifestWriteOptions = {},
): ManifestStats {
  const sink = new FileSink(path);
  try {
    const stats = writeManifest(sink, plan, options);
    sink.close();
    return { ...stats, bytes: sink.bytes };
  } catch (error) {
    sink.abort();
    throw error;
  }
}
