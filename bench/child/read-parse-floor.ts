/**
 * The floor of the `sync` row (issue 15's "read-and-parse floor"):
 * `node read-parse-floor.js <manifest.json> <snapshot.json> <out.json>` reads and parses both
 * inputs, as any sync must, and writes one JSON file: the parsed snapshot back with the manifest's
 * node count, an output describing every workbook as a sync's outputs do. Only the count outlives
 * the manifest's parse, as only a small index outlives it in a sync. Measured by measure-exit.js.
 */
import { readFile, writeFile } from 'node:fs/promises';

const [manifestPath, snapshotPath, outPath] = process.argv.slice(2);
if (manifestPath === undefined || snapshotPath === undefined || outPath === undefined) {
  process.stderr.write('usage: read-parse-floor.js <manifest.json> <snapshot.json> <out.json>\n');
  process.exit(2);
}
// In a function, so the parsed manifest is garbage once it returns (a module-level binding would
// keep it alive to the end).
async function nodeCount(path: string): Promise<number> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as { nodes: object };
  return Object.keys(manifest.nodes).length;
}

const nodes = await nodeCount(manifestPath);
const snapshot = JSON.parse(await readFile(snapshotPath, 'utf8')) as { workbooks: unknown[] };
await writeFile(outPath, JSON.stringify({ nodes, workbooks: snapshot.workbooks }));
