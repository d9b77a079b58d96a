/**
 * Preloaded (`node --import <this file's URL> <script>`) into a process the bench measures whole,
 * such as the CLI, which cannot report on itself. At exit it prints `{ms, cpuMs, maxRssBytes}` as
 * the last stdout line, which `runChild` reads. `ms` and `cpuMs` count from the process's start,
 * so Node's start-up and module loading are in them, as a user waiting for the command sees them.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const measurement = {
    ms: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  // Synchronous: the process is exiting, nothing asynchronous runs any more.
  writeSync(1, `\n${JSON.stringify(measurement)}\n`);
});
