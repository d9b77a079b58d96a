/**
 * Resolving a `MockSiteInput` into a complete `MockSite`, with every id, project and data source
 * filled in deterministically.
 *
 * Assumptions where Tableau's behaviour is not established (see docs/testing-with-the-mock-server.md):
 * workbooks in a personal space report `projectName: "Personal Space"` and `projectLuid: null`.
 */
import { DbtAutoExposuresError } from '../errors.js';
import type {
  MockCustomSql,
  MockCustomSqlInput,
  MockEmbeddedDatasource,
  MockProject,
  MockPublishedDatasource,
  MockPublishedDatasourceInput,
  MockSite,
  MockSiteInput,
  MockTable,
  MockTableInput,
  MockWorkbook,
} from './site-model.js';

/** Fixed timestamp used when a workbook gives none (keeps served payloads deterministic). */
export const MOCK_DEFAULT_TIME = '2024-01-01T00:00:00Z';
/** Project name reported for personal-space workbooks (assumption, see module doc). */
export const PERSONAL_SPACE_PROJECT_NAME = 'Personal Space';

function invalid(field: string, message: string): DbtAutoExposuresError {
  return new DbtAutoExposuresError('ERR_INVALID_OPTION', `Mock site: ${message}`, {
    field,
    expected: 'a valid MockSiteInput',
  });
}

/** A stable GraphQL-style id derived from a path of names (not a secret, not random). */
export function mockId(...parts: string[]): string {
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
  };
}

function resolveCustomSql(
  input: MockCustomSqlInput & { isUnsupported?: boolean },
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
      publishedDatasourceLuids: [...publishedLuids].sort(),
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
