/**
 * The YAML emitter through `renderExposuresYaml`: any text a workbook carries (label, description,
 * owner, tags, meta) reads back as the same string under YAML 1.1 (PyYAML, dbt Core) and 1.2 (dbt
 * Fusion), with Jinja made inert, and no raw character a reader would fold or reject.
 */
import fc from 'fast-check';
import t from 'tap';
import { parse } from 'yaml';
import { renderExposuresYaml } from '../../src/index.js';
import { exposure, lineage } from './sample-lineage.js';

/** What Jinja renders a `{% raw %}`-wrapped value to: the text with the markers removed. */
function rendered(value: string): string {
  return value.replace(/\{% raw %\}|\{% endraw %\}/g, '');
}

/** Line breaks, tabs and what PyYAML accepts raw, minus line separators, BOM and bidi controls. */
function printable(code: number): boolean {
  if (code === 0x0a || code === 0x09) return true;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  return ![0x2028, 0x2029, 0xfeff, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e].includes(code);
}

/** Text as Tableau users write it, plus YAML and Jinja syntax and awkward characters. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc
    .array(
      fc.constantFrom(
        'yes',
        'No',
        'on',
        'null',
        '~',
        '1:20',
        '0x1F',
        '1e3',
        '=',
        '- ',
        '? ',
        ': ',
        ' #',
        '"',
        "'",
        '\\',
        '{{ x }}',
        '{% if %}',
        '{#',
        '{% endraw %}',
        '\n',
        '\r\n',
        '\t',
        ' ',
        '\u2028',
        '\u0085',
        '\ufeff',
        '\u202e',
        '\u0000',
        'é',
        '😀',
        '[a]',
        '{b}',
        '&anchor',
        '*alias',
        '!tag',
        '%',
        '@',
        '`',
        '|',
        '>',
        'plain',
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('')),
);

t.test('any text round-trips under YAML 1.1 and 1.2 and renders to itself', async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(text, text, text, text, (label, description, owner, tag) => {
      runs += 1;
      const l = lineage([
        exposure('dash', {
          label,
          description,
          owner: { name: owner, email: 'a@b.c' },
          tags: [tag],
          meta: { tableau: { workbookLuid: 'w', projectName: description, updatedAt: null } },
        }),
      ]);
      const yaml = renderExposuresYaml(l);
      for (const version of ['1.1', '1.2'] as const) {
        const e = parse(yaml, { version }).exposures[0];
        if (label !== '' && rendered(e.label) !== label)
          throw new Error(`label ${JSON.stringify(label)}`);
        if (description !== '' && rendered(e.description) !== description) {
          throw new Error(`description ${JSON.stringify(description)} (${version})`);
        }
        if (owner !== '' && rendered(e.owner.name) !== owner) {
          throw new Error(`owner ${JSON.stringify(owner)}`);
        }
        if (rendered(e.config.tags[0]) !== tag) throw new Error(`tag ${JSON.stringify(tag)}`);
        if (rendered(e.config.meta.tableau.projectName) !== description) {
          throw new Error(`meta ${JSON.stringify(description)}`);
        }
      }
      // Jinja-inert: every `{{`, `{%`, `{#` of the text sits inside a raw block.
      for (const value of [label, description, owner, tag]) {
        if (/\{[{%#]/.test(value) && !yaml.includes('{% raw %}')) throw new Error('no raw block');
      }
      // Nothing PyYAML rejects or folds reaches the file raw.
      const raw = [...yaml].find((ch) => !printable(ch.codePointAt(0)!));
      if (raw !== undefined)
        throw new Error(`raw U+${raw.codePointAt(0)!.toString(16)} in the file`);
    }),
    { numRuns: 300 },
  );
  t.equal(runs, 300);
});

t.test(
  'plain scalars only when unambiguous; the file is block style, two-space indent',
  async (t) => {
    const l = lineage([
      exposure('dash', { label: 'Sales Overview', description: 'yes', tags: ['on', 'tableau'] }),
    ]);
    const yaml = renderExposuresYaml(l);
    t.match(yaml, '\n    label: Sales Overview\n');
    t.match(yaml, '\n    description: "yes"\n', 'a YAML 1.1 boolean is quoted');
    t.match(yaml, '\n      tags:\n        - "on"\n        - tableau\n');
    t.match(yaml, '\n    url: "https://tableau.example.com/#/site/acme/workbooks/dash"\n');
  },
);
