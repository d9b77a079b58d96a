// CommonJS users: require() of this ESM-only package (Node ^20.19 / >=22.12, require(esm)).
const api = require('dbt-auto-exposures');
const testing = require('dbt-auto-exposures/testing');

console.log(typeof api.createTableauClient, typeof testing.createMockTableauServer);
