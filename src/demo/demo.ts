#!/usr/bin/env node
/**
 * `npm run demo`: the whole job on a built-in example, offline, no Tableau account.
 *
 * Copies examples/jaffle-tableau into examples/demo-output/ (git-ignored), starts the mock Tableau
 * server on 127.0.0.1 with the site of examples/jaffle-tableau/tableau-site.json, and runs the
 * real CLI against it: `sync`, `lineage --format mermaid`, then `refresh` twice (the first
 * refreshes the extracts, the second skips them: the 1440-minute cadence has not elapsed).
 */
import { cp, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliIo, painter, processIo, useColor } from '../cli/io.js';
import { run } from '../cli/run.js';
import { createMockTableauServer, type MockSiteInput } from '../testing/index.js';

const DEMO_TOKEN = { name: 'demo-token', secret: 'demo-secret-not-a-real-token' };

export interface DemoOptions {
  /** Repository root (holds examples/). Default: two levels above this file. */
  root?: string;
  /** Where outputs go. Default: <root>/examples/demo-output. */
  outDir?: string;
}

/** Run the demo; resolves to the exit code (0 when every step did what it should). */
export async function runDemo(io: CliIo, options: DemoOptions = {}): Promise<number> {
  const root = options.root ?? fileURLToPath(new URL('../../', import.meta.url));
  const example = join(root, 'examples', 'jaffle-tableau');
  const outDir = options.outDir ?? join(root, 'examples', 'demo-output');
  const project = join(outDir, 'jaffle-tableau');
  const paint = painter(useColor(io.env, io.stdout));
  const say = (text: string) => io.stdout.write(`${text}\n`);

  await rm(outDir, { recursive: true, force: true });
  await cp(example, project, { recursive: true });
  const site = JSON.parse(
    await readFile(join(example, 'tableau-site.json'), 'utf8'),
  ) as MockSiteInput;
  const server = await createMockTableauServer({ siteModel: site, tokens: [DEMO_TOKEN] });
  const env = {
    ...io.env,
    TABLEAU_SERVER_URL: server.url,
    TABLEAU_SITE_NAME: server.siteName,
    TABLEAU_TOKEN_NAME: DEMO_TOKEN.name,
    TABLEAU_TOKEN_SECRET: DEMO_TOKEN.secret,
    DBT_ACTIVE_EXPOSURES: '1',
    DBT_PROJECT_DIR: project,
  };
  delete (env as Record<string, string | undefined>).DBT_TARGET_PATH;
  delete (env as Record<string, string | undefined>).DBT_ACTIVE_EXPOSURES_BUILD_AFTER;
  const cli = { ...io, env, cwd: outDir };
  const mermaid = join(outDir, 'lineage.mmd');
  const steps: { title: string; argv: string[]; expect: number }[] = [
    { title: 'sync: Tableau workbooks → dbt exposures', argv: ['sync'], expect: 0 },
    {
      title: 'lineage: the picture, for a pull request',
      argv: ['lineage', '--format', 'mermaid', '--out', mermaid],
      expect: 0,
    },
    {
      title: 'refresh after `dbt build` (DBT_ACTIVE_EXPOSURES=1): refreshes what was rebuilt',
      argv: ['refresh', '--wait', '--wait-timeout', '60'],
      expect: 0,
    },
    {
      title: 'refresh again: within the 1440-minute cadence, so it skips',
      argv: ['refresh'],
      expect: 0,
    },
  ];
  say(
    paint(
      'bold',
      `dbt-auto-exposures demo — mock Tableau at ${server.url}, site "${server.siteName}"`,
    ),
  );
  say(`dbt project: ${relative(root, project)} (copied from examples/jaffle-tableau)`);
  let failed = false;
  try {
    for (const [i, step] of steps.entries()) {
      say('');
      say(paint('cyan', `── ${i + 1}/${steps.length} ${step.title}`));
      say(
        paint(
          'dim',
          `$ dbt-auto-exposures ${step.argv.map((a) => (a.includes(root) ? relative(outDir, a) : a)).join(' ')}`,
        ),
      );
      const code = await run(step.argv, cli);
      if (code !== step.expect) {
        failed = true;
        say(paint('red', `step ${i + 1} exited with ${code}, expected ${step.expect}`));
        break;
      }
    }
  } finally {
    await server.close();
  }
  if (failed) return 1;
  const rel = (p: string) => relative(root, p);
  say('');
  say(paint('green', 'Done. Outputs:'));
  say(`  exposures YAML   ${rel(join(project, 'models', 'exposures', 'tableau_exposures.yml'))}`);
  say(`  lineage JSON     ${rel(join(project, 'models', 'exposures', 'tableau_lineage.json'))}`);
  say(`  Mermaid picture  ${rel(mermaid)}`);
  say(`  refresh report   ${rel(join(project, 'target', 'active_exposures.json'))}`);
  return 0;
}

// Run when executed directly (node dist/demo/demo.js), not when imported by a test.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runDemo(processIo());
}
