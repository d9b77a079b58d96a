/**
 * `node bench/out/bench/report.js [results.json]`: the rows of a results file as a Markdown table
 * (for docs/performance.md), with the run's machine and command above it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPaths } from './context.js';
import { formatBytes, formatMs, type Row, type RunInfo } from './harness.js';

const file = process.argv[2] ?? join(benchPaths().root, 'bench', 'results.json');
const { run, rows } = JSON.parse(readFileSync(file, 'utf8')) as { run: RunInfo; rows: Row[] };

function span(s: Row['library']): string {
  return `${formatMs(s.median)} [${formatMs(s.min)}–${formatMs(s.max)}]`;
}

function verdict(row: Row): string {
  const parts: string[] = [];
  if (row.target) {
    const cpu =
      row.target.cpuMet === undefined ? '' : `, CPU ${row.target.cpuMet ? 'met' : '**not met**'}`;
    parts.push(`≤${row.target.max}×: wall ${row.target.met ? 'met' : '**not met**'}${cpu}`);
  }
  for (const t of row.extraTargets ?? []) {
    parts.push(`${t.of} ${t.value.toFixed(2)}× ≤${t.max}×: ${t.met ? 'met' : '**not met**'}`);
  }
  return parts.join('; ');
}

const lines = [
  `Command: \`${run.command}\` — ${run.mode} mode, commit ${run.commit ?? 'unknown'}, ${run.startedAt}, ${(run.durationMs / 1000).toFixed(0)} s.`,
  `Machine: ${run.cpus} × ${run.cpuModel}, ${formatBytes(run.totalMemory)} RAM, Node ${run.node}; 1-minute load average ${run.loadAverage.start.toFixed(1)} at start, ${run.loadAverage.end.toFixed(1)} at end.`,
  '',
  '| benchmark | input | library median [min–max] | floor | floor median [min–max] | ratio | CPU ratio | target | details |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((row) =>
    [
      '',
      `\`${row.id}\``,
      row.input,
      span(row.library),
      row.floorLabel,
      span(row.floor),
      `${row.ratio.toFixed(2)}×`,
      row.cpu ? `${row.cpu.ratio.toFixed(2)}×` : '',
      verdict(row),
      Object.entries(row.extra)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
      '',
    ]
      .join(' | ')
      .trim(),
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
