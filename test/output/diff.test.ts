import t from 'tap';
import { diffLineage, renderLineageDiff } from '../../src/output/diff.js';
import { exposure, lineage, ref, sampleLineage } from './sample-lineage.js';

const dep = (uniqueId: string, tables: string[] = ['T']) => ({
  uniqueId,
  ref: ref(uniqueId.split('.').pop()!, 'p'),
  tables,
  match: 'exact' as const,
});

t.test('first sync: everything added', async (t) => {
  const diff = diffLineage(null, sampleLineage());
  t.same(diff, {
    added: ['customer_churn', 'sales_overview'],
    removed: [],
    changed: [],
    unchanged: 0,
  });
  t.equal(
    renderLineageDiff(diff),
    'Exposures: 2 added, 0 removed, 0 changed, 0 unchanged\n+ customer_churn\n+ sales_overview',
  );
});

t.test('no changes, including reordering and a new lastRefreshAt', async (t) => {
  const a = sampleLineage();
  const b = sampleLineage();
  b.exposures.reverse();
  const sales = b.exposures.find((e) => e.name === 'sales_overview');
  if (sales?.refreshTargets[0]) sales.refreshTargets[0].lastRefreshAt = '2030-01-01T00:00:00Z';
  if (sales) sales.tags = [...sales.tags].reverse();
  const diff = diffLineage(a, b);
  t.same(diff, { added: [], removed: [], changed: [], unchanged: 2 });
  t.equal(renderLineageDiff(diff), 'No exposure changes (2 unchanged)');
});

t.test('added, removed and changed with dependency changes', async (t) => {
  const previous = lineage([
    exposure('keep', { dependsOn: [dep('model.p.a'), dep('model.p.b')] }),
    exposure('gone'),
    exposure('same'),
    exposure('relabelled', { dependsOn: [dep('model.p.a', ['X'])] }),
  ]);
  const next = lineage([
    exposure('keep', { dependsOn: [dep('model.p.b'), dep('model.p.c')], maturity: 'high' }),
    exposure('same'),
    exposure('new_one'),
    exposure('relabelled', { label: 'New label', dependsOn: [dep('model.p.a', ['Y'])] }),
  ]);
  const diff = diffLineage(previous, next);
  t.same(diff, {
    added: ['new_one'],
    removed: ['gone'],
    changed: [
      {
        name: 'keep',
        fields: ['maturity', 'dependsOn'],
        dependencies: { added: ['model.p.c'], removed: ['model.p.a'] },
      },
      {
        name: 'relabelled',
        fields: ['label', 'dependsOn'],
        dependencies: { added: [], removed: [] },
      },
    ],
    unchanged: 1,
  });
  t.equal(
    renderLineageDiff(diff),
    [
      'Exposures: 1 added, 1 removed, 2 changed, 1 unchanged',
      '+ new_one',
      '- gone',
      '~ keep: maturity, dependsOn (+model.p.c, -model.p.a)',
      '~ relabelled: label, dependsOn',
    ].join('\n'),
  );
});

t.test('every other field is noticed', async (t) => {
  const base = exposure('x');
  const variants = {
    uniqueId: { uniqueId: 'exposure.other.x' },
    type: { type: 'notebook' as const },
    url: { url: null },
    owner: { owner: { name: 'Someone Else' } },
    description: { description: 'now described' },
    tags: { tags: ['tableau', 'new'] },
    meta: { meta: { tableau: { ...base.meta.tableau, updatedAt: '2024-01-01T00:00:00Z' } } },
    refreshTargets: {
      refreshTargets: [
        { kind: 'workbook' as const, luid: 'l', name: 'x', hasExtracts: true, lastRefreshAt: null },
      ],
    },
    unmatchedTables: {
      unmatchedTables: [{ table: 'T', reason: 'no_relation' as const, detail: 'd' }],
    },
  };
  for (const [field, change] of Object.entries(variants)) {
    const diff = diffLineage(lineage([base]), lineage([{ ...base, ...change }]));
    t.same(
      diff.changed.map((c) => c.fields),
      [[field]],
      field,
    );
  }
});
