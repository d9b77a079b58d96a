/**
 * The dbt_project.yml reader never disagrees with the yaml package: whenever it answers (instead of
 * `null`, "parse it with yaml"), yaml parses the same text without error and gives the same value
 * for every key asked. Checked on generated documents (well-formed trees, then mutated line by
 * line with the characters and shapes YAML is picky about) and on a table of real-world files,
 * which must stay inside the subset (else the fast path would never run in practice).
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { parse } from 'yaml';
import { readTopLevelKeys } from '../../src/artifacts/dbt-project-yaml.js';

const REQUESTED = ['target-path', 'model-paths', 'source-paths'];
const KEY_POOL = [...REQUESTED, 'name', 'models', 'a', '+schema', 'x.y', 'c-d/e'];
/** Keys YAML treats specially or that are outside the subset. */
const ODD_KEYS = ['1', 'true', 'null', '~', 'a b', '"q"', "'q'", 'a:b', '-k', '? k', '.5', '+1'];

/** The yaml package's verdict: the value per key (undefined when absent), or why there is none. */
function yamlView(
  text: string,
  keys: readonly string[],
): Record<string, unknown> | 'throws' | 'not a mapping' {
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: 'error' }); // errors throw; warnings are not printed
  } catch {
    return 'throws';
  }
  const record = (doc ?? {}) as Record<string, unknown>;
  if (typeof record !== 'object' || Array.isArray(record)) return 'not a mapping';
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}

function readerView(text: string, keys: readonly string[]): Record<string, unknown> | null {
  const result = readTopLevelKeys(text, keys);
  return result === null ? null : Object.fromEntries(keys.map((k) => [k, result[k]]));
}

// ---- generators ----

const plainChars = fc.constantFrom(
  ...'abxyz019 _./+$()=<>@%,;:#~?!*&|^`\\-[]{}"\''.split(''),
  '\t',
  'é',
);
const plain = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('models', 'target', 'build/out', 'view', 'v1.0', '+x') },
  { weight: 3, arbitrary: fc.string({ unit: plainChars, minLength: 1, maxLength: 6 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('1', '0x1F', '.inf', '-2', 'true', 'False', 'null', '~', '1e3'),
  },
  // Where plain scalars end or may not start: mapping and comment indicators, flow characters.
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...['x: y', 'x:', 'x :', 'x:y', 'a #b', 'a#b', 'http://h:1/p', 'a, b', 'a,b', 'x]', 'x}'],
      ...['- x', '-x', '? x', '?x', ': x', ':x', '@x', '`x', '%x', '!x', '&x', '*x', '|', '>'],
      ...['#x', 'a b', 'a  b', '(x)', '$x', 'a=b', 'a\\b', 'x:#', 'a #', 'a:\t'],
    ),
  },
);
const quoted = fc.oneof(
  fc.string({ unit: plainChars, maxLength: 6 }).map((s) => `'${s.replaceAll("'", "''")}'`),
  fc.string({ unit: plainChars, maxLength: 6 }).map((s) => `"${s}"`),
  fc.constantFrom("'it''s'", '"a\\nb"', "'x' 'y'", '"{{ env_var(\'X\') }}"', "'a"),
);
const scalar = fc.oneof({ weight: 3, arbitrary: plain }, { weight: 2, arbitrary: quoted });
const flow = fc
  .tuple(
    fc.array(scalar, { maxLength: 3 }),
    fc.constantFrom(', ', ',', ' , '),
    fc.constantFrom('', ',', ', '),
  )
  .map(([items, sep, trail]) => `[${items.join(sep)}${items.length > 0 ? trail : ''}]`);
const tail = fc.constantFrom('', '', '', ' # note', '#note', '  ', ' #');

type Node = { kind: 'scalar'; text: string } | { kind: 'seq'; items: string[] } | Entries;
type Entries = { kind: 'map'; entries: [string, Node][] };

const tree = fc.letrec<{ node: Node; map: Entries }>((tie) => ({
  node: fc.oneof(
    { weight: 4, arbitrary: fc.oneof(scalar, flow).map((text) => ({ kind: 'scalar', text })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'scalar', text: '' }) },
    {
      weight: 2,
      arbitrary: fc
        .array(scalar, { minLength: 1, maxLength: 3 })
        .map((items) => ({ kind: 'seq', items })),
    },
    { weight: 2, arbitrary: tie('map') },
  ) as fc.Arbitrary<Node>,
  map: fc
    .array(fc.tuple(fc.constantFrom(...KEY_POOL), tie('node')), { minLength: 1, maxLength: 4 })
    .map((entries) => ({ kind: 'map', entries })) as fc.Arbitrary<Entries>,
}));

/** Render a tree as block YAML; `step` spaces per level, sequences compact or indented. */
function render(map: Entries, step: number, compact: boolean, tails: string[]): string[] {
  const lines: string[] = [];
  let n = 0;
  const nextTail = () => tails[n++ % tails.length] ?? '';
  const walk = (m: Entries, indent: number) => {
    const pad = ' '.repeat(indent);
    for (const [key, node] of m.entries) {
      if (node.kind === 'scalar') {
        lines.push(`${pad}${key}:${node.text === '' ? '' : ` ${node.text}`}${nextTail()}`);
      } else if (node.kind === 'seq') {
        lines.push(`${pad}${key}:`);
        const itemPad = compact ? pad : ' '.repeat(indent + step);
        for (const item of node.items) lines.push(`${itemPad}- ${item}${nextTail()}`);
      } else {
        lines.push(`${pad}${key}:`);
        walk(node, indent + step);
      }
    }
  };
  walk(map, 0);
  return lines;
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('none' as const) }),
  fc.record({
    op: fc.constant('indent' as const),
    at: fc.nat(),
    by: fc.integer({ min: -3, max: 3 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    line: fc.oneof(
      fc.constantFrom(
        '',
        '# c',
        '   # c',
        '---',
        '...',
        '%YAML 1.2',
        '- x',
        '  y',
        'k: |',
        '\tk: v',
      ),
      fc
        .tuple(fc.constantFrom(...KEY_POOL, ...ODD_KEYS), fc.oneof(scalar, flow))
        .map(([k, v]) => `${k}: ${v}`),
    ),
  }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
);

const documents = fc
  .tuple(
    tree.map,
    fc.constantFrom(2, 4, 1),
    fc.boolean(),
    fc.array(tail, { minLength: 1, maxLength: 4 }),
    fc.array(mutation, { maxLength: 2 }),
    fc.constantFrom('\n', '\n', '', '\r\n'),
  )
  .map(([map, step, compact, tails, mutations, end]) => {
    const lines = render(map, step, compact, tails);
    for (const m of mutations) {
      const at = m.op === 'none' ? 0 : m.at % (lines.length + 1);
      if (m.op === 'indent' && at < lines.length) {
        const line = lines[at]!;
        lines[at] =
          m.by >= 0 ? ' '.repeat(m.by) + line : line.slice(Math.min(-m.by, line.search(/\S|$/)));
      } else if (m.op === 'insert') {
        lines.splice(at, 0, m.line);
      } else if (m.op === 'duplicate' && at < lines.length) {
        lines.splice(at, 0, lines[at]!);
      }
    }
    return lines.join(end === '\r\n' ? '\r\n' : '\n') + end;
  });

t.test('the reader answers only where yaml agrees, on generated documents', async (t) => {
  let answered = 0;
  let declined = 0;
  let declinedValid = 0;
  const keys = [...REQUESTED, 'name', 'a', '+schema'];
  fc.assert(
    fc.property(documents, (text) => {
      const mine = readerView(text, keys);
      const theirs = yamlView(text, keys);
      if (mine === null) {
        declined += 1;
        if (typeof theirs === 'object') declinedValid += 1;
        return true;
      }
      answered += 1;
      if (typeof theirs !== 'object') return false;
      // Only requested keys whose values the reader resolves are compared (others are absent).
      return REQUESTED.every((k) => isDeepStrictEqual(mine[k], theirs[k]));
    }),
    { numRuns: 4000 },
  );
  // Both verdicts are reached often, and yaml-valid documents are declined too (so the fallback
  // path is exercised, not only documents yaml rejects).
  t.ok(answered > 250, `${answered} answered`);
  t.ok(declined > 400, `${declined} declined`);
  t.ok(declinedValid > 50, `${declinedValid} valid documents declined`);
});

t.test('the reader answers only where yaml agrees, line by line', async (t) => {
  // Every key and value shape alone on a line, and the same under a parent key.
  let answered = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...KEY_POOL, ...ODD_KEYS),
      fc.oneof(scalar, flow, fc.constant('')),
      tail,
      (key, value, after) => {
        for (const text of [
          `${key}:${value === '' ? '' : ` ${value}`}${after}\n`,
          `name: p\nmodels:\n  ${key}: ${value}${after}\ntarget-path: t\n`,
          `model-paths:\n  - ${value}${after}\n`,
          `source-paths:\n- ${value}${after}\nname: p\n`,
        ]) {
          const mine = readerView(text, REQUESTED);
          if (mine === null) continue;
          answered += 1;
          const theirs = yamlView(text, REQUESTED);
          if (typeof theirs !== 'object' || !isDeepStrictEqual(mine, theirs)) return false;
        }
        return true;
      },
    ),
    { numRuns: 3000 },
  );
  t.ok(answered > 1000, `${answered} answered`);
});

const REAL_WORLD: [string, string][] = [
  [
    'dbt init',
    `
# Name your project! Project names should contain only lowercase characters
# and underscores.
name: 'my_new_project'
version: '1.0.0'
config-version: 2

# This setting configures which "profile" dbt uses for this project.
profile: 'default'

# These configurations specify where dbt should look for different types of files.
model-paths: ["models"]
analysis-paths: ["analyses"]
test-paths: ["tests"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]

clean-targets:         # directories to be removed by \`dbt clean\`
  - "target"
  - "dbt_packages"

models:
  my_new_project:
    # Config indicated by + and applies to all files under models/example/
    example:
      +materialized: view
`,
  ],
  [
    'jaffle_shop with vars, hooks and a target path',
    `name: jaffle_shop
version: "1.0.0"
config-version: 2
profile: jaffle_shop
require-dbt-version: [">=1.5.0", "<2.0.0"]
model-paths:
- models
target-path: build/target
vars:
  truncate_timespan_to: "{{ current_timestamp() }}"
  start_date: '2020-01-01'
  "dbt_date:time_zone": "America/Los_Angeles"
on-run-end:
  - "{{ grant_select(schemas) }}"
models:
  jaffle_shop:
    +on_schema_change: append_new_columns
    staging:
      +materialized: view
      +tags: ["staging", 'nightly']
    marts:
      +materialized: table
      +post-hook: "grant select on {{ this }} to role reporter"
seeds:
  jaffle_shop:
    +schema: raw
`,
  ],
];

t.test(
  'real-world dbt_project.yml files are inside the subset and read as yaml reads them',
  async (t) => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(
      new URL('../../examples/jaffle-tableau/dbt_project.yml', import.meta.url),
      'utf8',
    );
    for (const [name, text] of [['examples/jaffle-tableau', example], ...REAL_WORLD] as const) {
      const mine = readerView(text, REQUESTED);
      t.not(mine, null, `${name}: answered without yaml`);
      t.same(mine, yamlView(text, REQUESTED), `${name}: same values as yaml`);
    }
  },
);

t.test('shapes left to yaml', async (t) => {
  const declined = [
    'target-path: 1\n', // a number, not a string
    'target-path: ~\n', // null by another spelling
    'model-paths:\n  a: b\n', // a mapping
    'name: x\nname: y\n', // yaml throws: duplicate key
    'models:\n    a: 1\n  b: 2\n', // yaml throws: misaligned
    'a: x\n  continued\n', // a multi-line plain scalar
    'a: |\n  block\n', // a block scalar
    'a: &anchor x\n', // an anchor
    'a: {b: 1}\n', // a flow mapping
    'a:\tb\n', // a tab
    'a: b\r\n', // CR
    'a: café\n', // non-ASCII
    '---\na: b\n', // a document marker
  ];
  for (const text of declined)
    t.equal(readTopLevelKeys(text, REQUESTED), null, JSON.stringify(text));
  t.same(readTopLevelKeys('', REQUESTED), {}, 'an empty file has none of the keys');
  t.same(readTopLevelKeys('target-path:\n', REQUESTED), { 'target-path': null });
});
