/** The fake refresher of `dbt-auto-exposures/testing`: answers from its options, records calls, aborts as the client does. */
import t from 'tap';
import type { Refresher } from '../../src/index.js';
import { createFakeRefresher } from '../../src/testing/index.js';

const WB = { kind: 'workbook' as const, luid: 'wb-1', name: 'Sales' };

t.test('answers from its options and records every call', async (t) => {
  const fake = createFakeRefresher({
    lastRefreshTimes: { 'workbook:wb-1': '2026-03-01T10:00:00.000Z' },
    refreshAnswers: { 'datasource:ds-1': 'not_refreshable' },
    jobOutcomes: { 'workbook:wb-1': { status: 'failed', notes: 'ODBC failed' } },
  });
  const refresher: Refresher = fake;
  const times = await refresher.getLastRefreshTimes?.([WB]);
  t.same(times, new Map([['workbook:wb-1', new Date('2026-03-01T10:00:00.000Z')]]));
  t.same(await refresher.refresh(WB), { status: 'queued', jobId: 'fake-job-1' });
  t.match(await refresher.refresh({ kind: 'datasource', luid: 'ds-1', name: 'Orders' }), {
    status: 'not_refreshable',
  });
  t.match(await refresher.waitForJob?.('fake-job-1'), {
    status: 'failed',
    finishCode: 1,
    notes: 'ODBC failed',
  });
  t.same(
    fake.calls.map((call) => call.method),
    ['getLastRefreshTimes', 'refresh', 'refresh', 'waitForJob'],
  );
  t.same(fake.refreshedTargets(), [WB, { kind: 'datasource', luid: 'ds-1', name: 'Orders' }]);
});

t.test('failures, already queued, a store-only fake, and times that move', async (t) => {
  const fake = createFakeRefresher({
    refreshAnswers: { 'workbook:wb-1': 'already_queued', 'workbook:wb-2': { error: 'HTTP 500' } },
    lastRefreshTimesError: 'metadata API down',
  });
  t.match(await fake.refresh(WB), { status: 'already_queued', detail: /Sales/ });
  await t.rejects(fake.refresh({ ...WB, luid: 'wb-2' }), { message: 'HTTP 500' });
  await t.rejects(async () => fake.getLastRefreshTimes?.([WB]), { message: 'metadata API down' });
  await t.rejects(async () => fake.waitForJob?.('fake-job-9'), {
    message: 'Unknown job fake-job-9',
  });

  t.equal(createFakeRefresher({ canReportLastRefreshTimes: false }).getLastRefreshTimes, undefined);

  const at = new Date('2026-03-01T12:00:00.000Z');
  const moving = createFakeRefresher({ refreshedAt: () => at });
  t.same(await moving.getLastRefreshTimes?.([WB]), new Map([['workbook:wb-1', null]]));
  await moving.refresh(WB);
  t.same(await moving.getLastRefreshTimes?.([WB]), new Map([['workbook:wb-1', at]]));
  moving.setLastRefreshTime('workbook:wb-1', null);
  t.same(await moving.getLastRefreshTimes?.([WB]), new Map([['workbook:wb-1', null]]));
});

t.test(
  'an aborted signal rejects every call with ERR_ABORTED, and nothing is recorded',
  async (t) => {
    const fake = createFakeRefresher();
    const controller = new AbortController();
    controller.abort();
    const options = { signal: controller.signal };
    await t.rejects(fake.refresh(WB, options), {
      code: 'ERR_ABORTED',
      message: "Refreshing workbook 'Sales' was aborted",
    });
    await t.rejects(async () => fake.getLastRefreshTimes?.([WB], options), {
      code: 'ERR_ABORTED',
    });
    await t.rejects(async () => fake.waitForJob?.('fake-job-1', options), {
      code: 'ERR_ABORTED',
    });
    t.same(fake.calls, []);
  },
);
