/**
 * The mock server's site: a declarative input (`MockSiteInput`, easy to write by hand, and
 * accepting the library's own `TableauWorkbook[]` as workbooks), the complete `MockSite` it
 * resolves into (`resolveMockSite`: every id, project and data source filled in
 * deterministically), and `buildMockSite`, which generates realistic sites of any size.
 *
 * Assumptions where Tableau's behaviour is not established (see docs/testing-with-the-mock-server.md):
 * workbooks in a personal space report `projectName: "Personal Space"` and `projectLuid: null`.
 */
import { DbtAutoExposuresError } from '../errors.js';
import { compareStrings } from '../util/compare.js';

/** A workbook owner (the shape of the library's `TableauOwner`). */
export interface MockOwner {
  name: string | null;
  email: string | null;
  username: string | null;
}

/** A table: an object, or the shorthand `"DB.SCHEMA.TABLE"` / `"SCHEMA.TABLE"` / `"TABLE"`. */
export type MockTableInput =
  | string
  | {
      name?: string | undefined;
      /** Default: `[SCHEMA].[TABLE]` (the Snowflake form Tableau reports), or `[TABLE]`. */
      fullName?: string | null | undefined;
      schema?: string | null | undefined;
      databaseName?: string | null | undefined;
      /** Default: the site's `defaultConnectionType` ("snowflake"). */
      connectionType?: string | null | undefined;
      /**
       * The token may not see it: answered as Tableau's default `OBFUSCATE_RESULTS` mode does, with
       * its name, fullName, schema, connection type and database nulled. Default false.
       */
      hidden?: boolean | undefined;
    };

/** A custom SQL query as given to the mock site; unset fields get defaults. */
export interface MockCustomSqlInput {
  id?: string | undefined;
  name?: string | undefined;
  query: string;
  connectionType?: string | null | undefined;
  databaseName?: string | null | undefined;
  /** Also accepts the normalised field name. */
  isUnsupported?: boolean | undefined;
  /** Tableau's parsed tables; leave empty for SQL its parser cannot read. */
  tables?: MockTableInput[] | undefined;
}

/** A published data source as given to the mock site; unset fields get defaults. */
export interface MockPublishedDatasourceInput {
  luid: string;
  name: string;
  id?: string | undefined;
  projectName?: string | null | undefined;
  projectLuid?: string | null | undefined;
  vizportalUrlId?: string | null | undefined;
  /** Default: false (a live connection). */
  hasExtracts?: boolean | undefined;
  extractLastRefreshTime?: string | null | undefined;
  /** Last full or incremental refresh (or creation). Default: `extractLastRefreshTime`. */
  extractLastUpdateTime?: string | null | undefined;
  tables?: MockTableInput[] | undefined;
  customSql?: MockCustomSqlInput[] | undefined;
}

/** An embedded data source as given to the mock site; unset fields get defaults. */
export interface MockEmbeddedDatasourceInput {
  id?: string | undefined;
  name: string;
  /** Default: false (a live connection). */
  hasExtracts?: boolean | undefined;
  extractLastRefreshTime?: string | null | undefined;
  /** Last full or incremental refresh (or creation). Default: `extractLastRefreshTime`. */
  extractLastUpdateTime?: string | null | undefined;
  tables?: MockTableInput[] | undefined;
  customSql?: MockCustomSqlInput[] | undefined;
  /** Published data sources (by luid) this embedded one connects to. */
  publishedDatasourceLuids?: string[] | undefined;
}

/** A workbook. A `TableauWorkbook` (e.g. read from a snapshot) is a valid `MockWorkbookInput`. */
export interface MockWorkbookInput {
  luid: string;
  name: string;
  id?: string | undefined;
  projectName?: string | null | undefined;
  projectLuid?: string | null | undefined;
  owner?: MockOwner | null | undefined;
  tags?: string[] | undefined;
  description?: string | null | undefined;
  createdAt?: string | null | undefined;
  updatedAt?: string | null | undefined;
  vizportalUrlId?: string | null | undefined;
  embeddedDatasources?: MockEmbeddedDatasourceInput[] | undefined;
  /** Published data sources it uses; merged into the site's list by luid. */
  publishedDatasources?: MockPublishedDatasourceInput[] | undefined;
  /** In the owner's personal space (default false). */
  personalSpace?: boolean | undefined;
  /** Ignored (the server builds URLs from vizportalUrlId); present so `TableauWorkbook` fits. */
  url?: string | null | undefined;
}

/** A project as given to the mock site. */
export interface MockProjectInput {
  luid: string;
  name: string;
  parentLuid?: string | null | undefined;
}

/** A collection as given to `buildMockSite` or `createMockTableauServer` (`siteModel`). */
export interface MockCollectionInput {
  luid: string;
  name: string;
  description?: string | undefined;
  ownerLuid?: string | undefined;
  items: { type: 'workbook' | 'datasource'; luid: string }[];
}

/** A hand-written site. Everything but `workbooks` is optional. */
export interface MockSiteInput {
  /** The site's contentUrl (what sign-in takes). Default "mock". */
  contentUrl?: string | undefined;
  luid?: string | undefined;
  name?: string | undefined;
  /** Connection type of tables that do not say. Default "snowflake". */
  defaultConnectionType?: string | undefined;
  projects?: MockProjectInput[] | undefined;
  workbooks?: MockWorkbookInput[] | undefined;
  publishedDatasources?: MockPublishedDatasourceInput[] | undefined;
  collections?: MockCollectionInput[] | undefined;
}

/** A table of the mock site, with every field resolved. */
export interface MockTable {
  id: string;
  name: string;
  fullName: string | null;
  schema: string | null;
  databaseName: string | null;
  connectionType: string | null;
  /** Hidden from the token by permissions (answered with its names nulled). */
  hidden: boolean;
}

/** A custom SQL query of the mock site, with every field resolved. */
export interface MockCustomSql {
  id: string;
  name: string;
  query: string;
  connectionType: string | null;
  databaseName: string | null;
  isUnsupported: boolean;
  tables: MockTable[];
}

/** A published data source of the mock site, with every field resolved. */
export interface MockPublishedDatasource {
  id: string;
  luid: string;
  name: string;
  projectName: string | null;
  projectLuid: string | null;
  vizportalUrlId: string;
  hasExtracts: boolean;
  extractLastRefreshTime: string | null;
  extractLastUpdateTime: string | null;
  tables: MockTable[];
  customSql: MockCustomSql[];
}

/** An embedded data source of the mock site, with every field resolved. */
export interface MockEmbeddedDatasource {
  id: string;
  name: string;
  hasExtracts: boolean;
  extractLastRefreshTime: string | null;
  extractLastUpdateTime: string | null;
  tables: MockTable[];
  customSql: MockCustomSql[];
  publishedDatasourceLuids: string[];
}

/** A workbook of the mock site, with every field resolved. */
export interface MockWorkbook {
  id: string;
  luid: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  vizportalUrlId: string;
  projectName: string | null;
  projectLuid: string | null;
  personalSpace: boolean;
  owner: MockOwner | null;
  tags: string[];
  embeddedDatasources: MockEmbeddedDatasource[];
  /** Luids of the published data sources it uses (directly listed or through embedded ones). */
  publishedDatasourceLuids: string[];
}

/** A project of the mock site. */
export interface MockProject {
  luid: string;
  name: string;
  parentLuid: string | null;
}

/** A collection of the mock site. */
export interface MockCollection {
  luid: string;
  name: string;
  description: string;
  ownerLuid: string | null;
  items: { type: 'workbook' | 'datasource'; luid: string }[];
}

/** A resolved site: what the server serves. Mutable only through the server (refresh times). */
export interface MockSite {
  contentUrl: string;
  luid: string;
  name: string;
  projects: MockProject[];
  workbooks: MockWorkbook[];
  publishedDatasources: MockPublishedDatasource[];
  collections: MockCollection[];
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** Fixed timestamp used when a workbook gives none (keeps served payloads deterministic). */
const MOCK_DEFAULT_TIME = '2024-01-01T00:00:00Z';
/** Project name reported for personal-space workbooks (assumption, see module doc). */
export const PERSONAL_SPACE_PROJECT_NAME = 'Personal Space';

function invalid(field: string, message: string): DbtAutoExposuresError {
  return new DbtAutoExposuresError('ERR_INVALID_OPTION', `Mock site: ${message}`, {
    field,
    expected: 'a valid MockSiteInput',
  });
}

/** A stable GraphQL-style id derived from a path of names (not a secret, not random). */
function mockId(...parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of parts.join('\u0000')) {
    const c = ch.codePointAt(0) ?? 0;
    h1 = Math.imul(h1 ^ c, 16777619) >>> 0;
    h2 = Math.imul(h2 ^ c, 2246822519) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function resolveTable(input: MockTableInput, owner: string, defaultType: string): MockTable {
  if (typeof input === 'string') {
    const parts = input.split('.');
    const name = parts[parts.length - 1] ?? input;
    const schema = parts.length >= 2 ? (parts[parts.length - 2] ?? null) : null;
    const databaseName = parts.length >= 3 ? parts.slice(0, -2).join('.') : null;
    return {
      id: mockId(owner, 'table', input),
      name,
      fullName: schema === null ? `[${name}]` : `[${schema}].[${name}]`,
      schema: schema ?? '',
      databaseName,
      connectionType: defaultType,
      hidden: false,
    };
  }
  const name = input.name ?? '';
  if (name === '' && (input.fullName ?? '') === '') {
    throw invalid(`${owner}.tables`, 'a table needs a name or a fullName');
  }
  const schema = input.schema ?? null;
  return {
    id: mockId(owner, 'table', name, input.fullName ?? ''),
    name,
    fullName:
      input.fullName !== undefined
        ? input.fullName
        : schema !== null && schema !== ''
          ? `[${schema}].[${name}]`
          : `[${name}]`,
    schema,
    databaseName: input.databaseName ?? null,
    connectionType: input.connectionType !== undefined ? input.connectionType : defaultType,
    hidden: input.hidden ?? false,
  };
}

function resolveCustomSql(
  input: MockCustomSqlInput,
  owner: string,
  index: number,
  defaultType: string,
): MockCustomSql {
  const id = input.id ?? mockId(owner, 'customSql', String(index));
  return {
    id,
    name: input.name ?? 'Custom SQL Query',
    query: input.query,
    connectionType: input.connectionType !== undefined ? input.connectionType : defaultType,
    databaseName: input.databaseName ?? null,
    isUnsupported: input.isUnsupported ?? false,
    tables: (input.tables ?? []).map((t) => resolveTable(t, id, defaultType)),
  };
}

function resolvePublished(
  input: MockPublishedDatasourceInput,
  index: number,
  defaultType: string,
  projects: Map<string, MockProject>,
): MockPublishedDatasource {
  const id = input.id ?? mockId('published', input.luid);
  return {
    id,
    luid: input.luid,
    name: input.name,
    projectLuid: input.projectLuid ?? null,
    projectName:
      input.projectName ??
      (input.projectLuid ? (projects.get(input.projectLuid)?.name ?? null) : null),
    vizportalUrlId: input.vizportalUrlId ?? String(50000 + index),
    hasExtracts: input.hasExtracts ?? false,
    extractLastRefreshTime: input.extractLastRefreshTime ?? null,
    extractLastUpdateTime: input.extractLastUpdateTime ?? input.extractLastRefreshTime ?? null,
    tables: (input.tables ?? []).map((t) => resolveTable(t, id, defaultType)),
    customSql: (input.customSql ?? []).map((c, i) => resolveCustomSql(c, id, i, defaultType)),
  };
}

/** Resolve a hand-written site into what the server serves. Throws `ERR_INVALID_OPTION` on bad input. */
export function resolveMockSite(input: MockSiteInput): MockSite {
  const defaultType = input.defaultConnectionType ?? 'snowflake';
  const contentUrl = input.contentUrl ?? 'mock';
  const projects = new Map<string, MockProject>();
  const projectsByName = new Map<string, MockProject>();
  for (const p of input.projects ?? []) {
    const project = { luid: p.luid, name: p.name, parentLuid: p.parentLuid ?? null };
    projects.set(p.luid, project);
    if (!projectsByName.has(p.name)) projectsByName.set(p.name, project);
  }

  const published = new Map<string, MockPublishedDatasource>();
  const addPublished = (ds: MockPublishedDatasourceInput): void => {
    if (!published.has(ds.luid)) {
      published.set(ds.luid, resolvePublished(ds, published.size, defaultType, projects));
    }
  };
  for (const ds of input.publishedDatasources ?? []) addPublished(ds);
  for (const wb of input.workbooks ?? [])
    for (const ds of wb.publishedDatasources ?? []) addPublished(ds);

  const workbooks: MockWorkbook[] = [];
  const seen = new Set<string>();
  for (const [index, wb] of (input.workbooks ?? []).entries()) {
    if (typeof wb.luid !== 'string' || wb.luid === '') {
      throw invalid(`workbooks[${index}].luid`, 'every workbook needs a luid');
    }
    if (seen.has(wb.luid)) throw invalid(`workbooks[${index}].luid`, `duplicate luid ${wb.luid}`);
    seen.add(wb.luid);
    const id = wb.id ?? mockId('workbook', wb.luid);
    let projectLuid = wb.projectLuid ?? null;
    let projectName = wb.projectName ?? null;
    if (projectLuid === null && projectName !== null) {
      projectLuid = projectsByName.get(projectName)?.luid ?? mockId('project', projectName);
    }
    if (projectLuid !== null && !projects.has(projectLuid)) {
      const project = { luid: projectLuid, name: projectName ?? projectLuid, parentLuid: null };
      projects.set(projectLuid, project);
      projectsByName.set(project.name, project);
    }
    if (projectLuid !== null) projectName = projectName ?? projects.get(projectLuid)?.name ?? null;
    const personalSpace = wb.personalSpace ?? false;
    const embedded = (wb.embeddedDatasources ?? []).map((ds, i): MockEmbeddedDatasource => {
      const dsId = ds.id ?? mockId(id, 'embedded', String(i), ds.name);
      for (const luid of ds.publishedDatasourceLuids ?? []) {
        if (!published.has(luid)) {
          throw invalid(
            `workbooks[${index}].embeddedDatasources[${i}].publishedDatasourceLuids`,
            `unknown published data source ${luid}`,
          );
        }
      }
      return {
        id: dsId,
        name: ds.name,
        hasExtracts: ds.hasExtracts ?? false,
        extractLastRefreshTime: ds.extractLastRefreshTime ?? null,
        extractLastUpdateTime: ds.extractLastUpdateTime ?? ds.extractLastRefreshTime ?? null,
        tables: (ds.tables ?? []).map((t) => resolveTable(t, dsId, defaultType)),
        customSql: (ds.customSql ?? []).map((c, j) => resolveCustomSql(c, dsId, j, defaultType)),
        publishedDatasourceLuids: [...new Set(ds.publishedDatasourceLuids ?? [])],
      };
    });
    const publishedLuids = new Set<string>();
    for (const ds of wb.publishedDatasources ?? []) publishedLuids.add(ds.luid);
    for (const ds of embedded)
      for (const luid of ds.publishedDatasourceLuids) publishedLuids.add(luid);
    workbooks.push({
      id,
      luid: wb.luid,
      name: wb.name,
      description: wb.description ?? null,
      createdAt: wb.createdAt ?? MOCK_DEFAULT_TIME,
      updatedAt: wb.updatedAt ?? wb.createdAt ?? MOCK_DEFAULT_TIME,
      vizportalUrlId: wb.vizportalUrlId ?? String(10000 + index),
      projectName: personalSpace ? PERSONAL_SPACE_PROJECT_NAME : projectName,
      projectLuid: personalSpace ? null : projectLuid,
      personalSpace,
      owner: wb.owner ?? null,
      tags: [...new Set(wb.tags ?? [])],
      embeddedDatasources: embedded,
      publishedDatasourceLuids: [...publishedLuids].sort(compareStrings),
    });
  }

  for (const c of input.collections ?? []) {
    for (const item of c.items) {
      const known = item.type === 'workbook' ? seen.has(item.luid) : published.has(item.luid);
      if (!known) throw invalid(`collections.${c.luid}.items`, `unknown ${item.type} ${item.luid}`);
    }
  }

  return {
    contentUrl,
    luid: input.luid ?? mockId('site', contentUrl),
    name: input.name ?? (contentUrl === '' ? 'Default' : contentUrl),
    projects: [...projects.values()],
    workbooks,
    publishedDatasources: [...published.values()],
    collections: (input.collections ?? []).map((c) => ({
      luid: c.luid,
      name: c.name,
      description: c.description ?? '',
      ownerLuid: c.ownerLuid ?? null,
      items: c.items.map((item) => ({ ...item })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// `buildMockSite`: deterministic, realistic mock sites of any size, for tests and benchmarks. Same
// options → same site. The mix: nested projects, a few owners, workbooks over embedded sources
// (extract or live), shared published data sources, custom SQL (parsed and unparsed), Excel and web
// data connector tables, tags, and some personal-space workbooks.

/** Options of `buildMockSite`. */
export interface BuildMockSiteOptions {
  /** PRNG seed. Default 1. */
  seed?: number | undefined;
  /** Number of workbooks. Default 20. */
  workbooks?: number | undefined;
  /** Number of top-level projects (each with one nested child). Default 3. */
  projects?: number | undefined;
  /** Number of published data sources. Default: workbooks / 5, at least 1. */
  publishedDatasources?: number | undefined;
  /** Site contentUrl. Default "mock". */
  contentUrl?: string | undefined;
  /** Warehouse database name used in table names. Default "ANALYTICS". */
  database?: string | undefined;
}

/** A small seeded PRNG (mulberry32): deterministic across platforms. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SCHEMAS = ['MARTS', 'STAGING', 'FINANCE'];
const ENTITIES = [
  'ORDERS',
  'CUSTOMERS',
  'PAYMENTS',
  'PRODUCTS',
  'SESSIONS',
  'INVOICES',
  'REFUNDS',
  'SUPPLIERS',
];
const TAGS = ['finance', 'marketing', 'certified', 'exec', 'ops'];
const OWNERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'];

const pad = (n: number, width = 4): string => String(n).padStart(width, '0');

/** Build a deterministic mock site (see module doc). */
export function buildMockSite(options: BuildMockSiteOptions = {}): MockSiteInput {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const db = options.database ?? 'ANALYTICS';
  const count = Math.max(0, Math.floor(options.workbooks ?? 20));
  const projectCount = Math.max(1, Math.floor(options.projects ?? 3));
  const publishedCount = Math.max(
    1,
    Math.floor(options.publishedDatasources ?? Math.max(1, count / 5)),
  );
  const table = (): MockTableInput => `${db}.${pick(SCHEMAS)}.${pick(ENTITIES)}`;

  const projects: NonNullable<MockSiteInput['projects']> = [];
  for (let p = 0; p < projectCount; p++) {
    projects.push({ luid: `project-${pad(p)}`, name: `Project ${p}` });
    projects.push({
      luid: `project-${pad(p)}-sub`,
      name: `Project ${p} Reporting`,
      parentLuid: `project-${pad(p)}`,
    });
  }

  const published: NonNullable<MockSiteInput['publishedDatasources']> = [];
  for (let d = 0; d < publishedCount; d++) {
    const hasExtracts = random() < 0.7;
    published.push({
      luid: `pds-${pad(d)}`,
      name: `Published source ${d}`,
      projectLuid: pick(projects).luid,
      hasExtracts,
      extractLastRefreshTime: hasExtracts ? `2024-01-${pad(1 + (d % 28), 2)}T06:00:00Z` : null,
      tables: [table(), table()],
      ...(d % 4 === 3
        ? {
            customSql: [
              {
                query: `select * from ${db.toLowerCase()}.marts.orders where id > ${d}`,
                tables: [`${db}.MARTS.ORDERS`],
              },
            ],
          }
        : {}),
    });
  }

  const workbooks: MockWorkbookInput[] = [];
  for (let w = 0; w < count; w++) {
    const kind = random();
    const hasExtracts = random() < 0.6;
    const owner = pick(OWNERS);
    const username = owner.toLowerCase().replace(/\s+/g, '.');
    const embedded: NonNullable<MockWorkbookInput['embeddedDatasources']> = [];
    if (kind < 0.35) {
      embedded.push({ name: 'Extract', hasExtracts, tables: [table(), table()] });
    } else if (kind < 0.65) {
      embedded.push({
        name: 'Published',
        hasExtracts: false,
        publishedDatasourceLuids: [pick(published).luid],
      });
    } else if (kind < 0.8) {
      embedded.push({
        name: 'Custom SQL',
        hasExtracts,
        customSql: [
          random() < 0.5
            ? {
                query: `select o.* from ${db}.MARTS.ORDERS o join ${db}.MARTS.CUSTOMERS c on c.id = o.customer_id`,
                tables: [`${db}.MARTS.ORDERS`, `${db}.MARTS.CUSTOMERS`],
              }
            : {
                query: `with x as (select * from ${db}.FINANCE.INVOICES) select * from x qualify row_number() over (partition by id order by ts) = 1`,
                isUnsupported: true,
                tables: [],
              },
        ],
      });
    } else if (kind < 0.9) {
      embedded.push({
        name: 'Spreadsheet',
        hasExtracts: true,
        tables: [
          {
            name: 'Targets',
            fullName: '[Targets$]',
            schema: '',
            databaseName: 'Targets.xlsx',
            connectionType: 'excel-direct',
          },
        ],
      });
      embedded.push({ name: 'Warehouse', hasExtracts: false, tables: [table()] });
    } else {
      embedded.push({
        name: 'Marketo',
        hasExtracts: true,
        tables: [
          {
            name: 'activity',
            fullName: '[activity]',
            schema: '',
            databaseName: 'Marketo',
            connectionType: 'webdata-direct:marketo-marketo',
          },
        ],
      });
    }
    workbooks.push({
      luid: `wb-${pad(w, 6)}`,
      name: `Workbook ${pad(w, 5)}`,
      projectLuid: pick(projects).luid,
      owner: { name: owner, email: `${username}@example.com`, username },
      tags: random() < 0.5 ? [pick(TAGS)] : [],
      description: random() < 0.3 ? `Dashboard ${w}` : null,
      createdAt: `2023-${pad(1 + (w % 12), 2)}-01T00:00:00Z`,
      updatedAt: `2024-${pad(1 + (w % 12), 2)}-15T00:00:00Z`,
      vizportalUrlId: String(100000 + w),
      personalSpace: w % 25 === 24,
      embeddedDatasources: embedded,
    });
  }
  return {
    contentUrl: options.contentUrl ?? 'mock',
    projects,
    publishedDatasources: published,
    workbooks,
    collections:
      count === 0
        ? []
        : [
            {
              luid: 'collection-0000',
              name: 'Executive',
              items: workbooks
                .slice(0, Math.min(3, count))
                .map((w) => ({ type: 'workbook', luid: w.luid })),
            },
          ],
  };
}
