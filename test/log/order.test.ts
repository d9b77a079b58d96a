import t from 'tap';
import { createLogEntry } from '../../src/log/entries.js';
import { inTimeOrder, mergeInTimeOrder } from '../../src/log/order.js';
import type { LogEntry } from '../../src/log/types.js';

const entry = (ts: string, msg: string): LogEntry =>
  createLogEntry({ ts, invocationId: null }, 'header', 'info', msg, {});
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
