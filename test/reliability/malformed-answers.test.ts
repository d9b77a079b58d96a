/**
 * Answers of the wrong shape, through the public client: whatever JSON a server sends in place of
 * a Metadata API page, a workbook, a job or a sign-in, the client either reads it or fails with a
 * coded error (`ERR_TABLEAU_RESPONSE`), never a TypeError (`ERR_INTERNAL` in the CLI).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createTableauClient, DbtAutoExposuresError } from '../../src/index.js';
import { repoRoot } from '../helpers/shared-fixtures.js';
import { clientOptions, startMock } from './harness.js';
import { pathOf, type SeenRequest, startHostile } from './hostile.js';

const CUSTOMER_HEALTH = {
  kind: 'workbook' as const,
  luid: '1a2b3c4d-0000-4000-8000-00000000e003',
  name: 'Customer Health',
};

const connection = (nodes: unknown, pageInfo: unknown = { hasNextPage: false }) => ({
  data: {
    workbooksConnection: { nodes, pageInfo },
    customSQLTablesConnection: { nodes: [], pageInfo: { hasNextPage: false } },
    publishedDatasourcesConnection: { nodes: [], pageInfo: { hasNextPage: false } },
  },
});

const customSql = (fields: Record<string, unknown>) => ({
  data: {
    ...connection([
      {
        id: 'w1',
        luid: CUSTOMER_HEALTH.luid,
        name: 'Customer Health',
        embeddedDatasources: [{ id: 'e1', name: 'Orders', hasExtracts: true }],
      },
    ]).data,
    customSQLTablesConnection: {
      nodes: [
        {
          id: 'c1',
          name: 'Custom SQL Query',
          query: 'select 1',
          downstreamWorkbooks: [{ luid: CUSTOMER_HEALTH.luid, name: 'Customer Health' }],
          columnsConnection: {
            nodes: [
              {
                referencedByFields: [
                  { datasource: { id: 'e1', workbook: { luid: CUSTOMER_HEALTH.luid } } },
                ],
              },
            ],
          },
          ...fields,
        },
      ],
      pageInfo: { hasNextPage: false },
    },
  },
});

const workbook = (fields: Record<string, unknown>) =>
  connection([{ id: 'w1', luid: CUSTOMER_HEALTH.luid, name: 'Customer Health', ...fields }]);

/** Metadata API answers (HTTP 200). */
const GRAPHQL: [string, unknown][] = [
  ['nodes is an object', connection({ a: 1 })],
  ['nodes is a string', connection('nodes')],
  ['nodes holds a number', connection([1])],
  ['nodes holds a list', connection([[]])],
  ['the connection is a list', { data: { workbooksConnection: [] } }],
  ['the connection is a string', { data: { workbooksConnection: 'x' } }],
  ['pageInfo is a string', connection([], 'x')],
  ['endCursor is a number', connection([], { hasNextPage: true, endCursor: 5 })],
  ['errors is an object', { errors: { message: 'x' }, data: null }],
  ['errors is a string', { errors: 'x' }],
  [
    'an error whose severity is a number',
    { errors: [{ message: 'x', extensions: { severity: 5 } }] },
  ],
  ['an error whose extensions is a string', { errors: [{ message: 'x', extensions: 'x' }] }],
  ['an error whose message is an object', { errors: [{ message: {}, extensions: { code: [] } }] }],
  ['data is a list', { data: [] }],
  ['data is a string', { data: 'x' }],
  ['the body is a list', []],
  ['the body is a string', 'x'],
  ['the body is null', null],
  ['a workbook whose luid is a number', workbook({ luid: 5 })],
  ['a workbook whose name is an object', workbook({ name: {} })],
  ['embeddedDatasources is an object', workbook({ embeddedDatasources: {} })],
  ['embeddedDatasources holds a string', workbook({ embeddedDatasources: ['x'] })],
  [
    'upstreamTables is a string',
    workbook({ embeddedDatasources: [{ id: 'e', upstreamTables: 'x' }] }),
  ],
  [
    'a table that is a number',
    workbook({ embeddedDatasources: [{ id: 'e', upstreamTables: [7] }] }),
  ],
  ['upstreamDatasources is a number', workbook({ upstreamDatasources: 3 })],
  ['owner is a string', workbook({ owner: 'x' })],
  ['tags is an object', workbook({ tags: { name: 'x' } })],
  ['tags holds a number', workbook({ tags: [1] })],
  ['custom SQL whose query is a number', customSql({ query: 5 })],
  ['custom SQL whose tables is a string', customSql({ tables: 'x' })],
  ['custom SQL whose columnsConnection is a string', customSql({ columnsConnection: 'x' })],
  ['custom SQL whose column nodes is an object', customSql({ columnsConnection: { nodes: {} } })],
  [
    'custom SQL whose referencedByFields is an object',
    customSql({ columnsConnection: { nodes: [{ referencedByFields: {} }] } }),
  ],
  ['custom SQL whose downstreamWorkbooks is an object', customSql({ downstreamWorkbooks: {} })],
  ['custom SQL whose database is a string', customSql({ database: 'x' })],
  [
    'extractLastRefreshTime is an object',
    workbook({ embeddedDatasources: [{ id: 'e', extractLastRefreshTime: {} }] }),
  ],
];

/** REST answers (HTTP 200/202) on the given route. */
const REST: [string, (r: SeenRequest) => boolean, unknown][] = [
  ['server info without a version', (r) => pathOf(r).endsWith('/serverinfo'), { serverInfo: 5 }],
  [
    'a version that is a number',
    (r) => pathOf(r).endsWith('/serverinfo'),
    { serverInfo: { restApiVersion: 3.2 } },
  ],
  ['credentials is a string', (r) => pathOf(r).endsWith('/auth/signin'), { credentials: 'x' }],
  [
    'a token that is a number',
    (r) => pathOf(r).endsWith('/auth/signin'),
    { credentials: { token: 5, site: { id: 's' } } },
  ],
  ['a refresh answer whose job is a list', (r) => pathOf(r).endsWith('/refresh'), { job: [] }],
  ['a job id that is an object', (r) => pathOf(r).endsWith('/refresh'), { job: { id: {} } }],
  ['a job that is a string', (r) => pathOf(r).includes('/jobs/'), { job: 'x' }],
  [
    'a finishCode that is an object',
    (r) => pathOf(r).includes('/jobs/'),
    { job: { id: 'j', finishCode: {}, completedAt: [] } },
  ],
];

async function outcomeOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    return await action();
  } catch (error) {
    return error;
  }
}

t.test('Metadata API answers of the wrong shape', async (t) => {
  for (const [name, body] of GRAPHQL) {
    const mock = await startMock(t);
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: (r) =>
        pathOf(r) === '/api/metadata/graphql' ? { body: JSON.stringify(body) } : 'forward',
    });
    const client = createTableauClient(
      clientOptions({ url: origin.url, siteName: mock.siteName }, { retries: 0 }),
    );
    for (const [operation, action] of [
      ['listWorkbooks', () => client.listWorkbooks()],
      ['getLastRefreshTimes', () => client.getLastRefreshTimes([CUSTOMER_HEALTH])],
    ] as const) {
      const outcome = await outcomeOf(action);
      if (outcome instanceof Error) {
        t.type(outcome, DbtAutoExposuresError, `${name}, ${operation}: coded (${outcome.message})`);
        t.match((outcome as DbtAutoExposuresError).code, /^ERR_TABLEAU_(RESPONSE|GRAPHQL)$/);
      } else {
        t.pass(`${name}, ${operation}: read`);
      }
    }
  }
});

t.test('GraphQL nodes that is an object: ERR_TABLEAU_RESPONSE naming the field', async (t) => {
  const mock = await startMock(t);
  const origin = await startHostile(t, {
    upstream: mock.url,
    rule: (r) =>
      pathOf(r) === '/api/metadata/graphql' ? { body: JSON.stringify(connection({})) } : 'forward',
  });
  const client = createTableauClient(clientOptions({ url: origin.url, siteName: mock.siteName }));
  const error = await outcomeOf(() => client.listWorkbooks());
  t.match(error, {
    code: 'ERR_TABLEAU_RESPONSE',
    message: /workbooksConnection\.nodes that is not a list/,
  });
});

t.test('REST answers of the wrong shape', async (t) => {
  for (const [name, matches, body] of REST) {
    const mock = await startMock(t, { jobPlan: { queuedMs: 0, runMs: 0 } });
    const origin = await startHostile(t, {
      upstream: mock.url,
      rule: (r) => (matches(r) ? { status: 200, body: JSON.stringify(body) } : 'forward'),
    });
    const client = createTableauClient(
      clientOptions({ url: origin.url, siteName: mock.siteName }, { retries: 0 }),
    );
    const outcome = await outcomeOf(async () => {
      const trigger = await client.refresh(CUSTOMER_HEALTH);
      // A job whose finishCode is unreadable reads as still running: it is waited for until
      // the deadline, so the deadline is short.
      return trigger.status === 'queued'
        ? client.waitForJob(trigger.jobId, { timeoutMs: 300, pollIntervalMs: 20 })
        : trigger;
    });
    if (outcome instanceof Error) {
      t.type(outcome, DbtAutoExposuresError, `${name}: coded (${outcome.message})`);
      t.match((outcome as DbtAutoExposuresError).code, /^ERR_TABLEAU_/);
    } else {
      t.pass(`${name}: read`);
    }
  }
});

t.test('cases tried, as docs/reliability.md states', async (t) => {
  const doc = await readFile(join(repoRoot, 'docs', 'reliability.md'), 'utf8');
  t.equal(
    Number(/Malformed answers tried: \*\*(\d+)\*\*/.exec(doc)?.[1]),
    GRAPHQL.length + REST.length,
  );
});
