/**
 * The active exposures event catalog: the stable code and name of each event. AE0xx are the
 * console lines (`log`), AE1xx the evidence (`debug`). Codes never change meaning.
 */

/** Category of every active exposures event. */
export const ACTIVE_EXPOSURES_CATEGORY = 'active_exposures';

/** The event catalog: name and code of each event. Codes never change meaning. */
export const ACTIVE_EXPOSURE_EVENTS = {
  disabled: { code: 'AE001', name: 'ActiveExposuresDisabled' },
  header: { code: 'AE002', name: 'ActiveExposuresStart' },
  start: { code: 'AE003', name: 'ActiveExposureStart' },
  refreshed: { code: 'AE004', name: 'ActiveExposureRefreshed' },
  skipped: { code: 'AE005', name: 'ActiveExposureSkipped' },
  error: { code: 'AE006', name: 'ActiveExposureError' },
  done: { code: 'AE007', name: 'ActiveExposuresDone' },
  aborted: { code: 'AE008', name: 'ActiveExposuresAborted' },
  artifactMismatch: { code: 'AE009', name: 'ActiveExposuresArtifactMismatch' },
  triggered: { code: 'AE010', name: 'ActiveExposureTriggered' },
  invocationEnded: { code: 'AE011', name: 'ActiveExposuresInvocationEnded' },
  settings: { code: 'AE100', name: 'ActiveExposuresSettings' },
  upstream: { code: 'AE101', name: 'ActiveExposureUpstream' },
  lastRefresh: { code: 'AE102', name: 'ActiveExposureLastRefresh' },
  refreshCall: { code: 'AE103', name: 'ActiveExposureRefreshCall' },
  jobOutcome: { code: 'AE104', name: 'ActiveExposureJobOutcome' },
  callFailed: { code: 'AE105', name: 'ActiveExposureCallFailed' },
  logLineSkipped: { code: 'AE106', name: 'ActiveExposuresLogLineSkipped' },
  ready: { code: 'AE107', name: 'ActiveExposureReady' },
} as const;

/** Name of an event in {@link ACTIVE_EXPOSURE_EVENTS}. */
export type ActiveExposureEvent = keyof typeof ACTIVE_EXPOSURE_EVENTS;

type Catalog = (typeof ACTIVE_EXPOSURE_EVENTS)[ActiveExposureEvent];

/** The code of a log entry of the library: `AE001` … `AE011`, `AE100` … `AE107`. */
export type LogEntryCode = Catalog['code'];

/** The event name that goes with `code` (`AE004` → `ActiveExposureRefreshed`). */
export type LogEntryName<C extends LogEntryCode = LogEntryCode> = Extract<
  Catalog,
  { code: C }
>['name'];

/** The code of an event of the catalog (`refreshed` → `AE004`). */
export type CodeOfEvent<E extends ActiveExposureEvent> = (typeof ACTIVE_EXPOSURE_EVENTS)[E]['code'];
