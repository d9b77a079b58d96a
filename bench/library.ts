/**
 * The bench's one door into the library: every name the bench uses from src/, all of them from
 * the public entry points (src/index.ts, src/testing/index.ts). When the public API is renamed or
 * shrinks, this file is the one to edit; the cases and generators import from here only. The
 * `sync` and `cli` rows go through the built CLI binary instead (bench/cases/cli-entry.ts).
 */
// `parseManifest` and `Manifest` are used only by the manifest-load row's section-skipping
// prototype. The relation index left the public API with issue 15: that row measures
// `loadManifest` alone.
export {
  buildExposureLineage,
  createTableauClient,
  type ExposureLineage,
  followDbtLog,
  type LineageExposure,
  type LineageRefreshTarget,
  loadManifest,
  type Manifest,
  maybeRefresh,
  parseManifest,
  parseRunResults,
  renderLineage,
  type TableauClient,
  type TableauCustomSql,
  type TableauPublishedDatasource,
  type TableauTable,
  type TableauWorkbook,
  writeTableauSnapshot,
} from '../src/index.js';
export {
  createFakeRefresher,
  createMockTableauServer,
  type MockWorkbookInput,
} from '../src/testing/index.js';
