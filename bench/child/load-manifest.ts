/**
 * Child process of the manifest-loading benchmark:
 * `node load-manifest.js <library|floor|sections> <file>` (`sections`: the prototype in
 * experiments/manifest-sections.ts).
 * Does the operation once, then prints `{ms, maxRssBytes, info}` as one JSON line. One process per
 * run keeps each peak RSS its own and each heap fresh, as a CLI invocation has it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadManifestSections } from '../experiments/manifest-sections.js';
import { loadManifest, type Manifest } from '../library.js';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'library' && mode !== 'floor' && mode !== 'sections') || file === undefined) {
  process.stderr.write('usage: load-manifest.js <library|floor|sections> <manifest.json>\n');
  process.exit(2);
}

const cpu = process.cpuUsage();
const start = performance.now();
let info: Record<string, number | string>;
let manifestForDigest: Manifest | null = null;
if (mode === 'floor') {
  const json = JSON.parse(await readFile(file, 'utf8')) as { nodes: object };
  info = { topLevelNodes: Object.keys(json.nodes).length };
} else {
  const manifest = await (mode === 'sections' ? loadManifestSections(file) : loadManifest(file));
  info = { matchableNodes: manifest.nodes.size };
  manifestForDigest = manifest;
}
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
// After the measurements: the fingerprint is for checking, not part of loading.
if (manifestForDigest !== null) info.digest = digest(manifestForDigest);
process.stdout.write(`${JSON.stringify({ ms, cpuMs, maxRssBytes, info })}\n`);

/** A fingerprint of everything `parseManifest` returns, to check the prototype changes nothing. */
function digest(manifest: Manifest): string {
  const hash = createHash('sha256');
  const { path: _path, nodes, takenNames, parentMap, childMap, resourceTypes, ...rest } = manifest;
  hash.update(JSON.stringify(rest));
  hash.update(JSON.stringify([...nodes]));
  hash.update(JSON.stringify([...takenNames]));
  hash.update(JSON.stringify([...parentMap]));
  hash.update(JSON.stringify([...childMap]));
  hash.update(JSON.stringify([...resourceTypes]));
  return hash.digest('hex').slice(0, 16);
}
