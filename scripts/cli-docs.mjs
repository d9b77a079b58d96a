// Rewrites the flag tables of docs/cli.md from the command specs (npm run docs:cli, after a build).
import { readFileSync, writeFileSync } from 'node:fs';
import { withFlagTables } from '../dist/cli/help.js';

const file = new URL('../docs/cli.md', import.meta.url);
writeFileSync(file, withFlagTables(readFileSync(file, 'utf8')));
