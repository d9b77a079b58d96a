import t from 'tap';
import {
  ACTIVE_EXPOSURE_EVENTS,
  createLogEntry,
  errorEntry,
  refreshedEntry,
  skippedEntry,
} from '../../src/log/entries.js';
import { dbtLine, formatLogEntry, formatSeconds, formatTimeLeft } from '../../src/log/format.js';

const ctx = { ts: '2026-03-01T12:34:56.789Z', invocationId: 'inv-1' };

t.test('dbtLine pads with dots to column 80 like dbt', async (t) => {
  const line = dbtLine('1 of 4 ', 'START active exposure sales', 'RUN');
  t.equal(line, `1 of 4 START active exposure sales ${'.'.repeat(80 - 35)} [RUN]`);
  t.equal(line.indexOf(' [RUN]'), 80);
  const long = dbtLine('', 'x'.repeat(90), 'OK');
  t.equal(long, `${'x'.repeat(90)}  [OK]`, 'long messages are not cut');
});

t.test('formatLogEntry text: HH:MM:SS (UTC) + two spaces + msg, one line', async (t) => {
  const entry = createLogEntry(ctx, 'header', 'info', 'Running\nactive exposures', {});
  t.equal(formatLogEntry(entry, 'text'), '12:34:56  Running | active exposures');
  const bad = createLogEntry({ ts: 'not a date', invocationId: null }, 'done', 'info', 'Done.', {});
  t.equal(formatLogEntry(bad, 'text'), '--:--:--  Done.');
});

t.test('formatLogEntry json: one line, dbt event shape, parses back', async (t) => {
  const entry = createLogEntry(ctx, 'done', 'info', 'Done. REFRESHED=1 SKIP=0 ERROR=0', {
    refreshed: 1,
  });
  const line = formatLogEntry(entry, 'json');
  t.notMatch(line, /\n/);
  t.same(JSON.parse(line), {
    info: {
      name: 'ActiveExposuresDone',
      code: 'AE007',
      level: 'info',
      msg: 'Done. REFRESHED=1 SKIP=0 ERROR=0',
      ts: '2026-03-01T12:34:56.789Z',
      invocation_id: 'inv-1',
      category: 'active_exposures',
      extra: {},
    },
    data: { refreshed: 1 },
  });
  t.throws(() => formatLogEntry(entry, 'xml' as 'json'), TypeError);
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
  t.equal(
    refreshedEntry(ctx, { ...base, target, jobId: 'j1' }).info.msg,
    dbtLine('2 of 3 ', "OK queued refresh of workbook 'Sales' for sales", 'OK job j1'),
  );
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
