/**
 * Names typed by any Tableau user (workbooks, projects, data sources, owners, tables) carrying
 * terminal escapes (ESC/OSC/CSI, C1), BEL, NUL, DEL, CR, LF, bidi overrides, Markdown links and raw
 * HTML: through the CLI against the mock server, every text output (sync summary, impact text,
 * Markdown and Mermaid, refresh log lines, errors) shows them as inert plain text, while the YAML,
 * the lineage JSON, the report and the JSON lines keep the exact text.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { run } from '../../src/cli/run.js';
import type { MockSiteInput } from '../../src/testing/index.js';
import { createMockTableauServer } from '../../src/testing/index.js';
import { SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { captureIo, copyExample, exampleProject } from './helpers.js';

/** One hostile name per workbook of the example site (same order). */
const WORKBOOK_NAMES = [
  '\u001b]8;;https://evil.example\u0007Sales\u001b]8;;\u0007 Overview',
  'Exec\u001b[2J\u001b[H KPIs \u009b2J',
  '<img src=x onerror=alert(1)> <b>bold</b>',
  'Finance\r\nERR_FAKE: forged line\rFAKE overwritten',
  'Ops \u202eevil\u202c \u2066isolated\u2069 \u200fmark',
  '[x](https://evil.example/phish)',
  // Marketing Spend matches nothing: a skipped workbook, listed by name.
  'Marketing\u0007\u0000\u007f Spend',
];
const PROJECT_NAME = 'Sales\u001b[31m\nFAKE project';
const DATASOURCE_NAME = 'Orders \u001b[5m\u202e(certified)';
const OWNER_NAME = 'Ada\u0008\u0008\u0008Eve <script>';

/** Characters no text output may carry (line feeds separate lines; nothing else may). */
function unsafeCharacters(text: string): string[] {
  return [...text].filter((ch) => {
    const c = ch.codePointAt(0) as number;
    return (
      (c < 0x20 && c !== 0x0a) ||
      (c >= 0x7f && c <= 0x9f) ||
      [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(c) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069)
    );
  });
}

const ESC = String.fromCharCode(0x1b);

function hostileSite(site: MockSiteInput): MockSiteInput {
  const copy = structuredClone(site) as MockSiteInput & {
    projects: { name: string }[];
    publishedDatasources: { name: string }[];
    workbooks: { name: string; projectName: string; owner: { name: string } | null }[];
  };
  copy.workbooks.forEach((w, i) => {
    w.name = WORKBOOK_NAMES[i]!;
    if (w.owner) w.owner.name = OWNER_NAME;
    if (w.projectName === 'Sales') w.projectName = PROJECT_NAME;
  });
  for (const p of copy.projects) if (p.name === 'Sales') p.name = PROJECT_NAME;
  copy.publishedDatasources[0]!.name = DATASOURCE_NAME;
  return copy;
}

function assertInert(t: Test, text: string, what: string): void {
  t.same(unsafeCharacters(text), [], `${what}: no control or bidi character`);
  for (const line of text.split('\n')) {
    if (/^(ERR_FAKE|FAKE)/.test(line)) t.fail(`${what}: a name forged a line: ${line}`);
  }
}

t.test('hostile names: inert in every text output, exact in data files', async (t) => {
  const site = JSON.parse(
    await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
  ) as MockSiteInput;
  const server = await createMockTableauServer({
    siteModel: hostileSite(site),
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
  });
  t.teardown(() => server.close());
  const project = await copyExample(t);
  const env = {
    TABLEAU_SERVER_URL: server.url,
    TABLEAU_SITE_NAME: server.siteName,
    TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
    TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
    DBT_PROJECT_DIR: project,
  };

  const sync = captureIo(env, project);
  t.equal(await run(['sync', '--group-by', 'project'], sync.io), 0, sync.stderr());
  assertInert(t, sync.stdout(), 'sync');
  assertInert(t, sync.stderr(), 'sync stderr');
  t.match(sync.stdout(), '\n  Marketing Spend — no_matched_tables\n');

  // Colours on: the only escapes are the summary's own SGR codes.
  const colored = captureIo({ ...env, FORCE_COLOR: '1' }, project);
  t.equal(await run(['sync', '--group-by', 'project', '--check'], colored.io), 0);
  const sgr = new RegExp(`${ESC}\\[\\d+m`, 'g');
  t.ok(colored.stdout().includes(ESC), 'coloured');
  t.same(unsafeCharacters(colored.stdout().replace(sgr, '')), [], 'only SGR escapes');

  const json = captureIo(env, project);
  t.equal(await run(['sync', '--group-by', 'project', '--output', 'json', '--check'], json.io), 0);
  t.same(unsafeCharacters(json.stdout()), [], '--json escapes what a terminal would act on');
  const skipped = JSON.parse(json.stdout()).skippedWorkbooks[0].workbookName;
  t.equal(skipped, WORKBOOK_NAMES[6], 'and parses back to the exact name');

  // The data files keep the exact text (their serialisers escape it).
  const dir = join(project, 'models', 'exposures');
  const lineage = JSON.parse(await readFile(join(dir, 'tableau_lineage.json'), 'utf8'));
  const labels = lineage.exposures.map((e: { label: string }) => e.label).sort();
  t.same(labels, WORKBOOK_NAMES.slice(0, 6).sort(), 'lineage labels exact');
  const yamlLabels: string[] = [];
  const yamlOwners = new Set<string>();
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.yml')) continue;
    const text = await readFile(join(dir, name), 'utf8');
    t.same(unsafeCharacters(text), [], `${name}: escaped, not raw`);
    for (const e of parse(text).exposures as { label: string; owner: { name: string } }[]) {
      yamlLabels.push(e.label);
      yamlOwners.add(e.owner.name);
    }
  }
  t.same(yamlLabels.sort(), WORKBOOK_NAMES.slice(0, 6).sort(), 'YAML labels exact');
  t.same([...yamlOwners], [OWNER_NAME], 'YAML owner exact');

  for (const format of ['text', 'markdown', 'mermaid']) {
    const c = captureIo(env, project);
    t.equal(await run(['lineage', '--format', format], c.io), 0, c.stderr());
    assertInert(t, c.stdout(), `lineage --format ${format}`);
    if (format !== 'text') continue;
    t.match(c.stdout(), '\n  Finance  ERR_FAKE: forged line FAKE overwritten (finance_err_fake');
    t.match(c.stdout(), '\n  Ops evil isolated mark (ops_evil_isolated_mark)');
    t.match(c.stdout(), 'owner AdaEve <script> <');
  }
  const markdown = captureIo(env, project);
  await run(['lineage', '--format', 'markdown'], markdown.io);
  const md = markdown.stdout();
  t.notMatch(md, /[<>]/, 'no raw HTML');
  t.match(md, '\\[x\\]\\(https\\://evil\\.example/phish\\)', 'the Markdown link is literal text');
  const links = [...md.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]!);
  t.equal(links.length, 6, 'one link per dashboard');
  t.ok(
    links.every((l) => l.startsWith(`${server.url}/#/site/jaffle/workbooks/`)),
    'only dashboard URLs are links',
  );
  t.notMatch(md, /https:\/\/evil/, 'no bare URL to autolink');
  t.match(md, '&lt;img src=x onerror=alert\\(1\\)&gt;');

  // Refresh log lines name the targets (data source and workbooks).
  const refreshEnv = { ...env, DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0' };
  const refresh = captureIo(refreshEnv, project);
  t.equal(await run(['refresh', '--dry-run', '--debug'], refresh.io), 0, refresh.stderr());
  assertInert(t, refresh.stdout(), 'refresh');
  // The ESC is removed; what followed it is harmless text.
  t.match(refresh.stdout(), "datasource 'Orders [5m(certified)'");
  const refreshJson = captureIo(refreshEnv, project);
  t.equal(await run(['refresh', '--dry-run', '--log-format', 'json'], refreshJson.io), 0);
  t.same(unsafeCharacters(refreshJson.stdout()), [], 'refresh --json escapes them');
  const messages = refreshJson
    .stdout()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l).info.msg as string);
  t.ok(
    messages.some((m) => m.includes(`datasource '${DATASOURCE_NAME}'`)),
    'JSON lines keep the exact name',
  );
  const report = await readFile(join(project, 'target', 'active_exposures.json'), 'utf8');
  t.ok(
    JSON.parse(report).results.some(
      (r: { target: { name: string } | null }) => r.target?.name === DATASOURCE_NAME,
    ),
    'the report file keeps the exact name',
  );
});
