import t from 'tap';
import {
  createLogEntry,
  dbtLine,
  errorEntry,
  formatSeconds,
  formatTimeLeft,
  inTimeOrder,
  mergeInTimeOrder,
  refreshedEntry,
  skippedEntry,
  triggeredEntry,
} from '../../src/log/entries.js';
import { ACTIVE_EXPOSURE_EVENTS } from '../../src/log/events.js';
import type { LogEntry } from '../../src/log/types.js';

const ctx = { ts: '2026-03-01T12:34:56.789Z', invocationId: 'inv-1' };

t.test('dbtLine pads with dots to column 80 like dbt', async (t) => {
  const line = dbtLine('1 of 4 ', 'START active exposure sales', 'RUN');
  t.equal(line, `1 of 4 START active exposure sales ${'.'.repeat(80 - 35)} [RUN]`);
  t.equal(line.indexOf(' [RUN]'), 80);
  const long = dbtLine('', 'x'.repeat(90), 'OK');
  t.equal(long, `${'x'.repeat(90)}  [OK]`, 'long messages are not cut');
});

t.test('event codes are unique and stable', async (t) => {
  const codes = Object.values(ACTIVE_EXPOSURE_EVENTS).map((e) => e.code);
  t.equal(new Set(codes).size, codes.length);
  t.equal(ACTIVE_EXPOSURE_EVENTS.start.code, 'AE003');
  t.equal(ACTIVE_EXPOSURE_EVENTS.settings.code, 'AE100');
});

t.test('durations and time left', async (t) => {
  t.equal(formatSeconds(3200), '3.2s');
  t.equal(formatSeconds(-5), '0.0s');
  t.equal(formatTimeLeft(5 * 3_600_000 + 12 * 60_000 + 59_000), '5h 12m');
  t.equal(formatTimeLeft(23 * 3_600_000), '23h');
  t.equal(formatTimeLeft(12 * 60_000), '12m');
  t.equal(formatTimeLeft(45_000), '45s');
  t.equal(formatTimeLeft(-1), '0s');
  t.equal(formatTimeLeft(2 * 86_400_000 + 3 * 3_600_000), '2d 3h');
  t.equal(formatTimeLeft(3 * 86_400_000), '3d');
});

t.test('result lines', async (t) => {
  const target = { kind: 'workbook' as const, luid: 'w', name: 'Sales' };
  const base = { index: 2, total: 3, exposure: 'sales' };
  const triggered = triggeredEntry(ctx, { ...base, target, jobId: 'j1' });
  t.equal(
    triggered.info.msg,
    dbtLine('2 of 3 ', "TRIGGERED refresh of workbook 'Sales' for sales", 'TRIGGERED job j1'),
  );
  t.match(triggered, { info: { code: 'AE010', level: 'info' }, data: { status: 'triggered' } });
  t.equal(
    refreshedEntry(ctx, { ...base, target, jobId: 'j1', durationMs: 3210 }).info.msg,
    dbtLine('2 of 3 ', "OK refreshed workbook 'Sales' for sales", 'OK in 3.2s'),
  );
  const skip = skippedEntry(ctx, {
    ...base,
    target: null,
    reason: 'upstream_failed',
    detail: 'upstream failed: m (error)',
  });
  t.equal(
    skip.info.msg,
    dbtLine('2 of 3 ', 'SKIP active exposure sales', 'upstream failed: m (error)'),
  );
  t.equal(skip.info.level, 'warn');
  t.equal(
    skippedEntry(ctx, { ...base, target }).info.msg,
    dbtLine('2 of 3 ', "SKIP active exposure sales (workbook 'Sales')", 'skipped'),
  );
  const error = errorEntry(ctx, { ...base, target: null });
  t.equal(error.info.msg, dbtLine('2 of 3 ', 'ERROR active exposure sales', 'ERROR'));
  t.equal(error.info.level, 'error');
  t.same(error.data, {
    index: 2,
    total: 3,
    exposure: 'sales',
    target: null,
    status: 'error',
    reason: null,
    detail: null,
    job_id: null,
    duration_ms: null,
    shared_with: [],
  });
});

// ---------------------------------------------------------------- the order of entries

const entry = (ts: string, msg: string): LogEntry =>
  createLogEntry({ ts, invocationId: null }, 'header', 'info', msg, {
    exposures: 0,
    targets: 0,
    build_after_minutes: 0,
    dry_run: false,
  });
const msgs = (entries: readonly LogEntry[]): string[] => entries.map((e) => e.info.msg);

t.test('inTimeOrder sorts by ts; equal times keep their order', async (t) => {
  const given = [
    entry('2026-03-01T12:00:09.000Z', 'late'),
    entry('2026-03-01T12:00:01.000Z', 'a'),
    entry('2026-03-01T12:00:05.000Z', 'mid'),
    entry('2026-03-01T12:00:01.000Z', 'b'),
    entry('2026-03-01T12:00:01.000Z', 'c'),
  ];
  const before = msgs(given);
  t.same(msgs(inTimeOrder(given)), ['a', 'b', 'c', 'mid', 'late']);
  t.same(msgs(given), before, 'the input is not changed');
  t.same(inTimeOrder([]), []);
});

t.test('inTimeOrder compares instants, not strings', async (t) => {
  // Same instant written two ways, and a later one that sorts first as a string.
  const given = [
    entry('2026-03-01T12:00:00.500+00:00', 'later'),
    entry('2026-03-01T12:00:00.100Z', 'earlier'),
    entry('2026-03-01T13:00:00.100+01:00', 'same instant as earlier'),
  ];
  t.same(msgs(inTimeOrder(given)), ['earlier', 'same instant as earlier', 'later']);
});

t.test('an unparsable ts sorts first, in its given order', async (t) => {
  const given = [
    entry('2026-03-01T12:00:00.000Z', 'dated'),
    entry('not a date', 'x'),
    entry('', 'y'),
  ];
  t.same(msgs(inTimeOrder(given)), ['x', 'y', 'dated']);
});

t.test('mergeInTimeOrder: one stream, log lines before debug entries on equal times', async (t) => {
  const log = [
    entry('2026-03-01T12:00:01.000Z', 'header'),
    entry('2026-03-01T12:00:04.000Z', 'result'),
    entry('2026-03-01T12:00:05.000Z', 'done'),
  ];
  const debug = [
    entry('2026-03-01T12:00:00.000Z', 'settings'),
    entry('2026-03-01T12:00:04.000Z', 'job outcome'),
    entry('2026-03-01T12:00:04.000Z', 'store set'),
  ];
  t.same(msgs(mergeInTimeOrder(log, debug)), [
    'settings',
    'header',
    'result',
    'job outcome',
    'store set',
    'done',
  ]);
});
