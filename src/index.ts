/**
 * dbt-auto-exposures — the public API. Every export is listed by name; there is no default export.
 * Each section is owned by one folder of src/.
 */

// active exposures
export {
  type FollowDbtLogOptions,
  followDbtLog,
  loadRunResultsFromLog,
} from './active/follow.js';
export { type MaybeRefreshOptions, maybeRefresh } from './active/maybe-refresh.js';
export type {
  JobOutcome,
  LastRefreshStore,
  Refresher,
  RefresherCallOptions,
  RefreshTarget,
  RefreshTrigger,
  WaitForJobOptions,
} from './active/refresher.js';
export {
  type RefreshReason,
  type RefreshReport,
  type RefreshResult,
  type RefreshStatus,
  type RefreshSummary,
  writeRefreshReport,
} from './active/report.js';
export type { EntryStream, RefreshRunOptions } from './active/session.js';

// dbt artifacts
export type {
  LoadArtifactOptions,
  ParseArtifactOptions,
} from './artifacts/artifact.js';
export {
  type DbtProject,
  type LoadDbtProjectOptions,
  loadDbtProject,
} from './artifacts/dbt-project.js';
export {
  type FindDbtProjectsOptions,
  findDbtProjects,
} from './artifacts/find-projects.js';
export { loadManifest, parseManifest } from './artifacts/manifest.js';
export {
  type LoadRunResultsOptions,
  loadRunResults,
  type ParseRunResultsOptions,
  parseRunResults,
  type RunResultsPairingOptions,
} from './artifacts/run-results.js';
export type {
  ArtifactNote,
  DbtNode,
  DbtProjectArtifacts,
  Manifest,
  ManifestExposure,
  MatchableResourceType,
  ModelAccess,
  QuotingPolicy,
  RunResult,
  RunResults,
  RunStatus,
  RunTiming,
} from './artifacts/types.js';
// errors
export {
  ArtifactError,
  type ArtifactErrorCode,
  ConfigError,
  type ConfigErrorCode,
  DbtAutoExposuresError,
  type ErrorCode,
  type ErrorFields,
  LineageError,
  type LineageErrorCode,
  RefreshError,
  TableauApiError,
  type TableauErrorCode,
  type TableauErrorFields,
} from './errors.js';
// lineage: matching Tableau onto dbt (src/lineage)
export { buildExposureLineage } from './lineage/build.js';
export type { BuildLineageInput, BuildLineageOptions } from './lineage/build-options.js';
export type {
  CurationOptions,
  ExposureMaturity,
  ExposureOverride,
  ExposureType,
} from './lineage/curation.js';
export type { MatchOptions, NameAliases } from './lineage/match.js';
export type {
  AmbiguousMatch,
  DbtReference,
  ExposureLineage,
  LineageDbtInfo,
  LineageDependency,
  LineageExposure,
  LineageOwner,
  LineageRefreshTarget,
  LineageSource,
  LineageStats,
  MatchKind,
  SkippedWorkbook,
  UnmatchedReason,
  UnmatchedTable,
} from './lineage/types.js';
export type { LogEntryCode } from './log/events.js';
// structured logs
export { type LogFormat, renderLogEntry } from './log/render.js';
export {
  isLogEntry,
  type LogEntry,
  type LogEntryInfo,
  type LogEntryOf,
  type Logger,
  type LogLevel,
} from './log/types.js';
// outputs: the lineage file, the exposures YAML, manifest injection, Mermaid (src/output)
export {
  type DiffedField,
  diffLineage,
  type ExposureChange,
  type LineageDiff,
  renderLineageDiff,
} from './output/diff.js';
export type {
  WriteSyncOutputsOptions,
  WriteSyncOutputsResult,
} from './output/exposure-files.js';
export type {
  ExposureNameCheckOptions,
  HandWrittenExposure,
  UnscannedYamlFile,
} from './output/exposure-scan.js';
export { type InjectExposuresOptions, injectExposures } from './output/inject.js';
export {
  type LineageFileOptions,
  loadLineage,
  type ParseLineageOptions,
  parseLineage,
  renderLineage,
  writeLineage,
} from './output/lineage-file.js';
export { type RenderMermaidOptions, renderMermaid } from './output/mermaid.js';
export { recoverSyncOutputs, writeSyncOutputs } from './output/sync-outputs.js';
// impact and lineage show what a dashboard reads as `ref('orders')`, rendered by the YAML
// renderer (the one place Jinja is written).
export {
  type RenderExposuresYamlOptions,
  renderExposuresYaml,
  renderReference,
} from './output/yaml.js';
// Tableau
export {
  type ConnectedAppOptions,
  createTableauClient,
  type JobPollOptions,
  type TableauClientOptions,
  type TableauHttpClient,
} from './tableau/client.js';
export type { FetchInitLike, FetchLike, FetchResponseLike } from './tableau/http.js';
export {
  type LoadTableauSnapshotOptions,
  loadTableauSnapshot,
  parseTableauSnapshot,
  type TableauSnapshotSource,
  type WriteTableauSnapshotOptions,
  writeTableauSnapshot,
} from './tableau/snapshot.js';
export type {
  ListWorkbooksOptions,
  ListWorkbooksProgress,
  RequestOptions,
  TableauClient,
  TableauCustomSql,
  TableauEmbeddedDatasource,
  TableauOwner,
  TableauPublishedDatasource,
  TableauTable,
  TableauWarning,
  TableauWorkbook,
  WorkbookFilter,
} from './tableau/types.js';
