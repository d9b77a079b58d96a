/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/active/report.test.ts > TAP > the text log of a sample run reads like dbt (snapshot) > debug log 1`] = `
12:00:01  Active exposures settings: enabled=true, enabled_from="env", build_after_minutes=1440, build_after_from="default", dry_run=false, concurrency=1, wait_timeout_ms=600000, refresh_on_test_failure=false, last_refresh_from="refresher", manifest=true, source="run_results", command="build", now="2026-03-01T12:00:00.000Z"
12:00:04  Upstream of customer_360: 7 nodes (manifest parent map); rebuilt: model.jaffle_shop.customers, model.jaffle_shop.stg_customers, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_customers, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of exec_summary: 5 nodes (manifest parent map); rebuilt: model.jaffle_shop.orders, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of finance_kpis: 7 nodes (manifest parent map); rebuilt: model.jaffle_shop.customers, model.jaffle_shop.stg_customers, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_customers, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of marketing: 6 nodes (manifest parent map); rebuilt: model.jaffle_shop.daily_orders, model.jaffle_shop.orders, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of ops_live: 5 nodes (manifest parent map); rebuilt: model.jaffle_shop.orders, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of ops_queue: 5 nodes (manifest parent map); rebuilt: model.jaffle_shop.orders, model.jaffle_shop.stg_orders, model.jaffle_shop.stg_payments, seed.jaffle_shop.raw_orders, seed.jaffle_shop.raw_payments; failed: none
12:00:04  Upstream of stale: 1 nodes (manifest parent map); rebuilt: none; failed: none
12:00:08  Last refresh of datasource 'Customers': never (from refresher); next allowed: now
12:00:08  Last refresh of workbook 'Exec Summary': never (from refresher); next allowed: now
12:00:08  Last refresh of workbook 'Finance KPIs': 2026-02-28T17:12:00.000Z (from refresher); next allowed: 2026-03-01T17:12:00.000Z
12:00:08  Last refresh of workbook 'Marketing': never (from refresher); next allowed: now
12:00:08  Last refresh of workbook 'Ops Queue': never (from refresher); next allowed: now
12:00:11  Refresh of datasource 'Customers': queued as job fake-job-1 (3200 ms)
12:00:17  Job fake-job-1 (datasource 'Customers'): success, finishCode 0, 1 polls, 3200 ms
12:00:22  refresh for workbook 'Exec Summary' failed after 3200 ms: Tableau answered 500 on POST /api/3.28/sites/<site>/workbooks/wb-exec/refresh
12:00:28  Refresh of workbook 'Marketing': queued as job fake-job-2 (3200 ms)
12:00:35  Job fake-job-2 (workbook 'Marketing'): failed, finishCode 1, 1 polls, 0 ms
12:00:40  Refresh of workbook 'Ops Queue': already_queued (3200 ms)
`

exports[`test/active/report.test.ts > TAP > the text log of a sample run reads like dbt (snapshot) > text log 1`] = `
12:00:03  Running active exposures for 7 exposures (build_after 1440 min)
12:00:04  1 of 7 START active exposure customer_360 ...................................... [RUN]
12:00:04  2 of 7 START active exposure exec_summary ...................................... [RUN]
12:00:04  3 of 7 START active exposure finance_kpis ...................................... [RUN]
12:00:04  4 of 7 START active exposure marketing ......................................... [RUN]
12:00:04  5 of 7 START active exposure ops_live .......................................... [RUN]
12:00:04  6 of 7 START active exposure ops_queue ......................................... [RUN]
12:00:04  7 of 7 START active exposure stale ............................................. [RUN]
12:00:04  7 of 7 SKIP active exposure stale (workbook 'Stale') ........................... [no upstream node rebuilt]
12:00:08  3 of 7 SKIP active exposure finance_kpis (workbook 'Finance KPIs') ............. [build_after 1440 min not elapsed, next in 5h 12m]
12:00:08  5 of 7 SKIP active exposure ops_live (workbook 'Ops Live') ..................... [live connection, no extract to refresh]
12:00:19  1 of 7 OK refreshed datasource 'Customers' for customer_360 .................... [OK in 3.2s]
12:00:19  3 of 7 OK refreshed datasource 'Customers' for finance_kpis .................... [OK in 3.2s]
12:00:25  2 of 7 ERROR refreshing workbook 'Exec Summary' for exec_summary ............... [ERROR: Tableau answered 500 on POST /api/3.28/sites/<site>/workbooks/wb-exec/refresh]
12:00:36  4 of 7 ERROR refreshing workbook 'Marketing' for marketing ..................... [ERROR: job failed: ODBC: Login failed for user analytics]
12:00:43  6 of 7 SKIP active exposure ops_queue (workbook 'Ops Queue') ................... [already queued: Job for 'Ops Queue' is already queued. Not queuing a duplicate.]
12:00:44  Done. 7 exposures, 7 refresh targets: TRIGGERED=0 REFRESHED=1 SKIP=4 ERROR=2
`
