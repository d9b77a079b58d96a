/**
 * `LogEntry` is a union discriminated by `info.code`, each code with its `data` typed exactly.
 * The `@ts-expect-error` lines are checked by `npm run typecheck` (tsconfig.check.json includes
 * test/): each must be a type error, or the check fails. The runtime part reads the entries of a
 * real run through the public API, narrowing with `isLogEntry` and no casts.
 */
import t from 'tap';
import {
  isLogEntry,
  type LogEntry,
  type LogEntryCode,
  type LogEntryOf,
  maybeRefresh,
} from '../../src/index.js';
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

const ENV = { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: '0' };

/** A run with a waited-for refresh (AE004), a live target (AE005) and a failed call (AE006). */
async function run() {
  const seen: LogEntry[] = [];
  const report = await maybeRefresh({
    lineage: lineage([
      exposure(
        'sales',
        ['model.jaffle_shop.customers'],
        [
          target('workbook', 'wb-ok', 'Sales'),
          target('workbook', 'wb-live', 'Live', false),
          target('workbook', 'wb-bad', 'Bad'),
        ],
      ),
    ]),
    runResults: fixtureRun(BQ),
    manifest: fixtureManifest(BQ),
    env: ENV,
    now: NOW,
    clock: () => 0,
    wait: { timeoutMs: 1000 },
    refresher: createFakeRefresher({
      refreshAnswers: { 'workbook:wb-bad': { error: 'Tableau said no' } },
      jobOutcomes: { 'workbook:wb-ok': { status: 'success', durationMs: 3200 } },
    }),
    onEntry: (entry) => seen.push(entry),
  });
  return { report, seen };
}

t.test('isLogEntry narrows an entry to its code: data fields read without casts', async (t) => {
  const { report, seen } = await run();
  t.equal(seen.length, report.log.length + report.debug.length, 'onEntry got every entry');
  const facts: string[] = [];
  for (const entry of seen) {
    if (isLogEntry(entry, 'AE004')) {
      // The target of a refreshed line is never null, its status is the literal 'success'.
      const status: 'success' = entry.data.status;
      const name: 'ActiveExposureRefreshed' = entry.info.name;
      facts.push(`${name} ${status} ${entry.data.target.luid} ${entry.data.duration_ms}`);
      // @ts-expect-error a field of another code (AE103's `outcome`) is not on AE004's data
      t.equal(entry.data.outcome, undefined);
      // @ts-expect-error data uses dbt's snake_case: there is no `jobId`
      t.equal(entry.data.jobId, undefined);
    } else if (isLogEntry(entry, 'AE005')) {
      facts.push(`skip ${entry.data.target?.luid} ${entry.data.reason}`);
    } else if (isLogEntry(entry, 'AE006')) {
      facts.push(`error ${entry.data.target?.luid} ${entry.data.detail}`);
    } else if (isLogEntry(entry, 'AE103')) {
      facts.push(`call ${entry.data.target.luid} ${entry.data.outcome} ${entry.data.job_id}`);
    } else if (isLogEntry(entry, 'AE007')) {
      facts.push(`done ${entry.data.refreshed} ${entry.data.skipped} ${entry.data.errors}`);
    }
  }
  t.same(facts, [
    'skip wb-live no_extract',
    'call wb-ok queued fake-job-1',
    'error wb-bad Tableau said no',
    'ActiveExposureRefreshed success wb-ok 3200',
    'done 1 1 1',
  ]);
});

t.test('the runtime shape is dbt event JSON, unchanged', async (t) => {
  const { report } = await run();
  const done = report.log.at(-1);
  t.ok(done !== undefined && isLogEntry(done, 'AE007'));
  t.same(Object.keys(done ?? {}), ['info', 'data']);
  t.same(JSON.parse(JSON.stringify(done)), done);
  t.match(done?.info, {
    name: 'ActiveExposuresDone',
    code: 'AE007',
    category: 'active_exposures',
    extra: {},
  });
});

t.test('codes, names and data are exact types (compile-time checks)', async (t) => {
  const { report } = await run();
  const entry = report.log[0] as LogEntry;
  // @ts-expect-error 'AE999' is not a code of the library
  isLogEntry(entry, 'AE999');
  // @ts-expect-error a typo'd code never equals a real one: the comparison does not compile
  t.notOk(entry.info.code === 'AE999');
  // @ts-expect-error LogEntryOf takes a code of the library
  const none: LogEntryOf<'AE999'> | undefined = undefined;
  // @ts-expect-error each code has its one name
  const wrongName: LogEntryOf<'AE004'>['info']['name'] = 'ActiveExposureSkipped';
  // @ts-expect-error the data of a code is exact: AE003 has no `target`
  const noTarget: LogEntryOf<'AE003'>['data']['target'] = null;
  const code: LogEntryCode = entry.info.code;
  t.equal(code, 'AE002');
  t.equal(none, undefined);
  t.equal(wrongName, 'ActiveExposureSkipped');
  t.equal(noTarget, null);
});
