/**
 * Builds the client's parts over the mock Tableau server with the sentinel secrets, and captures
 * every log line so tests can assert no secret ever reaches one.
 */
import type { Test } from 'tap';
import { createHttpClient } from '../../src/tableau/http.js';
import { createMetadataApi } from '../../src/tableau/metadata.js';
import { Redactor } from '../../src/tableau/redact.js';
import { createRefreshApi } from '../../src/tableau/refresh.js';
import { createSession } from '../../src/tableau/session.js';
import { resolveTableauSettings, type TableauClientOptions } from '../../src/tableau/settings.js';
import { createMockTableauServer, type MockTableauServerOptions } from '../../src/testing/index.js';
import {
  SENTINEL_SECRET,
  SENTINEL_SESSION_TOKEN,
  SENTINEL_TOKEN_NAME,
} from '../helpers/secrets.js';
import { captureLogger } from './scripted-server.js';

export async function startMock(t: Test, options: MockTableauServerOptions = {}) {
  const mock = await createMockTableauServer({
    tokens: [{ name: SENTINEL_TOKEN_NAME, secret: SENTINEL_SECRET }],
    issueSessionToken: (n) => (n === 1 ? SENTINEL_SESSION_TOKEN : `${SENTINEL_SESSION_TOKEN}-${n}`),
    ...options,
  });
  t.teardown(() => mock.close());
  return mock;
}

/** Client options for the mock, with fast retries. */
export function clientOptions(
  mock: { url: string; siteName: string },
  extra: Partial<TableauClientOptions> = {},
): TableauClientOptions {
  return {
    serverUrl: mock.url,
    siteName: mock.siteName,
    tokenName: SENTINEL_TOKEN_NAME,
    tokenSecret: SENTINEL_SECRET,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 5,
    maxRetryAfterMs: 5,
    timeoutMs: 5000,
    ...extra,
  };
}

export function buildParts(options: TableauClientOptions) {
  const settings = resolveTableauSettings(options);
  const log = captureLogger();
  const redactor = new Redactor([SENTINEL_SECRET]);
  const http = createHttpClient({
    ...settings,
    redactor,
    logger: log.logger,
    signal: options.signal,
  });
  const session = createSession({ http, settings, redactor, logger: log.logger });
  const metadata = createMetadataApi({
    session,
    redactor,
    logger: log.logger,
    limits: settings,
    retry: settings,
  });
  const refresh = createRefreshApi({
    session,
    metadata,
    redactor,
    logger: log.logger,
    signal: options.signal,
  });
  return { settings, log, redactor, http, session, metadata, refresh };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
