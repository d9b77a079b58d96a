/**
 * Helpers for the CLI tests: a captured `CliIo`, running the CLI in process, a scratch copy of the
 * example dbt project, and spawning the built binary (only where the real process is the point).
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { createMockTableauServer, type MockSiteInput } from '../../src/testing/index.js';
import { SENTINEL_SECRET, SENTINEL_TOKEN_NAME } from '../helpers/secrets.js';
import { repoFixtures, repoRoot } from '../helpers/shared-fixtures.js';

export const exampleProject = join(repoRoot, 'examples', 'jaffle-tableau');
export const jaffleLineage = join(repoFixtures, 'cli', 'jaffle-lineage.json');
export const binary = join(repoRoot, 'dist', 'cli', 'main.js');

export interface Captured {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** A `CliIo` writing into strings; env is exactly what is given (never process.env). */
export function captureIo(
  env: Record<string, string | undefined> = {},
  cwd: string = repoRoot,
  tty = false,
): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (t: string) => (out += t), isTTY: tty },
      stderr: { write: (t: string) => (err += t), isTTY: tty },
      env,
      cwd,
    },
    stdout: () => out,
    stderr: () => err,
  };
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh temporary directory, removed after the test. */
export async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dae-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A scratch copy of examples/jaffle-tableau (tests write into it). */
export async function copyExample(t: Teardown): Promise<string> {
  const dir = join(await tempDir(t), 'jaffle-tableau');
  await cp(exampleProject, dir, { recursive: true });
  return dir;
}

/** How a CLI run ended: its exit code and everything it printed. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI in process (`run(args, io)`, what the binary does) with exactly `env` (never
 * process.env), in `cwd`: the same arguments and result as `spawnCli`, without a process.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const c = captureIo(options.env ?? {}, options.cwd ?? repoRoot);
  const code = await run(args, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Run the built binary with `args`, a clean environment plus `env`, in `cwd`. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The mock Tableau server with the example site, and the variables that connect to it. */
export async function mockTableau(t: Teardown) {
  const site = JSON.parse(
    await readFile(join(exampleProject, 'tableau-site.json'), 'utf8'),
  ) as MockSiteInput;
  const server = await createMockTableauServer({
    siteModel: site,
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
  });
  t.teardown(() => server.close());
  const env = {
    TABLEAU_SERVER_URL: server.url,
    TABLEAU_SITE_NAME: server.siteName,
    TABLEAU_TOKEN_NAME: SENTINEL_TOKEN_NAME,
    TABLEAU_TOKEN_SECRET: SENTINEL_SECRET,
  };
  return { server, env };
}
