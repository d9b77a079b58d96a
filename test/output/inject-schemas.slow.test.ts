import t from 'tap';
import { FIXTURES, schemaCase } from './inject-schemas.js';

// Every recorded manifest; inject.test.ts runs the subset covering each version rule.
for (const fixture of FIXTURES) schemaCase(t, fixture);
