/**
 * Running npm, tsc and node as a user's shell would: without the test runner's loaders and
 * coverage hooks (NODE_OPTIONS, NODE_V8_COVERAGE, TAP_*) and without the npm_* variables of the
 * `npm test` that started us (npm_config_local_prefix would point a child npm at this repository).
 */
import { spawn } from 'node:child_process';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        key !== 'NODE_OPTIONS' &&
        key !== 'NODE_V8_COVERAGE' &&
        key !== 'INIT_CWD' &&
        !key.startsWith('TAP') &&
        !key.toLowerCase().startsWith('npm_'),
    ),
  );
}

/** Run a command to completion in `cwd`; never rejects on a non-zero exit (the caller asserts). */
export function run(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `cmd args` and its output, for an assertion message. */
export function describeRun(command: string, args: string[], ran: Ran): string {
  return `${command} ${args.join(' ')} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`;
}
