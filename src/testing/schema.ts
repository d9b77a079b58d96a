/**
 * Tableau's published Metadata API schema as a given Tableau version serves it, and the check of
 * every GraphQL request the mock receives against it (as strict as Tableau: a field, argument or
 * filter the version lacks fails the whole request).
 *
 * The schema carries availability notes in its descriptions: "Available in Tableau Cloud June 2022
 * / Server 2022.3 and later.", "Available in Tableau Cloud June 2024 and later." (Cloud only) and
 * "Retired in Tableau Cloud February 2024 / Server 2024.2.". For a Server version, a type, field,
 * argument, input field or enum value is dropped when its note names a later Server release (or no
 * Server release at all), or a retirement at or before it; Cloud is the newest release, so only
 * retirements apply. Fields and arguments whose type was dropped go with it.
 */
import {
  buildASTSchema,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  type InputValueDefinitionNode,
  Kind,
  type NamedTypeNode,
  type OperationDefinitionNode,
  parse,
  type TypeNode,
  validate,
} from 'graphql';
import { TABLEAU_METADATA_SCHEMA_SDL } from './metadata-schema.js';

/**
 * The Tableau release the mock simulates: `"cloud"` (the newest; default) or a Tableau Server
 * release `"YYYY.N"` (e.g. "2021.4", "2022.1", "2023.3").
 */
export type MockTableauVersion = 'cloud' | `${number}.${number}`;

/** The releases the test suite runs the client against (see docs/tableau.md). */
export const SIMULATED_VERSIONS: readonly MockTableauVersion[] = [
  '2021.4',
  '2022.1',
  '2023.3',
  'cloud',
];

const NOTE =
  /(Available|Retired) in Tableau Cloud [A-Za-z]+ \d{4}(?: \/ Server (\d{4})\.(\d))?(?: and later)?\./g;

/** Whether an element with this description exists in `version`. */
function availableIn(description: string | undefined, version: MockTableauVersion): boolean {
  if (description === undefined) return true;
  const server = version === 'cloud' ? null : version.split('.').map(Number);
  const atOrAfter = (year: number, release: number): boolean =>
    server !== null &&
    ((server[0] ?? 0) > year || ((server[0] ?? 0) === year && (server[1] ?? 0) >= release));
  for (const [, kind, year, release] of description.matchAll(NOTE)) {
    const hasServer = year !== undefined && release !== undefined;
    if (kind === 'Available') {
      // Cloud has everything Tableau added; a Server release only what its note names.
      if (server !== null && (!hasServer || !atOrAfter(Number(year), Number(release)))) {
        return false;
      }
    } else if (server === null || (hasServer && atOrAfter(Number(year), Number(release)))) {
      return false;
    }
  }
  return true;
}

function namedType(type: TypeNode): NamedTypeNode {
  return type.kind === Kind.NAMED_TYPE ? type : namedType(type.type);
}

/** The SDL with what `version` lacks removed. */
function documentFor(version: MockTableauVersion): DocumentNode {
  const full = parse(TABLEAU_METADATA_SCHEMA_SDL, { noLocation: true });
  const named = full.definitions.filter(
    (d): d is DefinitionNode & { name: { value: string }; description?: { value: string } } =>
      'name' in d && d.name !== undefined,
  );
  const types = new Set(
    named.filter((d) => availableIn(d.description?.value, version)).map((d) => d.name.value),
  );
  const builtIn = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
  const typeKept = (type: TypeNode): boolean => {
    const name = namedType(type).name.value;
    return builtIn.has(name) || types.has(name);
  };
  const argKept = (arg: InputValueDefinitionNode): boolean =>
    availableIn(arg.description?.value, version) && typeKept(arg.type);
  const fieldKept = (field: FieldDefinitionNode): boolean =>
    availableIn(field.description?.value, version) &&
    typeKept(field.type) &&
    (field.arguments ?? []).every((a) => typeKept(a.type) || a.type.kind !== Kind.NON_NULL_TYPE);
  const definitions: DefinitionNode[] = [];
  for (const d of named) {
    if (!types.has(d.name.value)) continue;
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      definitions.push({
        ...d,
        interfaces: (d.interfaces ?? []).filter((i) => types.has(i.name.value)),
        fields: (d.fields ?? [])
          .filter(fieldKept)
          .map((f) => ({ ...f, arguments: (f.arguments ?? []).filter(argKept) })),
      });
    } else if (d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      definitions.push({ ...d, fields: (d.fields ?? []).filter(argKept) });
    } else if (d.kind === Kind.UNION_TYPE_DEFINITION) {
      definitions.push({ ...d, types: (d.types ?? []).filter((t) => types.has(t.name.value)) });
    } else if (d.kind === Kind.ENUM_TYPE_DEFINITION) {
      definitions.push({
        ...d,
        values: (d.values ?? []).filter((v) => availableIn(v.description?.value, version)),
      });
    } else {
      definitions.push(d);
    }
  }
  return { kind: Kind.DOCUMENT, definitions: withConsistentInterfaces(definitions) };
}

/**
 * A few interface fields carry no note where their implementations do (e.g. `Warnable.hasActiveWarning`
 * vs `Column.hasActiveWarning`, 2022.3): an interface keeps only the fields every implementation
 * of this version still has, so the schema stays valid.
 */
function withConsistentInterfaces(definitions: DefinitionNode[]): DefinitionNode[] {
  const fieldsOf = new Map<string, Set<string>>();
  const implementers = new Map<string, string[]>();
  for (const d of definitions) {
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.INTERFACE_TYPE_DEFINITION)
      continue;
    fieldsOf.set(d.name.value, new Set((d.fields ?? []).map((f) => f.name.value)));
    for (const i of d.interfaces ?? []) {
      implementers.set(i.name.value, [...(implementers.get(i.name.value) ?? []), d.name.value]);
    }
  }
  return definitions.map((d) => {
    if (d.kind !== Kind.INTERFACE_TYPE_DEFINITION) return d;
    const types = implementers.get(d.name.value) ?? [];
    return {
      ...d,
      fields: (d.fields ?? []).filter((f) =>
        types.every((t) => fieldsOf.get(t)?.has(f.name.value) ?? true),
      ),
    };
  });
}

const schemas = new Map<MockTableauVersion, GraphQLSchema>();

/** The schema `version` serves (built once per process and version). */
export function schemaFor(version: MockTableauVersion): GraphQLSchema {
  let schema = schemas.get(version);
  if (schema === undefined) {
    schema = buildASTSchema(documentFor(version), { assumeValidSDL: true });
    schemas.set(version, schema);
  }
  return schema;
}

/** Whether `value` names a release the mock can simulate. */
export function isMockTableauVersion(value: unknown): value is MockTableauVersion {
  return value === 'cloud' || (typeof value === 'string' && /^20\d\d\.[1-4]$/.test(value));
}

/**
 * Check a request against the schema: syntax, validation rules (unknown fields, arguments, types,
 * fragments on impossible types…) and the variables' values against their declared input types
 * (an unknown input field such as `projectLuidWithin` inside a `Workbook_Filter` variable fails).
 * Returns the errors (none: the request is valid) and whether they are syntax errors.
 */
export function checkRequest(
  schema: GraphQLSchema,
  source: string,
  variables: Record<string, unknown>,
  operationName: string | undefined,
): { errors: readonly GraphQLError[]; syntax: boolean } {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return { errors: [error as GraphQLError], syntax: true };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { errors: invalid, syntax: false };
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION &&
      (operationName === undefined || d.name?.value === operationName),
  );
  if (operation === undefined) return { errors: [], syntax: false };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  return { errors: coerced.errors ?? [], syntax: false };
}
