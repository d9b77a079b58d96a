/**
 * `dbt-auto-exposures/testing`: test doubles for users' own tests (the mock Tableau server,
 * fixture builders, a fake refresher). Imports nothing from the main entry point, so loading it
 * pulls in no client code.
 */
export type { MockConnectedApp, MockJwtRejection } from './connected-app.js';
export {
  createFakeRefresher,
  type FakeJobOutcome,
  type FakeRefreshAnswer,
  type FakeRefresher,
  type FakeRefresherCall,
  type FakeRefresherOptions,
} from './fake-refresher.js';
export type { MockTableauVersion } from './schema.js';
export type {
  MockFault,
  MockFaultRule,
  MockFaultSchedule,
  MockFaultSpec,
  MockPodOptions,
  MockTableauServer,
  MockTableauServerOptions,
} from './server.js';
export { createMockTableauServer } from './server.js';
export {
  type BuildMockSiteOptions,
  buildMockSite,
  type MockCollection,
  type MockCollectionInput,
  type MockCustomSql,
  type MockCustomSqlInput,
  type MockEmbeddedDatasource,
  type MockEmbeddedDatasourceInput,
  type MockOwner,
  type MockProject,
  type MockProjectInput,
  type MockPublishedDatasource,
  type MockPublishedDatasourceInput,
  type MockSite,
  type MockSiteInput,
  type MockTable,
  type MockTableInput,
  type MockWorkbook,
  type MockWorkbookInput,
} from './site.js';
export type {
  MockCounters,
  MockJobPlan,
  MockJobState,
  MockRequestRecord,
  MockRoute,
  MockTarget,
  MockToken,
} from './state.js';
