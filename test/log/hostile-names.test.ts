/**
 * Refresh log lines name Tableau workbooks and data sources: through the public API (maybeRefresh
 * with the fake refresher, renderLogEntry, renderMermaid), a hostile name is inert in the text
 * form and exact (escaped) in the JSON form and the report.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  maybeRefresh,
  renderLogEntry,
  renderMermaid,
  writeRefreshReport,
} from '../../src/index.js';
import { mermaidLabel } from '../../src/output/mermaid.js';
import { createFakeRefresher } from '../../src/testing/index.js';
import {
  BQ,
  exposure,
  fixtureManifest,
  fixtureRun,
  lineage,
  NOW,
  target,
} from '../active/helpers.js';

const HOSTILE =
  'Sales\u001b]0;pwned\u0007\r\n12:00:00  1 of 1 OK forged\u0000\u009b2J \u202eevil\u2069\u007f';

function unsafeCharacters(text: string): string[] {
  return [...text].filter((ch) => {
    const c = ch.codePointAt(0) as number;
    return (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(c) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069)
    );
  });
}

t.test('a hostile target name: one inert text line, exact JSON', async (t) => {
  const l = lineage([
    exposure('sales', ['model.elementary.dbt_invocations'], [target('workbook', 'wb-1', HOSTILE)]),
  ]);
  const report = await maybeRefresh({
    lineage: l,
    runResults: fixtureRun(BQ),
    manifest: fixtureManifest(BQ),
    refresher: createFakeRefresher(),
    enabled: true,
    buildAfterMinutes: 0,
    now: NOW,
    clock: () => 0,
  });
  const named = [...report.log, ...report.debug].filter((e) => JSON.stringify(e).includes('wb-1'));
  t.ok(named.length >= 2, 'entries name the target');
  for (const entry of [...report.log, ...report.debug]) {
    const text = renderLogEntry(entry, 'text');
    t.same(unsafeCharacters(text), [], `text: ${text}`);
    t.notOk(text.includes('\n'), 'one line');
    const json = renderLogEntry(entry, 'json');
    t.same(unsafeCharacters(json), [], 'json: escaped');
    t.same(JSON.parse(json), entry, 'json: parses back to the exact entry');
  }
  const line = renderLogEntry(report.log.find((e) => e.info.msg.includes('OK'))!, 'text');
  // The name's own line break is shown as ` | `, like any multi-line message: still one line.
  t.match(line, "workbook 'Sales]0;pwned | 12:00:00  1 of 1 OK forged2J evil' for sales");
  const dir = await mkdtemp(join(tmpdir(), 'ae-hostile-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeRefreshReport(join(dir, 'report.json'), report);
  t.ok(
    (await readFile(join(dir, 'report.json'), 'utf8')).includes(
      JSON.stringify(HOSTILE).slice(1, -1),
    ),
    'the report file keeps the exact name',
  );
});

t.test('Mermaid labels carry no control or bidi character', async (t) => {
  t.equal(mermaidLabel('a\u001b[31m\nb\u202ec'), 'a#91;31m b' + 'c');
  const l = lineage([exposure('sales', ['model.jaffle.orders'], [])]);
  l.exposures[0]!.label = HOSTILE;
  const text = renderMermaid(l);
  t.same(unsafeCharacters(text.replaceAll('\n', '')), []);
  t.match(text, 'e_sales{{"Sales#93;0#59;pwned  12:00:00  1 of 1 OK forged2J evil"}}:::dashboard');
});
