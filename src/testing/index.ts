/**
 * `dbt-auto-exposures/testing`: test doubles for users' own tests (the mock Tableau server,
 * fixture builders, a fake refresher).
 */
export {
  createFakeRefresher,
  type FakeJobOutcome,
  type FakeRefreshAnswer,
  type FakeRefresher,
  type FakeRefresherCall,
  type FakeRefresherOptions,
} from './fake-refresher.js';
