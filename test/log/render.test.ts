import t from 'tap';
import { renderLogEntry } from '../../src/index.js';
import { createLogEntry } from '../../src/log/entries.js';

const ctx = { ts: '2026-03-01T12:34:56.789Z', invocationId: 'inv-1' };
const HEADER = { exposures: 0, targets: 0, build_after_minutes: 0, dry_run: false };
const DONE = {
  exposures: 1,
  targets: 1,
  triggered: 0,
  refreshed: 1,
  skipped: 0,
  errors: 0,
  refresh_calls: 1,
};

t.test('renderLogEntry text: HH:MM:SS (UTC) + two spaces + msg, one line', async (t) => {
  const entry = createLogEntry(ctx, 'header', 'info', 'Running\nactive exposures', HEADER);
  t.equal(renderLogEntry(entry, 'text'), '12:34:56  Running | active exposures');
  const bad = createLogEntry(
    { ts: 'not a date', invocationId: null },
    'done',
    'info',
    'Done.',
    DONE,
  );
  t.equal(renderLogEntry(bad, 'text'), '--:--:--  Done.');
});

t.test('renderLogEntry json: one line, dbt event shape, parses back', async (t) => {
  const entry = createLogEntry(ctx, 'done', 'info', 'Done. REFRESHED=1 SKIP=0 ERROR=0', DONE);
  const line = renderLogEntry(entry, 'json');
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
    data: DONE,
  });
  t.throws(() => renderLogEntry(entry, 'xml' as 'json'), TypeError);
});
