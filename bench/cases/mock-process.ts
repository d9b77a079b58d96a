/** Drives `child/mock-site.js`: a mock Tableau server over a generated site, in its own process. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

export interface MockSiteInfo {
  url: string;
  siteName: string;
  tokenName: string;
  tokenSecret: string;
  projects: string[];
  /** Custom SQL queries on the site (listed through their own GraphQL connection). */
  customSqlTables: number;
  /** Published data sources on the site (listed once, through their own connection). */
  publishedDatasources: number;
}

/** What the bench reads back from the mock's counters. */
export interface MockCountersView {
  total: number;
  signIns: number;
  requests: Record<string, number>;
  /** GraphQL requests and answered objects (nodes), per top-level connection. */
  graphql: Record<string, number>;
  graphqlNodes: Record<string, number>;
  refreshCalls: Record<string, number>;
  /** CPU time the mock's process has used so far (ms). */
  cpuMs: number;
}

export class MockSiteProcess {
  readonly info: MockSiteInfo;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: ((line: string) => void)[] = [];

  private constructor(child: ChildProcessWithoutNullStreams, lines: Interface, info: MockSiteInfo) {
    this.#child = child;
    this.#lines = lines;
    this.info = info;
    lines.on('line', (line) => this.#waiting.shift()?.(line));
  }

  static async start(
    outDir: string,
    args: { seed: number; workbooks: number; tables: number; latencyMs: number },
  ): Promise<MockSiteProcess> {
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const child = spawn(
      process.execPath,
      [
        join(outDir, 'child', 'mock-site.js'),
        String(args.seed),
        String(args.workbooks),
        String(args.tables),
        String(args.latencyMs),
      ],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) =>
        reject(new Error(`mock-site exited ${code}: ${err.slice(-2000)}`)),
      );
    });
    return new MockSiteProcess(child, lines, JSON.parse(first) as MockSiteInfo);
  }

  #ask(command: string): Promise<string> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.stdin.write(`${command}\n`);
    });
  }

  async counters(): Promise<MockCountersView> {
    return JSON.parse(await this.#ask('counters')) as MockCountersView;
  }

  async reset(): Promise<void> {
    await this.#ask('reset');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#lines.close();
      this.#child.stdin.end();
    });
  }
}
