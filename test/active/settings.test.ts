import t from 'tap';
import { maybeRefresh } from '../../src/active/maybe-refresh.js';
import { resolveActiveExposureSettings } from '../../src/active/settings.js';
import { ConfigError } from '../../src/errors.js';
import { createFakeRefresher } from '../../src/testing/fake-refresher.js';
import { BQ, exposure, fixtureRun, lineage, NOW, target } from './helpers.js';

t.test('DBT_ACTIVE_EXPOSURES values', async (t) => {
  const table: Array<[string | undefined, boolean, string]> = [
    [undefined, false, 'default'],
    ['', false, 'env'],
    ['0', false, 'env'],
    ['false', false, 'env'],
    ['FALSE', false, 'env'],
    ['1', true, 'env'],
    ['true', true, 'env'],
    ['True', true, 'env'],
    [' 1 ', true, 'env'],
  ];
  for (const [value, enabled, source] of table) {
    const env = value === undefined ? {} : { DBT_ACTIVE_EXPOSURES: value };
    const settings = resolveActiveExposureSettings(env);
    t.equal(settings.enabled, enabled, `${JSON.stringify(value)} → ${enabled}`);
    t.equal(settings.sources.enabled, source);
    t.equal(settings.enabledRaw, value ?? null);
  }
});

t.test(
  'invalid DBT_ACTIVE_EXPOSURES is a ConfigError naming variable, value and accepted values',
  async (t) => {
    for (const value of ['yes', 'on', '2', 'enabled', 'truee']) {
      const error = t.throws(() =>
        resolveActiveExposureSettings({ DBT_ACTIVE_EXPOSURES: value }),
      ) as ConfigError;
      t.ok(error instanceof ConfigError);
      t.equal(error.code, 'ERR_CONFIG');
      t.equal(error.field, 'DBT_ACTIVE_EXPOSURES');
      t.match(error.message, `DBT_ACTIVE_EXPOSURES="${value}"`);
      t.match(error.message, /use 1 or true to enable/);
      t.same(error.details, { variable: 'DBT_ACTIVE_EXPOSURES', value });
      t.equal(
        error.hint,
        'set DBT_ACTIVE_EXPOSURES to 1 or true to enable active exposures, or to 0, false or nothing to disable them',
      );
    }
  },
);

t.test('DBT_ACTIVE_EXPOSURES_BUILD_AFTER values', async (t) => {
  const table: Array<[string | undefined, number, string]> = [
    [undefined, 1440, 'default'],
    ['', 1440, 'default'],
    ['  ', 1440, 'default'],
    ['0', 0, 'env'],
    ['60', 60, 'env'],
    [' 30 ', 30, 'env'],
    ['010', 10, 'env'],
  ];
  for (const [value, minutes, source] of table) {
    const env = value === undefined ? {} : { DBT_ACTIVE_EXPOSURES_BUILD_AFTER: value };
    const settings = resolveActiveExposureSettings(env);
    t.equal(settings.buildAfterMinutes, minutes, `${JSON.stringify(value)} → ${minutes}`);
    t.equal(settings.sources.buildAfterMinutes, source);
  }
});

t.test('invalid BUILD_AFTER is a ConfigError even when disabled', async (t) => {
  for (const value of ['-1', '1.5', '1e3', '24h', 'abc', '99999999999999999999']) {
    const error = t.throws(() =>
      resolveActiveExposureSettings({ DBT_ACTIVE_EXPOSURES_BUILD_AFTER: value }),
    ) as ConfigError;
    t.equal(error.code, 'ERR_CONFIG');
    t.equal(error.field, 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER');
    t.match(error.message, `DBT_ACTIVE_EXPOSURES_BUILD_AFTER="${value}"`);
    t.match(error.message, /whole number of minutes >= 0/);
    t.match(error.hint, /^set DBT_ACTIVE_EXPOSURES_BUILD_AFTER to a whole number of minutes/);
  }
});

t.test('explicit options override (and skip) the environment', async (t) => {
  const settings = resolveActiveExposureSettings(
    { DBT_ACTIVE_EXPOSURES: 'bogus', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: 'bogus' },
    { enabled: true, buildAfterMinutes: 5 },
  );
  t.same(settings, {
    enabled: true,
    buildAfterMinutes: 5,
    sources: { enabled: 'option', buildAfterMinutes: 'option' },
    enabledRaw: 'bogus',
  });
  t.equal(
    resolveActiveExposureSettings({ DBT_ACTIVE_EXPOSURES: '1' }, { enabled: false }).enabled,
    false,
  );
});

t.test('invalid explicit options are ERR_INVALID_OPTION', async (t) => {
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const error = t.throws(() =>
      resolveActiveExposureSettings({}, { buildAfterMinutes: bad }),
    ) as ConfigError;
    t.equal(error.code, 'ERR_INVALID_OPTION');
    t.equal(error.field, 'buildAfterMinutes');
  }
  const error = t.throws(() =>
    resolveActiveExposureSettings({}, { enabled: 'yes' as unknown as boolean }),
  ) as ConfigError;
  t.equal(error.code, 'ERR_INVALID_OPTION');
  t.equal(error.field, 'enabled');
});

t.test('maybeRefresh raises config errors before any I/O', async (t) => {
  const refresher = createFakeRefresher();
  const base = {
    lineage: lineage([
      exposure('x', ['model.jaffle_shop.customers'], [target('workbook', 'w', 'W')]),
    ]),
    runResults: fixtureRun(BQ),
    now: NOW,
    refresher,
  };
  await t.rejects(maybeRefresh({ ...base, env: { DBT_ACTIVE_EXPOSURES: 'yes' } }), {
    code: 'ERR_CONFIG',
    field: 'DBT_ACTIVE_EXPOSURES',
  });
  await t.rejects(
    maybeRefresh({
      ...base,
      env: { DBT_ACTIVE_EXPOSURES: '1', DBT_ACTIVE_EXPOSURES_BUILD_AFTER: 'x' },
    }),
    {
      code: 'ERR_CONFIG',
      field: 'DBT_ACTIVE_EXPOSURES_BUILD_AFTER',
    },
  );
  const invalid: Array<[Record<string, unknown>, string]> = [
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ wait: { timeoutMs: 0 } }, 'wait.timeoutMs'],
    [{ wait: { timeoutMs: Number.NaN } }, 'wait.timeoutMs'],
    [{ now: new Date('nope') }, 'now'],
    [{ now: '2026-01-01' }, 'now'],
    [{ refresher: {} }, 'refresher'],
    [{ refresher: null }, 'refresher'],
    [
      {
        refresher: { refresh: async () => ({ status: 'not_refreshable' }) },
        wait: { timeoutMs: 10 },
      },
      'wait',
    ],
  ];
  for (const [options, field] of invalid) {
    await t.rejects(
      maybeRefresh({ ...base, env: { DBT_ACTIVE_EXPOSURES: '1' }, ...(options as object) }),
      { code: 'ERR_INVALID_OPTION', field },
      field,
    );
  }
  t.same(refresher.calls, [], 'no call was made');
});

t.test('disabled: report says so, no call at all, one AE001 line', async (t) => {
  const refresher = createFakeRefresher();
  const run = fixtureRun(BQ);
  for (const [env, because] of [
    [{}, 'DBT_ACTIVE_EXPOSURES is not set'],
    [{ DBT_ACTIVE_EXPOSURES: 'false' }, 'DBT_ACTIVE_EXPOSURES="false"'],
  ] as const) {
    const report = await maybeRefresh({
      lineage: lineage([
        exposure('x', ['model.jaffle_shop.customers'], [target('workbook', 'w', 'W')]),
      ]),
      runResults: run,
      env,
      now: NOW,
      clock: () => 0,
      refresher,
    });
    t.equal(report.enabled, false);
    t.same(
      report.log.map((e) => [e.info.code, e.info.msg]),
      [['AE001', `Active exposures disabled (${because}): no refresh for 1 exposures`]],
    );
  }
  const byOption = await maybeRefresh({
    lineage: lineage([]),
    runResults: run,
    env: { DBT_ACTIVE_EXPOSURES: '1' },
    enabled: false,
    now: NOW,
    refresher,
  });
  t.equal(
    byOption.log[0]?.info.msg,
    'Active exposures disabled (option enabled: false): no refresh for 0 exposures',
  );
  t.same(refresher.calls, []);
});

t.test('defaults: env from process.env, now from the clock', async (t) => {
  const saved = process.env.DBT_ACTIVE_EXPOSURES;
  delete process.env.DBT_ACTIVE_EXPOSURES;
  t.teardown(() => {
    if (saved !== undefined) process.env.DBT_ACTIVE_EXPOSURES = saved;
  });
  const report = await maybeRefresh({
    lineage: lineage([]),
    runResults: fixtureRun(BQ),
    refresher: createFakeRefresher(),
  });
  t.equal(report.enabled, false);
  t.match(report.log[0]?.info.ts, /^\d{4}-\d\d-\d\dT/);
});
