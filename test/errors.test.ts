/**
 * The error family through the public API: one constructor shape for every class, `hint` on the
 * error and in its JSON, codes narrowed per class (type-checked by `npm run typecheck`), and hints
 * that name what to do without ever carrying a secret.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  ArtifactError,
  ConfigError,
  createTableauClient,
  DbtAutoExposuresError,
  type ErrorCode,
  LineageError,
  loadLineage,
  loadManifest,
  RefreshError,
  TableauApiError,
} from '../src/index.js';
import { assertNoSecrets, SENTINEL_SECRET } from './helpers/secrets.js';
import { clientOptions, rejection, startMock } from './tableau/harness.js';

t.test('every error class takes (code, message, fields?)', async (t) => {
  const made = [
    new DbtAutoExposuresError('ERR_SNAPSHOT', 'm'),
    new ArtifactError('ERR_ARTIFACT_JSON', 'm'),
    new ConfigError('ERR_INVALID_OPTION', 'm'),
    new LineageError('ERR_OUTPUT_LOCKED', 'm'),
    new RefreshError('ERR_REFRESH', 'm'),
    new TableauApiError('ERR_TABLEAU_AUTH', 'm', { status: 401 }),
  ];
  t.same(
    made.map((e) => [e.name, e.code, e.message, e.hint]),
    [
      ['DbtAutoExposuresError', 'ERR_SNAPSHOT', 'm', undefined],
      ['ArtifactError', 'ERR_ARTIFACT_JSON', 'm', undefined],
      ['ConfigError', 'ERR_INVALID_OPTION', 'm', undefined],
      ['LineageError', 'ERR_OUTPUT_LOCKED', 'm', undefined],
      ['RefreshError', 'ERR_REFRESH', 'm', undefined],
      ['TableauApiError', 'ERR_TABLEAU_AUTH', 'm', undefined],
    ],
  );
  for (const e of made) {
    t.type(e, DbtAutoExposuresError);
    t.notOk('hint' in e.toJSON(), `${e.name}: no hint key when there is none`);
  }
});

t.test('hint is a field of the error and of its JSON', async (t) => {
  const e = new ConfigError('ERR_CONFIG', 'bad value', { field: 'x', hint: 'use 1 or 0' });
  t.equal(e.hint, 'use 1 or 0');
  t.same(e.toJSON(), {
    name: 'ConfigError',
    code: 'ERR_CONFIG',
    message: 'bad value',
    field: 'x',
    hint: 'use 1 or 0',
  });
  const api = new TableauApiError('ERR_TABLEAU_TIMEOUT', 'slow', { status: 504, hint: 'retry' });
  t.match(api.toJSON(), { code: 'ERR_TABLEAU_TIMEOUT', status: 504, hint: 'retry' });
});

t.test('codes are literal types, narrowed per class (compile-time checks)', async (t) => {
  const config = new ConfigError('ERR_TABLEAU_CONFIG', 'm');
  const code: ErrorCode = config.code;
  // @ts-expect-error a ConfigError never carries an artifact code
  new ConfigError('ERR_ARTIFACT_JSON', 'm');
  // @ts-expect-error an ArtifactError never carries a configuration code
  new ArtifactError('ERR_CONFIG', 'm');
  // @ts-expect-error a typo'd code is not an ErrorCode
  const typo: ErrorCode = 'ERR_CONFIGG';
  // @ts-expect-error comparing a narrowed code with a code of another class does not compile
  t.notOk(config.code === 'ERR_OUTPUT_LOCKED');
  t.equal(code, 'ERR_TABLEAU_CONFIG');
  t.equal(typo, 'ERR_CONFIGG');
});

t.test('a missing artifact or lineage file says what to run, naming no CLI flag', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dae-errors-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const manifest = (await rejection(loadManifest(dir))) as ArtifactError;
  t.equal(manifest.code, 'ERR_ARTIFACT_NOT_FOUND');
  t.equal(
    manifest.hint,
    'run dbt first (`dbt parse`, `dbt build` or any other command writes it), or pass the path of the manifest.json it wrote',
  );
  const lineage = (await rejection(loadLineage(join(dir, 'lineage.json')))) as LineageError;
  t.equal(lineage.code, 'ERR_LINEAGE_READ');
  t.match(lineage.hint, /^run sync first/);
  for (const e of [manifest, lineage]) t.notMatch(e.hint, /--/);
});

t.test('a refused sign-in hints what to check, and the hint holds no secret', async (t) => {
  const mock = await startMock(t);
  const client = createTableauClient(clientOptions(mock, { tokenName: 'wrong-name' }));
  const error = (await rejection(client.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_AUTH');
  t.match(error.hint, /^check the token name and secret \(both case-sensitive\)/);
  assertNoSecrets(t, error, error.hint, error.toJSON());
});

t.test('an unreachable server hints at the network', async (t) => {
  // 127.0.0.2 stands in for another host; nothing listens on port 9.
  const client = createTableauClient({
    serverUrl: 'http://127.0.0.2:9',
    siteName: 'acme',
    tokenName: 'ci',
    tokenSecret: SENTINEL_SECRET,
    retries: 0,
  });
  const error = (await rejection(client.listWorkbooks())) as TableauApiError;
  t.equal(error.code, 'ERR_TABLEAU_NETWORK');
  t.equal(
    error.hint,
    'check the server URL and that this machine can reach Tableau (proxy, firewall, allowlist)',
  );
  assertNoSecrets(t, error);
});
