/**
 * Child process of the manifest-loading benchmark: `node load-manifest.js <library|floor> <file>`.
 * Does the operation once, then prints `{ms, maxRssBytes, info}` as one JSON line. One process per
 * run keeps each peak RSS its own and each heap fresh, as a CLI invocation has it.
 */
import { readFile } from 'node:fs/promises';
import { buildRelationIndex, loadManifest } from '../../src/index.js';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'library' && mode !== 'floor') || file === undefined) {
  process.stderr.write('usage: load-manifest.js <library|floor> <manifest.json>\n');
  process.exit(2);
}

const cpu = process.cpuUsage();
const start = performance.now();
let info: Record<string, number>;
if (mode === 'floor') {
  const json = JSON.parse(await readFile(file, 'utf8')) as { nodes: object };
  info = { topLevelNodes: Object.keys(json.nodes).length };
} else {
  const manifest = await loadManifest(file);
  const index = buildRelationIndex(manifest);
  info = { matchableNodes: manifest.nodes.size, indexed: index.size };
}
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, info })}\n`,
);
