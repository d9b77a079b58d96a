/**
 * The library's in-memory `Manifest` for a plan, as `parseManifest` would produce it, without
 * writing and parsing hundreds of MB: for benchmarks that measure what happens after loading.
 */
import type { DbtNode, Manifest } from '../../src/artifacts/types.js';
import type { ProjectPlan } from './project.js';
import { relationName } from './project.js';

/** Build the `Manifest` of a plan (matchable nodes, maps, names). */
export function manifestFromPlan(plan: ProjectPlan): Manifest {
  const nodes = new Map<string, DbtNode>();
  const takenNames = new Set<string>();
  const parentMap = new Map<string, string[]>();
  const childMap = new Map<string, string[]>();
  const resourceTypes = new Map<string, string>();
  for (const node of plan.nodes) {
    takenNames.add(node.name.toLowerCase());
    resourceTypes.set(node.uniqueId, node.resourceType);
    parentMap.set(node.uniqueId, node.dependsOn);
    if (!childMap.has(node.uniqueId)) childMap.set(node.uniqueId, []);
    for (const parent of node.dependsOn) {
      const list = childMap.get(parent);
      if (list) list.push(node.uniqueId);
      else childMap.set(parent, [node.uniqueId]);
    }
  }
  for (const node of plan.matchable) {
    nodes.set(node.uniqueId, {
      uniqueId: node.uniqueId,
      resourceType: node.resourceType,
      packageName: node.packageName,
      name: node.name,
      sourceName: node.sourceName,
      database: node.database,
      schema: node.schema,
      identifier: node.identifier,
      relationName: relationName(node),
      materialization: node.materialized,
      version: node.version,
      latestVersion: node.latestVersion,
      access: node.resourceType === 'model' ? 'protected' : null,
      enabled: true,
      tags: [],
      fqn: [node.packageName, node.name],
      description: node.description,
    });
  }
  return {
    path: null,
    schemaVersion: 12,
    dbtVersion: '1.10.6',
    isFusion: false,
    projectName: plan.projectName,
    adapterType: plan.adapterType,
    invocationId: null,
    generatedAt: null,
    quoting: { database: false, schema: false, identifier: false },
    nodes,
    takenNames,
    parentMap,
    childMap,
    exposures: [],
    resourceTypes,
    notes: [],
  };
}
