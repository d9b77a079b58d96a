/**
 * dbt-auto-exposures — the public API. Every export is listed by name; there is no default export.
 * Each section is owned by one folder of src/.
 */

// active exposures
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
  writeRefreshReport,
} from './active/report.js';

// dbt artifacts
export {
  isFusionVersion,
  type LoadArtifactOptions,
  type ParseArtifactOptions,
} from './artifacts/artifact.js';
export {
  type DbtProject,
  type LoadDbtProjectOptions,
  loadDbtProject,
} from './artifacts/dbt-project.js';
export {
  type FindDbtProjectsOptions,
  findDbtProjects,
  SKIPPED_DIRECTORIES,
} from './artifacts/find-projects.js';
export { loadManifest, parseManifest } from './artifacts/manifest.js';
export { checkArtifactPairing } from './artifacts/pairing.js';
export {
  buildRelationIndex,
  displayRelation,
  normalizeIdentifier,
  type RelationCandidate,
  type RelationCollision,
  RelationIndex,
  type RelationIndexOptions,
  relationKey,
  type SchemaLookup,
  splitQualifiedName,
} from './artifacts/relation.js';
export { KNOWN_RUN_STATUSES, loadRunResults, parseRunResults } from './artifacts/run-results.js';
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
  ConfigError,
  DbtAutoExposuresError,
  type ErrorCode,
  type ErrorFields,
  isDbtAutoExposuresError,
  LineageError,
  RefreshError,
  TableauApiError,
  type TableauErrorFields,
} from './errors.js';
export { buildExposureLineage } from './lineage/build.js';
export type { BuildLineageInput, BuildLineageOptions } from './lineage/build-options.js';
export {
  type CurationOptions,
  EXPOSURE_MATURITIES,
  EXPOSURE_TYPES,
  type ExposureMaturity,
  type ExposureOverride,
  type ExposureType,
} from './lineage/curation.js';
export {
  cleanCustomSql,
  dialectForConnection,
  type ParsedCustomSql,
  parseCustomSqlTables,
} from './lineage/custom-sql.js';
export type { MatchOptions, NameAliases } from './lineage/match.js';
export {
  type AssignNamesOptions,
  assignExposureNames,
  EXPOSURE_NAME_PATTERN,
  isValidExposureName,
  MAX_EXPOSURE_NAME_LENGTH,
  type NameRequest,
  slugifyExposureName,
} from './lineage/naming.js';
export { jinjaString, type RenderRefOptions, renderRef } from './lineage/refs.js';
export {
  isWarehouseConnection,
  type ResolvedTableauTable,
  resolveTableauTable,
  type TableauRelation,
  tableauTableLabel,
} from './lineage/tableau-relation.js';
// lineage and outputs
export type {
  AmbiguousMatch,
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
export { LINEAGE_VERSION } from './lineage/types.js';
// structured logs
export { type LogFormat, renderLogEntry } from './log/render.js';
export type { LogEntry, LogEntryInfo, Logger, LogLevel } from './log/types.js';
export {
  DIFFED_FIELDS,
  type DiffedField,
  diffLineage,
  type ExposureChange,
  formatLineageDiff,
  type LineageDiff,
} from './output/diff.js';
export {
  isGeneratedFile,
  type WriteExposuresYamlOptions,
  type WriteExposuresYamlResult,
  writeExposuresYaml,
} from './output/exposure-files.js';
export {
  checkExposureNames,
  type ExposureNameCheckOptions,
  type ExposureNameClash,
  type FindHandWrittenExposuresOptions,
  findExposureNameClashes,
  findHandWrittenExposures,
  type HandWrittenExposure,
  type HandWrittenExposureScan,
  type UnscannedYamlFile,
} from './output/exposure-scan.js';
export { type InjectExposuresOptions, injectExposures } from './output/inject.js';
export {
  type LineageIoOptions,
  type ParseLineageOptions,
  parseLineage,
  readLineage,
  serializeLineage,
  writeLineage,
} from './output/lineage-io.js';
export { mermaidLabel, type RenderMermaidOptions, renderMermaid } from './output/mermaid.js';
export {
  recoverSyncOutputs,
  type WriteSyncOutputsOptions,
  writeSyncOutputs,
} from './output/sync-outputs.js';
export {
  DEFAULT_EXPOSURES_FILE,
  GENERATED_MARKER,
  NO_PROJECT_FILE,
  PROJECT_FILE_PREFIX,
  projectFileNames,
  type RenderExposuresYamlOptions,
  renderExposuresYaml,
  slugifyProjectName,
} from './output/yaml.js';
export { jinjaSafe } from './output/yaml-scalars.js';
// Tableau
export {
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
// lineage and outputs: rendering and writing (src/output)
export {
  type AtomicWriteFs,
  type AtomicWriteHandle,
  type WriteFileAtomicOptions,
  writeFileAtomic,
} from './util/atomic-write.js';
