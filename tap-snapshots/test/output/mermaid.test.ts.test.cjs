/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/output/mermaid.test.ts > TAP > the sample lineage as a flowchart (snapshot) > sample lineage 1`] = `
flowchart LR
  n_model_dbt_utils_pkg_calendar["dbt_utils_pkg.calendar"]:::model
  n_model_jaffle_shop_customers_v2["customers v2"]:::model
  n_model_jaffle_shop_orders["orders"]:::model
  n_source_jaffle_shop_raw_customers["raw.customers"]:::source
  e_customer_churn{{"Customer Churn"}}:::dashboard
  e_sales_overview{{"Sales Overview"}}:::dashboard
  n_model_dbt_utils_pkg_calendar --> e_customer_churn
  n_model_jaffle_shop_customers_v2 --> e_customer_churn
  n_model_jaffle_shop_orders --> e_sales_overview
  n_source_jaffle_shop_raw_customers --> e_sales_overview
  classDef model fill:#e8f0fe,stroke:#4a6fa5
  classDef seed fill:#e6f4ea,stroke:#3c8d5a
  classDef snapshot fill:#fef7e0,stroke:#b08400
  classDef source fill:#f3e8fd,stroke:#7b4fa5
  classDef dashboard fill:#fde8e8,stroke:#c0392b

`
