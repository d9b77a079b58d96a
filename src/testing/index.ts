/**
 * `dbt-auto-exposures/testing`: test doubles for users' own tests (the mock Tableau server,
 * fixture builders, a fake refresher). Imports nothing from the main entry point, so loading it
 * pulls in no client or network code beyond `node:http`.
 */
export {
  createFakeRefresher,
  type FakeJobOutcome,
  type FakeRefreshAnswer,
  type FakeRefresher,
  type FakeRefresherCall,
  type FakeRefresherOptions,
} from './fake-refresher.js';
export type {
  MockFault,
  MockFaultRule,
  MockFaultSchedule,
  MockFaultSpec,
  MockRoute,
} from './mock-faults.js';
export { MOCK_ROUTES } from './mock-faults.js';
export { DEFAULT_JOB_PLAN, type MockJobPlan, type MockJobState } from './mock-jobs.js';
export {
  createMockTableauServer,
  type MockTableauServer,
  type MockTableauServerOptions,
} from './mock-server.js';
export { MOCK_TOKEN_NAME, MOCK_TOKEN_SECRET, type MockToken } from './mock-sessions.js';
export type { MockCounters, MockRequestRecord } from './mock-state.js';
export { PERSONAL_SPACE_PROJECT_NAME, resolveMockSite } from './resolve-mock-site.js';
export { type BuildMockSiteOptions, buildMockSite } from './site-builder.js';
export type {
  MockCollection,
  MockCollectionInput,
  MockCustomSql,
  MockCustomSqlInput,
  MockEmbeddedDatasource,
  MockEmbeddedDatasourceInput,
  MockProject,
  MockProjectInput,
  MockPublishedDatasource,
  MockPublishedDatasourceInput,
  MockSite,
  MockSiteInput,
  MockTable,
  MockTableInput,
  MockWorkbook,
  MockWorkbookInput,
} from './site-model.js';
