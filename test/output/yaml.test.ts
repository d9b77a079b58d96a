import t from 'tap';
import { parse } from 'yaml';
import { ConfigError, LineageError } from '../../src/errors.js';
import type { ExposureLineage } from '../../src/lineage/types.js';
import {
  GENERATED_MARKER,
  projectFileNames,
  renderExposuresYaml,
  slugifyProjectName,
} from '../../src/output/yaml.js';
import { jinjaSafe, yamlDoubleQuoted, yamlString } from '../../src/output/yaml-emitter.js';
import { exposure, lineage, sampleLineage } from './sample-lineage.js';

/**
 * dbt's exposure rules (notes/dbt-artifacts.md §2.1–2.3), written independently of the renderer:
 * name `^[A-Za-z0-9_]+$`; type and maturity enums; owner with name or email; depends_on entries
 * are ref(...)/source(...)/metric(...) calls; config holds only enabled/tags/meta.
 */
function dbtExposureProblems(doc: unknown, dbtMinor: [number, number]): string[] {
  const problems: string[] = [];
  const d = doc as Record<string, unknown>;
  if (d.version !== 2) problems.push('version must be 2');
  if (!Array.isArray(d.exposures)) return [...problems, 'exposures must be a list'];
  const atLeast = (maj: number, min: number) =>
    dbtMinor[0] > maj || (dbtMinor[0] === maj && dbtMinor[1] >= min);
  const allowed = new Set([
    'name',
    'label',
    'type',
    'maturity',
    'url',
    'description',
    'owner',
    'depends_on',
    ...(atLeast(1, 10) ? ['config'] : ['tags', 'meta']),
  ]);
  for (const [i, raw] of (d.exposures as unknown[]).entries()) {
    const e = raw as Record<string, unknown>;
    const at = `exposures[${i}]`;
    for (const key of Object.keys(e))
      if (!allowed.has(key)) problems.push(`${at}.${key} not allowed`);
    if (typeof e.name !== 'string' || !/^[A-Za-z0-9_]+$/.test(e.name)) problems.push(`${at}.name`);
    if (!['dashboard', 'notebook', 'analysis', 'ml', 'application'].includes(e.type as string)) {
      problems.push(`${at}.type`);
    }
    if (e.maturity !== undefined && !['high', 'medium', 'low'].includes(e.maturity as string)) {
      problems.push(`${at}.maturity`);
    }
    const owner = e.owner as Record<string, unknown> | undefined;
    if (
      owner === undefined ||
      (typeof owner.name !== 'string' && typeof owner.email !== 'string')
    ) {
      problems.push(`${at}.owner needs name or email`);
    }
    if (!atLeast(1, 5) && typeof owner?.email !== 'string')
      problems.push(`${at}.owner.email required`);
    for (const key of Object.keys(owner ?? {})) {
      if (key !== 'name' && key !== 'email') problems.push(`${at}.owner.${key}`);
    }
    for (const dep of (e.depends_on as unknown[] | undefined) ?? []) {
      if (typeof dep !== 'string' || !/^(ref|source|metric)\(.*\)$/.test(dep)) {
        problems.push(`${at}.depends_on ${String(dep)}`);
      }
    }
    if (e.config !== undefined) {
      for (const key of Object.keys(e.config as object)) {
        if (!['enabled', 'tags', 'meta'].includes(key)) problems.push(`${at}.config.${key}`);
      }
    }
  }
  return problems;
}

/** Removes Jinja raw markers, which is what dbt's rendering does to a raw-wrapped value. */
function unraw(text: string): string {
  return text.replace(/\{% raw %\}|\{% endraw %\}/g, '');
}

function parseBoth(text: string): { v11: unknown; v12: unknown } {
  return { v11: parse(text, { version: '1.1' }), v12: parse(text, { version: '1.2' }) };
}

t.test('single file: marker, dbt >= 1.10 shape, sorted, round-trips', async (t) => {
  const text = renderExposuresYaml(sampleLineage());
  t.ok(text.startsWith(`${GENERATED_MARKER}\n`), 'generated-file marker first');
  t.notMatch(text, /generatedAt|generated_at/, 'no timestamp');
  const { v11, v12 } = parseBoth(text);
  t.same(v11, v12, 'same data under YAML 1.1 (PyYAML) and 1.2');
  t.same(dbtExposureProblems(v11, [1, 10]), []);
  t.same(v11, {
    version: 2,
    exposures: [
      {
        name: 'customer_churn',
        label: 'Customer Churn',
        type: 'analysis',
        maturity: 'low',
        owner: { name: 'Grace Hopper' },
        depends_on: ["ref('customers', v=2)", "ref('dbt_utils_pkg', 'calendar')"],
        config: {
          tags: ['churn', 'tableau'],
          meta: {
            tableau: {
              projectName: 'Marketing / EMEA',
              updatedAt: null,
              workbookLuid: 'luid-churn',
            },
          },
        },
      },
      {
        name: 'sales_overview',
        label: 'Sales Overview',
        type: 'dashboard',
        maturity: 'high',
        url: 'https://tableau.example.com/#/site/acme/workbooks/sales_overview',
        description: 'Daily revenue by region.',
        owner: { name: 'Ada Lovelace', email: 'ada@example.com' },
        depends_on: ["ref('orders')", "source('raw', 'customers')"],
        config: {
          tags: ['tableau'],
          meta: {
            tableau: {
              projectName: 'Finance',
              updatedAt: '2024-05-01T10:00:00Z',
              workbookLuid: 'b2c3d4e5-0000-4000-8000-000000000001',
            },
          },
        },
      },
    ],
  });
  t.matchSnapshot(text, 'dbt 1.10 single file');
});

t.test('dbt version shapes', async (t) => {
  const l = sampleLineage();
  const v19 = renderExposuresYaml(l, { dbtVersion: '1.9.4' });
  const doc19 = parse(v19, { version: '1.1' });
  t.same(dbtExposureProblems(doc19, [1, 9]), []);
  t.same(doc19.exposures[1].tags, ['tableau'], 'top-level tags before 1.10');
  t.equal(doc19.exposures[1].meta.tableau.projectName, 'Finance', 'top-level meta before 1.10');
  t.equal(doc19.exposures[1].config, undefined);
  t.matchSnapshot(v19, 'dbt 1.9 single file');

  const fusion = parse(renderExposuresYaml(l, { dbtVersion: '2.0.0-beta.2' }), { version: '1.1' });
  t.same(fusion.exposures[1].config.tags, ['tableau'], 'Fusion 2.x uses config');

  const v14 = parse(renderExposuresYaml(l, { dbtVersion: '1.4.1' }), { version: '1.1' });
  t.same(dbtExposureProblems(v14, [1, 4]), []);
  t.same(v14.exposures[0].owner, { name: 'Grace Hopper', email: '' }, 'email required before 1.5');

  const v12 = parse(renderExposuresYaml(l, { dbtVersion: '1.2.0' }), { version: '1.1' });
  t.equal(v12.exposures[1].label, undefined, 'no label before 1.3');

  const v019 = parse(renderExposuresYaml(l, { dbtVersion: '0.19.1' }), { version: '1.1' });
  t.equal(v019.exposures[1].tags, undefined, 'no tags before 0.20');
  t.equal(v019.exposures[1].meta, undefined, 'no meta before 0.20');

  const fromLineage = parse(renderExposuresYaml({ ...l, dbt: { ...l.dbt, dbtVersion: '1.7.0' } }), {
    version: '1.1',
  });
  t.ok(fromLineage.exposures[0].tags, 'dbtVersion defaults to lineage.dbt.dbtVersion');
});

t.test('an unreadable dbt version is a coded error', async (t) => {
  t.throws(() => renderExposuresYaml(sampleLineage(), { dbtVersion: 'latest' }), {
    code: 'ERR_INVALID_OPTION',
    field: 'dbtVersion',
  });
  const l = sampleLineage();
  const error = (() => {
    try {
      renderExposuresYaml({ ...l, dbt: { ...l.dbt, dbtVersion: '' } });
    } catch (e) {
      return e;
    }
  })();
  t.ok(error instanceof ConfigError);
  t.equal((error as ConfigError).field, 'dbt.dbtVersion');
});

t.test('invalid or duplicate exposure names are refused', async (t) => {
  t.throws(() => renderExposuresYaml(lineage([exposure('Pulse queries')])), {
    code: 'ERR_LINEAGE_SCHEMA',
    field: 'exposures[0].name',
  });
  const error = (() => {
    try {
      renderExposuresYaml(lineage([exposure('a'), exposure('a')]));
    } catch (e) {
      return e;
    }
  })();
  t.ok(error instanceof LineageError);
  t.equal((error as LineageError).field, 'exposures[1].name');
});

const YAML_LIKE = [
  'yes',
  'No',
  'on',
  'OFF',
  'null',
  '~',
  '- item',
  'key: value',
  '{a: b}',
  '[a, b]',
  '#tag',
  '*ref',
  '&anchor',
  '!tag',
  '|literal',
  '>folded',
  '%directive',
  '@at',
  '`tick',
  '0777',
  '1:20',
  '1_000',
  '3.14',
  '.inf',
  '2024-01-01',
  '=',
  '<<',
  "it's",
  'say "hi"',
  'back\\slash',
  ' leading space',
  'trailing space ',
  'multi\nline',
  'tab\there',
  'Umsatz Übersicht – 日本 😀',
  'line\u2028separator',
  'nel\u0085next',
  'del\u007fchar',
  'bom\ufeffin',
  'bell\u0007',
  '',
];

t.test('labels, urls, owners and tags named like YAML syntax round-trip exactly', async (t) => {
  const exposures = YAML_LIKE.map((text, i) =>
    exposure(`workbook_${String(i).padStart(2, '0')}`, {
      label: text === '' ? 'empty-label-placeholder' : text,
      url: `https://x.example/${text}`,
      description: text,
      owner: { name: text === '' ? 'n' : text, email: `${text}@example.com` },
      tags: [text === '' ? 't' : text],
      meta: { tableau: { workbookLuid: text, projectName: text, updatedAt: null }, note: text },
    }),
  );
  const text = renderExposuresYaml(lineage(exposures));
  const { v11, v12 } = parseBoth(text);
  t.same(v11, v12, 'YAML 1.1 and 1.2 readers agree');
  t.same(dbtExposureProblems(v11, [1, 10]), []);
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field below
  type Loose = Record<string, any>;
  const docs = (v11 as { exposures: Loose[] }).exposures;
  YAML_LIKE.forEach((original, i) => {
    const e = docs[i] as Loose;
    const label = original === '' ? 'empty-label-placeholder' : original;
    t.equal(e.label, label, `label #${i}`);
    t.equal(e.url, `https://x.example/${original}`);
    if (original === '') t.equal(e.description, undefined, 'empty description omitted');
    else t.equal(e.description, original);
    t.equal(e.owner.email, `${original}@example.com`);
    t.equal(e.config.meta.note, original);
    t.equal(e.config.meta.tableau.workbookLuid, original);
  });
  // No raw control or line-separator characters reach the file (PyYAML rejects or folds them).
  const raw = [...text].filter((c) => {
    const code = c.codePointAt(0) as number;
    return (
      (code < 0x20 && c !== '\n') ||
      (code >= 0x7f && code <= 0x9f) ||
      [0x2028, 0x2029, 0xfeff].includes(code)
    );
  });
  t.same(raw, []);
});

t.test('Jinja in descriptions and other values is made inert', async (t) => {
  const jinja = [
    'Revenue {{ var("x") }} by region',
    '{% if a %}b{% endif %}',
    '{# comment #} text',
    'ends with {% endraw %} and {%- endraw -%} tricks',
    '{{',
    'plain text, no jinja',
  ];
  const exposures = jinja.map((d, i) =>
    exposure(`j${i}`, { description: d, label: d, tags: [d], url: `https://x/${d}` }),
  );
  const doc = parse(renderExposuresYaml(lineage(exposures)), { version: '1.1' });
  jinja.forEach((original, i) => {
    const e = doc.exposures[i];
    t.equal(unraw(e.description), original, 'raw blocks removed give the original');
    t.equal(unraw(e.label), original);
    t.equal(unraw(e.url), `https://x/${original}`);
    t.equal(unraw(e.config.tags[0]), original);
    if (/\{[{%#]/.test(original)) {
      t.ok(e.description.startsWith('{% raw %}'), 'wrapped');
      // Outside raw blocks, nothing Jinja would interpret remains.
      const outside = e.description.replace(/\{% raw %\}[\s\S]*?\{% endraw %\}/g, '');
      t.equal(outside, '', `nothing outside raw blocks for ${JSON.stringify(original)}`);
    } else {
      t.equal(e.description, original, 'untouched without Jinja');
    }
  });
});

t.test('jinjaSafe splits an endraw inside the text', async (t) => {
  t.equal(
    jinjaSafe('a {% endraw %} b'),
    '{% raw %}a {%{% endraw %}{% raw %} endraw %} b{% endraw %}',
  );
  t.equal(jinjaSafe('no jinja {'), 'no jinja {');
});

t.test('scalar styles', async (t) => {
  t.equal(yamlString('Sales Overview', '  '), 'Sales Overview', 'plain');
  t.equal(yamlString('yes', '  '), '"yes"', 'a YAML 1.1 boolean is quoted');
  t.equal(yamlString('a\nb', '  '), '|-\n  a\n  b', 'a literal block');
  t.equal(yamlString('a\r\nb', '  '), '"a\\r\\nb"');
  t.equal(yamlString('\n\n', '  '), '"\\n\\n"');
  t.equal(yamlString('a\n  ', '  '), '"a\\n  "', 'a block cannot end in spaces');
  t.equal(
    yamlDoubleQuoted('a"b\\c\u2028\u0085\u{1F600}\u{10FFFE}'),
    '"a\\"b\\\\c\\u2028\\x85😀\u{10FFFE}"',
  );
});

t.test('multi-line descriptions use a literal block and round-trip', async (t) => {
  const descriptions = [
    'first\nsecond',
    'trailing newline\n',
    'keep\n\n\n',
    '  indented first\nnext',
    'x\n  y\n',
  ];
  const text = renderExposuresYaml(
    lineage(descriptions.map((d, i) => exposure(`m${i}`, { description: d }))),
  );
  t.match(text, /description: \|/);
  const doc = parse(text, { version: '1.1' });
  for (const [i, d] of descriptions.entries()) t.equal(doc.exposures[i].description, d);
});

t.test('grouped per Tableau project', async (t) => {
  const l = lineage([
    exposure('a_dash', { projectName: 'Finance' }),
    exposure('b_dash', { projectName: 'Finance' }),
    exposure('c_dash', { projectName: '../../etc' }),
    exposure('d_dash', { projectName: 'Marketing / EMEA' }),
    exposure('e_dash', { projectName: null }),
    exposure('f_dash', { projectName: 'Ventas Año' }),
  ]);
  const files = renderExposuresYaml(l, { groupBy: 'project', header: 'Site: acme\n\nSecond line' });
  t.same(
    [...files.keys()],
    [
      'tableau__etc.yml',
      'tableau__finance.yml',
      'tableau__marketing_emea.yml',
      'tableau__no_project.yml',
      'tableau__ventas_ano.yml',
    ],
  );
  const finance = files.get('tableau__finance.yml') as string;
  t.ok(finance.startsWith(`${GENERATED_MARKER}\n# Site: acme\n#\n# Second line\nversion: 2\n`));
  t.same(
    parse(finance).exposures.map((e: { name: string }) => e.name),
    ['a_dash', 'b_dash'],
  );
  t.same(parse(files.get('tableau__no_project.yml') as string).exposures[0].name, 'e_dash');
  t.matchSnapshot(finance, 'grouped: finance file');
});

t.test('project file names are safe, unique and order-independent', async (t) => {
  t.equal(slugifyProjectName('Finance'), 'finance');
  t.equal(slugifyProjectName('../..'), '');
  t.equal(slugifyProjectName('CON'), 'con');
  t.equal(slugifyProjectName('Café Déjà Vu'), 'cafe_deja_vu');
  t.equal(slugifyProjectName('x'.repeat(100)).length, 60);
  const projects = [
    'Finance',
    'finance',
    'FINANCE!',
    '日本',
    '中国',
    'no project',
    null,
    'CON',
    '..',
  ];
  const names = projectFileNames(projects);
  const reversed = projectFileNames([...projects].reverse());
  for (const p of projects) t.equal(reversed.get(p), names.get(p), `stable for ${String(p)}`);
  const values = [...names.values()];
  t.equal(new Set(values).size, projects.length, 'no two projects share a file');
  for (const v of values) {
    t.match(v, /^tableau__[a-z0-9_]+\.yml$/, `${v} is a safe file name`);
  }
  t.equal(names.get('CON'), 'tableau__con.yml');
  t.equal(names.get(null), 'tableau__no_project.yml');
  t.match(names.get('Finance') as string, /^tableau__finance_[0-9a-f]{8}\.yml$/);
  t.match(names.get('日本') as string, /^tableau__project_[0-9a-f]{8}\.yml$/);
  t.match(names.get('no project') as string, /^tableau__no_project_[0-9a-f]{8}\.yml$/);
});

t.test('rendering is deterministic and independent of input order', async (t) => {
  const l = sampleLineage();
  const shuffled: ExposureLineage = {
    ...l,
    exposures: [...l.exposures].reverse().map((e) => ({
      ...e,
      dependsOn: [...e.dependsOn].reverse(),
      tags: [...e.tags].reverse(),
    })),
  };
  t.equal(renderExposuresYaml(shuffled), renderExposuresYaml(l));
});

t.test('no exposures: a valid empty file', async (t) => {
  const text = renderExposuresYaml(lineage([]));
  t.same(parse(text), { version: 2, exposures: [] });
});
