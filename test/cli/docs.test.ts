/**
 * docs/cli.md cannot drift from the command specs: its flag tables are generated from them
 * (`npm run docs:cli`), and this test fails when the file differs from what the specs give.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { parseCommandLine } from '../../src/cli/args.js';
import { withFlagTables } from '../../src/cli/help.js';
import { COMMANDS } from '../../src/cli/specs.js';
import { repoRoot } from '../helpers/shared-fixtures.js';

const docs = await readFile(join(repoRoot, 'docs', 'cli.md'), 'utf8');

t.test('docs/cli.md holds one flag table per command, as the specs generate it', async (t) => {
  for (const command of COMMANDS) {
    t.match(docs, `<!-- flags:${command.name} -->\n`, `${command.name} has its table`);
    for (const flag of command.flags) {
      t.match(docs, `--${flag.name}`, `--${flag.name} is documented`);
      if (flag.env !== '') t.match(docs, `\`${flag.env}\``, `${flag.env} is documented`);
    }
  }
  t.equal(withFlagTables(docs), docs, 'up to date (run `npm run docs:cli` after changing a flag)');
});

t.test('every flag but --help has a variable', async (t) => {
  for (const command of COMMANDS) {
    for (const flag of command.flags) {
      if (flag.name === 'help') t.equal(flag.env, '');
      else t.match(flag.env, /^[A-Z][A-Z0-9_]+$/, `${command.name} --${flag.name}`);
    }
  }
});

t.test('each variable sets its flag exactly as the flag does, and the flag wins', async (t) => {
  for (const command of COMMANDS) {
    for (const flag of command.flags) {
      if (flag.env === '' || flag.envReadAsIs === true) continue;
      const value = flag.type === 'boolean' ? true : 'x';
      const argv = flag.type === 'boolean' ? [`--${flag.name}`] : [`--${flag.name}`, 'x'];
      const viaEnv = parseCommandLine(command, [], {
        [flag.env]: flag.type === 'boolean' ? '1' : 'x',
      });
      const viaFlag = parseCommandLine(command, argv, {});
      const name = `${command.name} ${flag.env}`;
      t.same(viaEnv.flags[flag.name], viaFlag.flags[flag.name], name);
      t.same(viaEnv.flags[flag.name], flag.multiple ? [value] : value, name);
      t.equal(viaEnv.origins[flag.name], 'env', name);
      const both = parseCommandLine(
        command,
        flag.type === 'boolean' ? argv : [`--${flag.name}`, 'y'],
        {
          [flag.env]: flag.type === 'boolean' ? '0' : 'x',
        },
      );
      t.equal(both.origins[flag.name], 'flag', `${name}: the flag wins`);
    }
  }
});
