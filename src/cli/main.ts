#!/usr/bin/env node
/**
 * The `dbt-auto-exposures` binary. Kept tiny: everything else loads on demand (see run.ts).
 */
import { processIo } from './io.js';
import { run } from './run.js';

const controller = new AbortController();
// First Ctrl-C aborts cleanly (work in flight stops, nothing half-written); a second one exits.
process.once('SIGINT', () => {
  controller.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', () => process.exit(130));
});

process.exitCode = await run(process.argv.slice(2), processIo(controller.signal));
