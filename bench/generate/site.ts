/**
 * Synthetic Tableau sites in the library's normalised model (`TableauWorkbook[]`), drawn from a
 * `ProjectPlan` so most tables reference real dbt relations. Each workbook has one embedded data
 * source with direct tables, one custom SQL query, and (for most) one shared published data
 * source; table names come in Tableau's spellings (`[DB].[SCHEMA].[T]`, `DB.SCHEMA.T`,
 * `[SCHEMA].[T]` with the database beside it, upper-cased as Snowflake reports them), with a few
 * tables dbt does not know and a few file connections. Deterministic in `(plan, options)`.
 */
import type {
  TableauCustomSql,
  TableauPublishedDatasource,
  TableauTable,
  TableauWorkbook,
} from '../library.js';
import type { PlannedNode, ProjectPlan } from './project.js';
import { Rng, word } from './rng.js';

export interface SiteOptions {
  seed: number;
  workbooks: number;
  /** Table references per workbook across its data sources (default 20). */
  tablesPerWorkbook?: number;
  /** Projects on the site (default 40). */
  projects?: number;
}

export interface Site {
  workbooks: TableauWorkbook[];
  publishedDatasources: TableauPublishedDatasource[];
  projects: { luid: string; name: string }[];
  /** Table references across all workbooks (published tables counted once per workbook using them). */
  tableReferences: number;
}

const PUBLISHED_TABLES = 5;

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function tableOf(rng: Rng, plan: ProjectPlan): TableauTable {
  const roll = rng.next();
  if (roll < 0.02) {
    const name = `${word(rng)}_export.xlsx`;
    return {
      name,
      fullName: `[${name}]`,
      schema: null,
      databaseName: name,
      connectionType: 'excel-direct',
    };
  }
  // Tables dbt does not build (hand-made, other pipelines): reported as unmatched.
  const node: Pick<PlannedNode, 'database' | 'schema' | 'identifier'> =
    roll < 0.07
      ? {
          database: 'ANALYTICS',
          schema: 'SANDBOX',
          identifier: `adhoc_${word(rng)}_${rng.int(0, 9999)}`,
        }
      : plan.matchable[rng.int(0, plan.matchable.length - 1)]!;
  const db = node.database.toUpperCase();
  const schema = node.schema.toUpperCase();
  const name = node.identifier.toUpperCase();
  const style = rng.next();
  const fullName =
    style < 0.6
      ? `[${db}].[${schema}].[${name}]`
      : style < 0.85
        ? `${db}.${schema}.${name}`
        : `[${schema}].[${name}]`;
  return { name, fullName, schema, databaseName: db, connectionType: 'snowflake' };
}

function customSql(rng: Rng, plan: ProjectPlan, tables: TableauTable[]): TableauCustomSql {
  const from = tables.map((t) => t.fullName ?? t.name);
  return {
    name: 'Custom SQL Query',
    query: `SELECT *\nFROM ${from[0]} a\n${from
      .slice(1)
      .map((f, i) => `JOIN ${f} j${i} ON j${i}.ID = a.ID`)
      .join('\n')}\nWHERE a.${word(rng).toUpperCase()}_AT >= DATEADD(day, -30, CURRENT_DATE)`,
    connectionType: 'snowflake',
    databaseName: tables[0]?.databaseName ?? plan.matchable[0]?.database ?? null,
    isUnsupported: false,
    tables,
  };
}

/** Build a site. */
export function generateSite(plan: ProjectPlan, options: SiteOptions): Site {
  const rng = new Rng(options.seed ^ 0x7ab1ea);
  const perWorkbook = options.tablesPerWorkbook ?? 20;
  const projects = Array.from({ length: options.projects ?? 40 }, (_, i) => ({
    luid: uuid(rng),
    name: `${word(rng)[0]!.toUpperCase()}${word(rng).slice(1)} ${i}`,
  }));
  const published: TableauPublishedDatasource[] = Array.from(
    { length: Math.max(1, Math.round(options.workbooks / 10)) },
    (_, i) => {
      const tables = Array.from({ length: PUBLISHED_TABLES }, () => tableOf(rng, plan));
      const hasExtracts = rng.chance(0.7);
      return {
        luid: uuid(rng),
        name: `${word(rng)} ${word(rng)} certified ${i}`,
        projectName: rng.pick(projects).name,
        vizportalUrlId: String(10_000 + i),
        hasExtracts,
        extractLastRefreshTime: hasExtracts
          ? `2026-01-0${rng.int(1, 9)}T0${rng.int(0, 9)}:00:00Z`
          : null,
        tables,
        customSql: [],
      };
    },
  );
  let tableReferences = 0;
  const workbooks: TableauWorkbook[] = [];
  for (let i = 0; i < options.workbooks; i += 1) {
    const project = rng.pick(projects);
    const upstream =
      rng.chance(0.7) && perWorkbook > PUBLISHED_TABLES + 2 ? [rng.pick(published)] : [];
    const remaining = perWorkbook - upstream.length * PUBLISHED_TABLES;
    const sqlTables = Math.min(remaining, rng.int(1, 3));
    const direct = Array.from({ length: remaining - sqlTables }, () => tableOf(rng, plan));
    const sql =
      sqlTables > 0
        ? [
            customSql(
              rng,
              plan,
              Array.from({ length: sqlTables }, () => tableOf(rng, plan)),
            ),
          ]
        : [];
    tableReferences += perWorkbook;
    const luid = uuid(rng);
    const hasExtracts = rng.chance(0.5);
    const owner = `${word(rng)}.${word(rng)}${i % 97}`;
    workbooks.push({
      luid,
      name: `${word(rng)} ${word(rng)} dashboard ${i}`,
      projectName: project.name,
      projectLuid: project.luid,
      owner: { name: owner.replace('.', ' '), email: `${owner}@acme.test`, username: owner },
      tags: rng.chance(0.3) ? [word(rng)] : [],
      description: null,
      createdAt: '2025-06-01T00:00:00Z',
      updatedAt: `2026-01-0${rng.int(1, 9)}T12:00:00Z`,
      vizportalUrlId: String(100_000 + i),
      url: null,
      embeddedDatasources: [
        {
          name: `${word(rng)} (ANALYTICS)`,
          hasExtracts,
          extractLastRefreshTime: hasExtracts ? '2026-01-01T06:00:00Z' : null,
          tables: direct,
          customSql: sql,
          publishedDatasourceLuids: upstream.map((d) => d.luid),
        },
      ],
      publishedDatasources: upstream,
    });
  }
  return { workbooks, publishedDatasources: published, projects, tableReferences };
}
