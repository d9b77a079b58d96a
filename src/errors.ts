/**
 * The error family. Every error the library throws on purpose is a `DbtAutoExposuresError` with a
 * stable string `code` (safe to switch on), an optional `cause`, and structured fields naming what
 * failed (file, field, variable, URL). Messages never contain secrets: the Tableau layer redacts
 * before constructing an error, and `toJSON` only exposes the listed fields.
 */

/** Codes of {@link ArtifactError}: a dbt artifact missing, unreadable, not JSON, of another kind or version, or of the wrong shape. */
export type ArtifactErrorCode =
  | 'ERR_ARTIFACT_NOT_FOUND'
  | 'ERR_ARTIFACT_READ'
  | 'ERR_ARTIFACT_JSON'
  | 'ERR_ARTIFACT_KIND'
  | 'ERR_ARTIFACT_VERSION'
  | 'ERR_ARTIFACT_SCHEMA';

/** Codes of {@link ConfigError}: a bad setting, option or Tableau connection setting. */
export type ConfigErrorCode = 'ERR_CONFIG' | 'ERR_INVALID_OPTION' | 'ERR_TABLEAU_CONFIG';

/** Codes of {@link TableauApiError}: a failed call to Tableau. */
export type TableauErrorCode =
  | 'ERR_TABLEAU_API'
  | 'ERR_TABLEAU_AUTH'
  | 'ERR_TABLEAU_NETWORK'
  | 'ERR_TABLEAU_TIMEOUT'
  | 'ERR_TABLEAU_RESPONSE'
  | 'ERR_TABLEAU_RESPONSE_TOO_LARGE'
  | 'ERR_TABLEAU_REDIRECT'
  | 'ERR_TABLEAU_GRAPHQL'
  | 'ERR_TABLEAU_UNSUPPORTED';

/** Codes of {@link LineageError}: the lineage JSON and the output files. */
export type LineageErrorCode =
  | 'ERR_LINEAGE_READ'
  | 'ERR_LINEAGE_SCHEMA'
  | 'ERR_LINEAGE_VERSION'
  | 'ERR_OUTPUT_WRITE'
  | 'ERR_OUTPUT_CONFLICT'
  | 'ERR_OUTPUT_LOCKED'
  | 'ERR_EXPOSURE_NAME_TAKEN';

/**
 * Every code an error of the library carries: the codes of each subclass, plus `ERR_SNAPSHOT` (a
 * Tableau snapshot file that is not one) and `ERR_ABORTED` (the signal aborted), which are thrown
 * as the base class, and `ERR_REFRESH` ({@link RefreshError}).
 */
export type ErrorCode =
  | ArtifactErrorCode
  | ConfigErrorCode
  | TableauErrorCode
  | LineageErrorCode
  | 'ERR_SNAPSHOT'
  | 'ERR_REFRESH'
  | 'ERR_ABORTED';

/** The structured fields an error carries besides its code and message (all optional). */
export interface ErrorFields {
  /** The file the problem is in, as the user gave it. */
  file?: string | undefined;
  /** A JSON path (`nodes["model.x.y"].schema`) or option name. */
  field?: string | undefined;
  /** What was expected there, in words. */
  expected?: string | undefined;
  /** Anything else structured that helps (never a secret). */
  details?: Record<string, unknown> | undefined;
  /**
   * What to do about it, in one sentence for the user (never a secret). The library names its
   * options (`manifestPath`), not CLI flags.
   */
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * The base of every error the library throws on purpose: a stable `code`, the message, the
 * structured fields naming what failed, and a `hint` on what to do when there is a useful one.
 */
export class DbtAutoExposuresError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly expected: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** What to do about it, in one sentence (see {@link ErrorFields.hint}). */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, fields: ErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'DbtAutoExposuresError';
    this.code = code;
    this.file = fields.file;
    this.field = fields.field;
    this.expected = fields.expected;
    this.details = fields.details;
    this.hint = fields.hint;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.expected === undefined ? {} : { expected: this.expected }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

/** dbt artifacts: missing, unreadable, not JSON, wrong kind, unknown version, wrong shape. */
export class ArtifactError extends DbtAutoExposuresError {
  declare readonly code: ArtifactErrorCode;

  constructor(code: ArtifactErrorCode, message: string, fields: ErrorFields = {}) {
    super(code, message, fields);
    this.name = 'ArtifactError';
  }
}

/** Bad options, environment variables or config files. Raised before any I/O. */
export class ConfigError extends DbtAutoExposuresError {
  declare readonly code: ConfigErrorCode;

  constructor(code: ConfigErrorCode, message: string, fields: ErrorFields = {}) {
    super(code, message, fields);
    this.name = 'ConfigError';
  }
}

/** Lineage JSON and output files: unreadable, invalid, or failed to write. */
export class LineageError extends DbtAutoExposuresError {
  declare readonly code: LineageErrorCode;

  constructor(code: LineageErrorCode, message: string, fields: ErrorFields = {}) {
    super(code, message, fields);
    this.name = 'LineageError';
  }
}

/** Active exposures: a refresh run that cannot proceed (not per-target failures, which are reported). */
export class RefreshError extends DbtAutoExposuresError {
  declare readonly code: 'ERR_REFRESH';

  constructor(code: 'ERR_REFRESH', message: string, fields: ErrorFields = {}) {
    super(code, message, fields);
    this.name = 'RefreshError';
  }
}

/**
 * The one abort error: `ERR_ABORTED`, whatever was aborted (a request, a file read or write, a
 * wait). `operation` says what, in words (`Reading target/manifest.json`).
 */
export function abortedError(operation: string, signal?: AbortSignal): DbtAutoExposuresError {
  const reason: unknown = signal?.reason;
  return new DbtAutoExposuresError('ERR_ABORTED', `${operation} was aborted`, {
    details: { operation },
    hint: 'run it again when ready: files are written atomically, so none was left half-written',
    ...(reason instanceof Error && reason.name !== 'AbortError' ? { cause: reason } : {}),
  });
}

/** Structured fields of a Tableau failure (all optional: a network error has no HTTP status). */
export interface TableauErrorFields extends ErrorFields {
  /** HTTP status, when a response arrived. */
  status?: number | undefined;
  /** Tableau's error code (`401001`, `409093`, …) or a GraphQL error code, when it sent one. */
  tableauCode?: string | undefined;
  /** Tableau's `<summary>`. */
  summary?: string | undefined;
  /** Tableau's `<detail>`. */
  detail?: string | undefined;
  /** HTTP method of the failed request. */
  method?: string | undefined;
  /** URL of the failed request, redacted (no token, no query secrets). */
  url?: string | undefined;
  /** GraphQL `errors`, redacted. */
  graphqlErrors?: unknown[] | undefined;
  /** GraphQL partial `data` that arrived with the errors (time or node limit). */
  partialData?: unknown;
}

/**
 * A failed call to Tableau (REST or Metadata API): `ERR_TABLEAU_API` (an error response),
 * `ERR_TABLEAU_AUTH` (sign-in refused), `ERR_TABLEAU_NETWORK`, `ERR_TABLEAU_TIMEOUT`,
 * `ERR_TABLEAU_RESPONSE` (a body that is not what Tableau sends), `ERR_TABLEAU_RESPONSE_TOO_LARGE`
 * (a body or listing over its bound), `ERR_TABLEAU_REDIRECT` (a redirect that is not followed),
 * `ERR_TABLEAU_GRAPHQL`, `ERR_TABLEAU_UNSUPPORTED`. Never carries request headers or bodies; message and fields are
 * redacted before construction.
 */
export class TableauApiError extends DbtAutoExposuresError {
  readonly status: number | undefined;
  readonly tableauCode: string | undefined;
  readonly summary: string | undefined;
  readonly detail: string | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly graphqlErrors: unknown[] | undefined;
  readonly partialData: unknown;
  declare readonly code: TableauErrorCode;

  constructor(code: TableauErrorCode, message: string, fields: TableauErrorFields = {}) {
    super(code, message, fields);
    this.name = 'TableauApiError';
    this.status = fields.status;
    this.tableauCode = fields.tableauCode;
    this.summary = fields.summary;
    this.detail = fields.detail;
    this.method = fields.method;
    this.url = fields.url;
    this.graphqlErrors = fields.graphqlErrors;
    this.partialData = fields.partialData;
  }

  override toJSON(): Record<string, unknown> {
    const extra: Record<string, unknown> = {};
    for (const key of ['status', 'tableauCode', 'summary', 'detail', 'method', 'url'] as const) {
      if (this[key] !== undefined) extra[key] = this[key];
    }
    return { ...super.toJSON(), ...extra };
  }
}
