/**
 * `buildMockSite`: deterministic, realistic mock sites of any size, for tests and benchmarks. Same
 * options → same site. The mix: nested projects, a few owners, workbooks over embedded sources
 * (extract or live), shared published data sources, custom SQL (parsed and unparsed), Excel and web
 * data connector tables, tags, and some personal-space workbooks.
 */
import type { MockSiteInput, MockTableInput, MockWorkbookInput } from './site-model.js';

/** Options of `buildMockSite`. */
export interface BuildMockSiteOptions {
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Number of workbooks. Default 20. */
  workbooks?: number;
  /** Number of top-level projects (each with one nested child). Default 3. */
  projects?: number;
  /** Number of published data sources. Default: workbooks / 5, at least 1. */
  publishedDatasources?: number;
  /** Site contentUrl. Default "mock". */
  contentUrl?: string;
  /** Warehouse database name used in table names. Default "ANALYTICS". */
  database?: string;
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
