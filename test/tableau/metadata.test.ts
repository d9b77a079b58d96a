import t, { type Test } from 'tap';
import { TableauApiError } from '../../src/errors.js';
import { isLimitError } from '../../src/tableau/metadata.js';
import type { TableauWarning } from '../../src/tableau/types.js';
import { assertNoSecrets, SENTINEL_SESSION_TOKEN } from '../helpers/secrets.js';
import { buildParts, clientOptions, rejection } from './harness.js';
import { asserter, type SeenRequest, startScriptedServer } from './scripted-server.js';

/** A scripted Tableau: REST sign-in, and GraphQL answered by `graphql`. */
async function tableau(
  t: Test,
  graphql: (variables: Record<string, unknown>, i: number) => unknown,
) {
  let calls = 0;
  const server = await startScriptedServer((req: SeenRequest) => {
    if (req.url.endsWith('/serverinfo'))
      return { body: '{"serverInfo":{"restApiVersion":"3.22"}}' };
    if (req.url.endsWith('/signin'))
      return {
        body: JSON.stringify({
          credentials: { token: SENTINEL_SESSION_TOKEN, site: { id: 'site' }, user: { id: 'u' } },
        }),
      };
    const { variables } = JSON.parse(req.body) as { variables: Record<string, unknown> };
    return { body: JSON.stringify(graphql(variables, calls++)) };
  });
  t.teardown(() => server.close());
  return { server, parts: buildParts(clientOptions({ url: server.url, siteName: 's' })) };
}

const connection = (nodes: unknown[], hasNextPage: boolean, endCursor: string | null) => ({
  data: { workbooksConnection: { nodes, totalCount: 9, pageInfo: { hasNextPage, endCursor } } },
});

async function collect(
  parts: ReturnType<typeof buildParts>,
  pageSize = 4,
  onWarning?: (w: TableauWarning) => void,
) {
  const pages = [];
  for await (const page of parts.metadata.paginate<{ luid: string }>({
    document:
      'query Q($first: Int!, $after: String) { workbooksConnection(first: $first, after: $after) { nodes { luid } } }',
    connection: 'workbooksConnection',
    variables: (p) => p,
    pageSize,
    operation: 'list',
    onWarning,
  })) {
    pages.push(page);
  }
  return pages;
}

t.test('pagination loops on hasNextPage, not on the cursor', async (t) => {
  const { server, parts } = await tableau(t, (v) =>
    v.after === null
      ? connection([{ luid: 'a' }, null, { luid: 'b' }], true, 'c1')
      : connection([{ luid: 'c' }], false, 'c2-still-set-on-the-last-page'),
  );
  const pages = await collect(parts);
  t.same(
    pages.map((p) => [p.pageNumber, p.nodes.map((n) => n.luid), p.totalCount, p.pageSize]),
    [
      [1, ['a', 'b'], 9, 4],
      [2, ['c'], 9, 4],
    ],
  );
  t.equal(server.requests.length, 4, 'serverinfo, sign-in, two pages');
  t.same(JSON.parse(server.requests[3]?.body ?? '').variables, { first: 4, after: 'c1' });
});

t.test('a repeated or missing cursor stops the loop with an error', async (t) => {
  const repeated = await tableau(t, () => connection([{ luid: 'a' }], true, 'same'));
  const error = (await rejection(collect(repeated.parts))) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_RESPONSE');
  t.equal(
    error.message,
    'list (page 2): hasNextPage is true but the endCursor is one already followed; stopping instead of looping',
  );
  const missing = await tableau(t, () => connection([{ luid: 'a' }], true, null));
  t.match(await rejection(collect(missing.parts)), { message: /endCursor is missing/ });
});

t.test(
  'partial data: the page is asked again with half the size, down to 1, then fails keeping the data',
  async (t) => {
    const sizes: unknown[] = [];
    const partial = {
      data: { workbooksConnection: { nodes: [{ luid: 'half' }] } },
      errors: [
        {
          message: 'Reached time limit of PT5S for query execution.',
          path: null,
          extensions: null,
        },
      ],
    };
    const { parts } = await tableau(t, (v) => {
      sizes.push(v.first);
      return partial;
    });
    const error = (await rejection(collect(parts, 5))) as TableauApiError;
    t.same(sizes, [5, 2, 1]);
    t.equal(error.code, 'ERR_TABLEAU_GRAPHQL');
    t.same(error.partialData, partial.data);
    t.same(error.graphqlErrors, partial.errors);
    t.equal(
      error.message,
      'list (page 1): the Metadata API answered with partial data and errors: Reached time limit of PT5S for query execution.',
    );
  },
);

t.test(
  'a node-limit error without data also shrinks the page, and later pages keep the size',
  async (t) => {
    const sizes: unknown[] = [];
    const { parts } = await tableau(t, (v, i) => {
      sizes.push(v.first);
      if (i === 0)
        return {
          data: null,
          errors: [{ message: 'too big', extensions: { code: 'NODE_LIMIT_EXCEEDED' } }],
        };
      return v.after === null
        ? connection([{ luid: 'a' }], true, 'c1')
        : connection([], false, null);
    });
    const pages = await collect(parts, 8);
    t.same(sizes, [8, 4, 4]);
    t.same(
      pages.map((p) => p.pageSize),
      [4, 4],
    );
  },
);

t.test('other GraphQL errors fail at once; warnings are passed on, not thrown', async (t) => {
  const failing = await tableau(t, () => ({
    data: null,
    errors: [{ message: 'Access denied', extensions: { code: 'ACCESS_DENIED' } }],
  }));
  const error = (await rejection(collect(failing.parts))) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_GRAPHQL');
  t.equal(error.tableauCode, 'ACCESS_DENIED');
  t.equal(error.partialData, undefined);
  t.equal(error.message, 'list (page 1): the Metadata API answered with errors: Access denied');

  const warned = await tableau(t, () => ({
    ...connection([{ luid: 'a' }], false, null),
    errors: [
      {
        message: `switched for ${SENTINEL_SESSION_TOKEN}`,
        extensions: { severity: 'WARNING', code: 'PERMISSIONS_MODE_SWITCHED' },
      },
      { message: 'no code', extensions: { severity: 'warning' } },
    ],
  }));
  const warnings: TableauWarning[] = [];
  const pages = await collect(warned.parts, 4, (w) => warnings.push(w));
  t.equal(pages.length, 1);
  t.same(warnings, [
    { code: 'PERMISSIONS_MODE_SWITCHED', message: 'switched for [REDACTED]' },
    { code: null, message: 'no code' },
  ]);
  t.ok(warned.parts.log.lines.some((l) => l.level === 'warn'));
  assertNoSecrets(asserter(t), warned.parts.log.lines, warnings);
});

t.test('answers that are not GraphQL responses are ERR_TABLEAU_RESPONSE', async (t) => {
  for (const [body, message] of [
    [[1, 2], 'list (page 1): the Metadata API answer is not a GraphQL response object'],
    [{ data: null }, 'list (page 1): the Metadata API answer has neither data nor errors'],
    [{ data: { other: {} } }, 'list (page 1): the Metadata API answer has no workbooksConnection'],
  ] as const) {
    const { parts } = await tableau(t, () => body);
    const error = (await rejection(collect(parts))) as TableauApiError;
    t.equal(error.code, 'ERR_TABLEAU_RESPONSE');
    t.equal(error.message, message);
  }
});

t.test('isLimitError', async (t) => {
  const graphql = (fields: ConstructorParameters<typeof TableauApiError>[2], message = 'x') =>
    new TableauApiError('ERR_TABLEAU_GRAPHQL', message, fields);
  t.equal(isLimitError(graphql({ partialData: { a: 1 } })), true);
  t.equal(isLimitError(graphql({ tableauCode: 'TIME_LIMIT_EXCEEDED' })), true);
  t.equal(isLimitError(graphql({}, 'exceeded the 20000 node limit')), true);
  t.equal(isLimitError(graphql({ tableauCode: 'ACCESS_DENIED' })), false);
  t.equal(isLimitError(new TableauApiError('ERR_TABLEAU_API', 'time limit')), false);
  t.equal(isLimitError(new Error('time limit')), false);
});
