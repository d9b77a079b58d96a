/**
 * `listWorkbooks`: the workbooks in scope with their lineage, through the Metadata API.
 *
 * Filters (all case-sensitive, every one applied to every page, combined with AND):
 * - `projects`: a project name, a nested path `"Finance/Reporting"` (resolved through the REST
 *   project list) or a luid. A workbook matches when its own project is one of them (child
 *   projects are not included: name them too). Tableau filters server-side (`projectNameWithin`
 *   or `projectLuidWithin`) when all entries are of one kind; the result is checked client-side
 *   in any case. Servers before 2022.3 have no `projectLuid`: there every entry is resolved to
 *   its project NAME (paths and luids through the REST project list), so workbooks of another
 *   project with the same name also match (a `PROJECT_NAME_AMBIGUOUS` warning says so).
 * - `collections`: collection luids or names (REST API 3.28+; `ERR_TABLEAU_UNSUPPORTED` below).
 *   Their workbook items become a `luidWithin` filter when there are at most 100 of them.
 * - `tags` (at least one), `include` / `exclude` name globs (picomatch): client-side, as the
 *   Metadata API has no such filters.
 * - Personal spaces (`projectName` "Personal Space" without a project luid, or no project at
 *   all) are left out unless `includePersonalSpace`.
 *
 * A project path or collection that does not exist is an error rather than an empty result.
 *
 * Requests (near the minimum the 20,000-node limit allows): workbooks, the site's published data
 * sources (once, workbooks refer to them by luid) and the site's custom SQL are paged at the same
 * time, each with page sizes fitted to the node budget measured on its first page.
 *
 * Permissions: tables the token may not see come back with their names nulled (Tableau's default
 * `OBFUSCATE_RESULTS`); they stay in the result (lineage reports them as `hidden_by_permissions`)
 * and one `HIDDEN_BY_PERMISSIONS` warning names what shows them. A site-wide custom SQL listing
 * that Tableau refuses to a non-administrator (FILTER_REQUIRED) falls back to the custom SQL of
 * the workbooks in scope, by id (custom-sql.ts).
 */
import picomatch from 'picomatch';
import { ConfigError, TableauApiError } from '../errors.js';
import type { Logger } from '../log/types.js';
import { compareStrings } from '../util/compare.js';
import { listCustomSql, type Paging } from './custom-sql.js';
import type { MetadataApi, PaginateOptions } from './metadata.js';
import { isHiddenTable, normalizeWorkbooks } from './normalize.js';
import {
  MAX_LUIDS_PER_QUERY,
  MAX_PAGE_SIZE,
  type MetadataFeatures,
  metadataFeatures,
  PUBLISHED_DATASOURCES_QUERY,
  type RawPublishedDatasource,
  type RawWorkbook,
  type WorkbooksQueryFilter,
  workbooksQuery,
  workbooksQueryVariables,
} from './queries.js';
import { listCollectionItems, listCollections, listProjects, projectPaths } from './rest-list.js';
import type { Session } from './session.js';
import { apiVersionAtLeast, type TableauSettings } from './settings.js';
import type { ListWorkbooksOptions, TableauWarning, TableauWorkbook } from './types.js';

/** First REST API version with Collections methods. */
const COLLECTIONS_MIN_API_VERSION = '3.28';

/** Project name Tableau reports for workbooks in a personal space. */
const PERSONAL_SPACE_PROJECT_NAME = 'Personal Space';

const LUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Dependencies of `listWorkbooks`. */
export interface WorkbooksDeps {
  session: Session;
  metadata: MetadataApi;
  /** Server and site (browser URLs), default page size, listing bounds. */
  settings: TableauSettings;
  logger?: Logger | undefined;
}

function invalid(field: string, message: string, expected: string): never {
  throw new ConfigError('ERR_INVALID_OPTION', `listWorkbooks ${field}: ${message}`, {
    field,
    expected,
  });
}

function stringList(field: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    invalid(field, 'expected an array of non-empty strings', 'an array of non-empty strings');
  }
  return value as string[];
}

/** Validated filter. */
interface Filter {
  projects: string[] | undefined;
  collections: string[] | undefined;
  tags: string[] | undefined;
  include: ((name: string) => boolean) | undefined;
  exclude: ((name: string) => boolean) | undefined;
  includePersonalSpace: boolean;
  pageSize: number | undefined;
}

function compileGlobs(
  field: string,
  globs: string[] | undefined,
): ((name: string) => boolean) | undefined {
  if (globs === undefined || globs.length === 0) return undefined;
  try {
    return picomatch(globs, { dot: true });
  } catch (error) {
    invalid(field, `invalid glob (${(error as Error).message})`, 'picomatch globs');
  }
}

function validateFilter(options: ListWorkbooksOptions): Filter {
  const pageSize = options.pageSize;
  if (
    pageSize !== undefined &&
    (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
  ) {
    invalid(
      'pageSize',
      `expected an integer 1..${MAX_PAGE_SIZE}`,
      `an integer 1..${MAX_PAGE_SIZE}`,
    );
  }
  const includePersonalSpace = options.includePersonalSpace ?? false;
  if (typeof includePersonalSpace !== 'boolean') {
    invalid('includePersonalSpace', 'expected a boolean', 'true or false');
  }
  return {
    projects: stringList('projects', options.projects),
    collections: stringList('collections', options.collections),
    tags: stringList('tags', options.tags),
    include: compileGlobs('include', stringList('include', options.include)),
    exclude: compileGlobs('exclude', stringList('exclude', options.exclude)),
    includePersonalSpace,
    pageSize,
  };
}

/** Whether a workbook sits in a personal space. */
export function isPersonalSpace(
  workbook: Pick<RawWorkbook, 'projectName' | 'projectLuid'>,
): boolean {
  const noLuid = workbook.projectLuid === null || workbook.projectLuid === undefined;
  return noLuid && (workbook.projectName === PERSONAL_SPACE_PROJECT_NAME || !workbook.projectName);
}

interface ProjectScope {
  names: Set<string>;
  luids: Set<string>;
  server: WorkbooksQueryFilter;
}

async function resolveProjects(
  deps: WorkbooksDeps,
  specs: string[],
  features: MetadataFeatures,
  signal: AbortSignal | undefined,
  onWarning: ((warning: TableauWarning) => void) | undefined,
): Promise<ProjectScope> {
  const luids = specs.filter((s) => LUID.test(s));
  const paths = specs.filter((s) => !LUID.test(s) && s.includes('/'));
  const names = specs.filter((s) => !LUID.test(s) && !s.includes('/'));
  if (!features.projectLuid) return resolveProjectNames(deps, specs, signal, onWarning);
  if (paths.length === 0) {
    const server: WorkbooksQueryFilter =
      luids.length === 0
        ? { projectNameWithin: names }
        : names.length === 0
          ? { projectLuidWithin: luids }
          : {};
    return { names: new Set(names), luids: new Set(luids), server };
  }
  // Nested paths need the project tree: resolve every entry to luids.
  const projects = await listProjects(deps.session, deps.settings, signal);
  const pathOf = projectPaths(projects);
  const resolved = new Set(luids);
  for (const spec of [...paths, ...names]) {
    const matches = projects.filter((p) => pathOf.get(p.luid) === spec || p.name === spec);
    if (matches.length === 0) {
      invalid(
        'projects',
        `no project ${JSON.stringify(spec)} on the site`,
        'existing project names, paths or luids',
      );
    }
    for (const p of matches) resolved.add(p.luid);
  }
  return { names: new Set(), luids: resolved, server: { projectLuidWithin: [...resolved] } };
}

/**
 * Projects on a server without `projectLuid` (before 2022.3): every entry becomes a project name.
 * Paths and luids go through the REST project list; a name that several projects share matches
 * all of them, which a warning says.
 */
async function resolveProjectNames(
  deps: WorkbooksDeps,
  specs: string[],
  signal: AbortSignal | undefined,
  onWarning: ((warning: TableauWarning) => void) | undefined,
): Promise<ProjectScope> {
  const plainNames = specs.filter((s) => !LUID.test(s) && !s.includes('/'));
  if (plainNames.length === specs.length) {
    return { names: new Set(specs), luids: new Set(), server: { projectNameWithin: specs } };
  }
  const projects = await listProjects(deps.session, deps.settings, signal);
  const pathOf = projectPaths(projects);
  const chosen = new Set<string>();
  for (const spec of specs) {
    const matches = projects.filter(
      (p) => p.luid === spec || pathOf.get(p.luid) === spec || p.name === spec,
    );
    if (matches.length === 0) {
      invalid(
        'projects',
        `no project ${JSON.stringify(spec)} on the site`,
        'existing project names, paths or luids',
      );
    }
    for (const p of matches) chosen.add(p.luid);
  }
  const names = new Set(projects.filter((p) => chosen.has(p.luid)).map((p) => p.name));
  const others = projects.filter((p) => !chosen.has(p.luid) && names.has(p.name));
  if (others.length > 0) {
    const message =
      `this Tableau release has no Workbook.projectLuid (it came with Server 2022.3), so projects ` +
      `are matched by name, and ${others.map((p) => JSON.stringify(pathOf.get(p.luid) ?? p.name)).join(', ')} ` +
      `share a name with a chosen project: their workbooks are listed too`;
    deps.logger?.warn?.(`list workbooks: ${message}`, { projects: others.map((p) => p.luid) });
    onWarning?.({ code: 'PROJECT_NAME_AMBIGUOUS', message });
  }
  const list = [...names].sort(compareStrings);
  return { names, luids: new Set(), server: { projectNameWithin: list } };
}

/**
 * The server's Metadata API features, from its serverinfo (read once per client). With a pinned
 * REST API version, a server whose serverinfo cannot be read is judged by that version.
 */
async function serverFeatures(
  deps: WorkbooksDeps,
  signal: AbortSignal | undefined,
): Promise<MetadataFeatures> {
  try {
    return metadataFeatures(await deps.session.serverInfo(signal));
  } catch (error) {
    const pinned = deps.settings.apiVersion;
    if (pinned === undefined || signal?.aborted) throw error;
    return metadataFeatures({ productVersion: null, restApiVersion: pinned });
  }
}

async function resolveCollections(
  deps: WorkbooksDeps,
  specs: string[],
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const version = await deps.session.apiVersion(signal);
  if (!apiVersionAtLeast(version, COLLECTIONS_MIN_API_VERSION)) {
    throw new TableauApiError(
      'ERR_TABLEAU_UNSUPPORTED',
      `The collections filter needs Tableau REST API ${COLLECTIONS_MIN_API_VERSION} or later ` +
        `(Tableau Cloud, February 2026); this server speaks ${version}. Filter by projects or tags instead.`,
      {
        field: 'collections',
        details: { apiVersion: version },
        hint: 'filter by projects or tags instead',
      },
    );
  }
  const byName = specs.some((s) => !LUID.test(s))
    ? await listCollections(deps.session, deps.settings, signal)
    : [];
  const workbookLuids = new Set<string>();
  for (const spec of specs) {
    let collectionLuids: string[];
    if (LUID.test(spec)) collectionLuids = [spec];
    else {
      collectionLuids = byName.filter((c) => c.name === spec).map((c) => c.luid);
      if (collectionLuids.length === 0) {
        invalid(
          'collections',
          `no collection ${JSON.stringify(spec)} visible to this token's user`,
          'existing collection names or luids',
        );
      }
    }
    for (const luid of collectionLuids) {
      for (const item of await listCollectionItems(deps.session, luid, deps.settings, signal)) {
        if (item.type === 'workbook') workbookLuids.add(item.luid);
      }
    }
  }
  return workbookLuids;
}

function keep(
  workbook: RawWorkbook,
  filter: Filter,
  projects: ProjectScope | null,
  collection: Set<string> | null,
): boolean {
  const name = workbook.name ?? '';
  if (!filter.includePersonalSpace && isPersonalSpace(workbook)) return false;
  if (projects) {
    const byName =
      typeof workbook.projectName === 'string' && projects.names.has(workbook.projectName);
    const byLuid =
      typeof workbook.projectLuid === 'string' && projects.luids.has(workbook.projectLuid);
    if (!byName && !byLuid) return false;
  }
  if (collection && !(typeof workbook.luid === 'string' && collection.has(workbook.luid)))
    return false;
  if (filter.tags) {
    const tags = new Set((workbook.tags ?? []).map((t) => t?.name));
    if (!filter.tags.some((t) => tags.has(t))) return false;
  }
  if (filter.include && !filter.include(name)) return false;
  if (filter.exclude?.(name)) return false;
  return true;
}

/** List the workbooks in scope (see the module comment for filters and decisions). */
export async function listWorkbooks(
  deps: WorkbooksDeps,
  options: ListWorkbooksOptions = {},
): Promise<TableauWorkbook[]> {
  const filter = validateFilter(options);
  const { signal, onWarning, onProgress } = options;
  const features = await serverFeatures(deps, signal);
  const projects = filter.projects?.length
    ? await resolveProjects(deps, filter.projects, features, signal, onWarning)
    : null;
  const collection = filter.collections?.length
    ? await resolveCollections(deps, filter.collections, signal)
    : null;
  if (collection?.size === 0) return [];
  const server: WorkbooksQueryFilter = { ...projects?.server };
  if (collection && collection.size <= MAX_LUIDS_PER_QUERY)
    server.luidWithin = [...collection].sort(compareStrings);

  // Workbooks, published data sources and custom SQL are paged at the same time; the first
  // failure stops the other two.
  const stop = new AbortController();
  const inner = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const stopOthers = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      stop.abort();
      throw error;
    });
  const paging = {
    pageSize: filter.pageSize ?? deps.settings.pageSize,
    sizeToNodeBudget: filter.pageSize === undefined && !deps.settings.fixedPageSize,
    signal: inner,
    onWarning,
  };
  const workbooks = stopOthers(
    listWorkbookNodes(
      deps,
      paging,
      features,
      server,
      (node) => keep(node, filter, projects, collection),
      onProgress,
    ),
  );
  const [kept, published, customSql] = await Promise.all([
    workbooks,
    stopOthers(
      collect<RawPublishedDatasource>(deps, {
        ...paging,
        document: PUBLISHED_DATASOURCES_QUERY,
        connection: 'publishedDatasourcesConnection',
        variables: (page) => page,
        operation: 'list published data sources',
      }),
    ),
    stopOthers(listCustomSql(deps, paging, () => workbooks)),
  ]);

  // Normalised with the client's server and site, already in canonical order. Custom SQL is
  // listed site-wide: workbooks known only from it are out of the filter's scope.
  const listed = normalizeWorkbooks(
    [
      { data: { workbooksConnection: { nodes: kept } } },
      { data: { publishedDatasourcesConnection: { nodes: published } } },
      { data: { customSQLTablesConnection: { nodes: customSql } } },
    ],
    {
      serverUrl: deps.settings.baseUrl,
      siteName: deps.settings.siteName,
      customSqlOnlyWorkbooks: false,
    },
  );
  warnHiddenTables(deps, listed, onWarning);
  return listed;
}

/** Every node of a connection. */
async function collect<N>(deps: WorkbooksDeps, options: PaginateOptions): Promise<N[]> {
  const nodes: N[] = [];
  for await (const page of deps.metadata.paginate<N>(options)) nodes.push(...page.nodes);
  return nodes;
}

/** The workbooks in scope, deduplicated by luid, in listing order. */
async function listWorkbookNodes(
  deps: WorkbooksDeps,
  paging: Paging,
  features: MetadataFeatures,
  server: WorkbooksQueryFilter,
  inScope: (workbook: RawWorkbook) => boolean,
  onProgress: ListWorkbooksOptions['onProgress'],
): Promise<RawWorkbook[]> {
  const kept = new Map<string, RawWorkbook>();
  let fetched = 0;
  let pages = 0;
  for await (const page of deps.metadata.paginate<RawWorkbook>({
    ...paging,
    document: workbooksQuery(features),
    connection: 'workbooksConnection',
    variables: (page) => workbooksQueryVariables(page, server),
    operation: 'list workbooks',
  })) {
    pages++;
    fetched += page.nodes.length;
    for (const node of page.nodes) {
      if (typeof node.luid !== 'string' || kept.has(node.luid)) continue;
      if (inScope(node)) kept.set(node.luid, node);
    }
    onProgress?.({ pagesFetched: pages, workbooksFetched: fetched, totalCount: page.totalCount });
  }
  deps.logger?.debug?.(`listed ${fetched} workbooks in ${pages} pages, ${kept.size} in scope`, {
    pages,
    fetched,
    kept: kept.size,
  });
  return [...kept.values()];
}

/** One warning for tables Tableau hid from the token (see the module comment). */
function warnHiddenTables(
  deps: WorkbooksDeps,
  workbooks: TableauWorkbook[],
  onWarning: ((warning: TableauWarning) => void) | undefined,
): void {
  const affected = workbooks.filter((w) =>
    [...w.embeddedDatasources, ...w.publishedDatasources].some((d) => d.tables.some(isHiddenTable)),
  );
  if (affected.length === 0) return;
  const message =
    `${affected.length} workbook(s) use tables this token may not see: Tableau sends them with ` +
    'their names nulled, so they are reported as unmatched (hidden_by_permissions). To see them, ' +
    "grant the token's user the View capability on those databases and tables (Tableau Catalog " +
    'permissions of external assets), or the Site Administrator Explorer site role.';
  deps.logger?.warn?.(`list workbooks: ${message}`, {
    workbooks: affected.map((w) => w.luid),
  });
  onWarning?.({ code: 'HIDDEN_BY_PERMISSIONS', message });
}
