import { join } from 'node:path';
import t from 'tap';
import { jsonFileStore, refreshOtherBi } from '../../examples/custom-refresher.js';
import { loadRunResults } from '../../src/index.js';
import { loadLineage } from '../../src/output/lineage-file.js';
import { exampleProject, jaffleLineage, tempDir } from '../cli/helpers.js';

t.test('the custom refresher refreshes once, then the JSON store keeps the cadence', async (t) => {
  const dir = await tempDir(t);
  const statePath = join(dir, 'state.json');
  const lineage = await loadLineage(jaffleLineage);
  const runResults = await loadRunResults(join(exampleProject, 'target', 'run_results.json'));
  const triggered: string[] = [];
  const api = {
    async triggerRefresh(id: string) {
      triggered.push(id);
      return id === 'ds-1' ? { alreadyRunning: true as const } : { jobId: `job-${id}` };
    },
  };
  const now = new Date('2026-03-02T07:00:00Z');
  const first = await refreshOtherBi({ lineage, runResults, api, statePath, now });
  // By hand from the lineage fixture and the build: customer_health (workbook wb-3, extract, its
  // snapshot and seed rebuilt) refreshes; sales_overview (ds-1) is already running;
  // ops_live_monitor is live (no extract).
  t.same(triggered.sort(), ['ds-1', 'wb-3']);
  const byExposure = Object.fromEntries(
    first.results.map((r) => [r.exposure, [r.status, r.reason ?? null]]),
  );
  t.same(byExposure, {
    customer_health: ['success', null],
    ops_live_monitor: ['skipped', 'no_extract'],
    sales_overview: ['skipped', 'already_queued'],
  });
  t.equal((await jsonFileStore(statePath).get('workbook:wb-3'))?.toISOString(), now.toISOString());

  const second = await refreshOtherBi({
    lineage,
    runResults,
    api,
    statePath,
    now: new Date('2026-03-02T07:30:00Z'),
  });
  const wb3 = second.results.find((r) => r.exposure === 'customer_health');
  t.equal(wb3?.reason, 'build_after_not_elapsed', '30 minutes later, within the 60-minute cadence');
  t.equal(await jsonFileStore(join(dir, 'missing.json')).get('x'), null);
});
