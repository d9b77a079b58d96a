// @ts-check
// The public API as the TypeScript compiler sees it: every export of the two entry points, with
// its declaration and TSDoc. Read by scripts/render-api-doc.mjs (docs/api.md) and by the tests
// that check the public types (test/public-api.test.ts).
import { join } from 'node:path';
import ts from 'typescript';

/** The package's entry points: the import specifier users write and the source behind it. */
export const ENTRY_POINTS = [
  { specifier: 'dbt-auto-exposures', file: 'src/index.ts' },
  { specifier: 'dbt-auto-exposures/testing', file: 'src/testing/index.ts' },
];

/**
 * @typedef {object} ApiExport
 * @property {string} name the exported name
 * @property {ts.Symbol} symbol the declared symbol (aliases resolved)
 * @property {ts.Declaration} declaration its first declaration
 * @property {'function' | 'class' | 'interface' | 'type' | 'const'} kind
 * @property {string} folder the folder of src/ that declares it (`active`, `errors`, …)
 */

/**
 * @typedef {object} ApiModel
 * @property {ts.TypeChecker} checker
 * @property {ts.Program} program
 * @property {string} root
 * @property {{ specifier: string, file: string, exports: ApiExport[] }[]} entries
 */

/**
 * One program over both entry points, with the repository's compiler options.
 * @param {string} root the repository root
 * @returns {ApiModel}
 */
export function loadApiModel(root) {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error(`cannot read ${configPath}`);
  const files = ENTRY_POINTS.map((entry) => join(root, entry.file));
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const entries = ENTRY_POINTS.map((entry) => {
    const source = program.getSourceFile(join(root, entry.file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`cannot read ${entry.file}`);
    const exports = checker
      .getExportsOfModule(moduleSymbol)
      .map((exported) => describeExport(checker, root, exported));
    return { ...entry, exports };
  });
  return { checker, program, root, entries };
}

/**
 * @param {ts.TypeChecker} checker
 * @param {string} root
 * @param {ts.Symbol} exported
 * @returns {ApiExport}
 */
function describeExport(checker, root, exported) {
  const symbol =
    exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const declaration = symbol.declarations?.[0];
  if (declaration === undefined) throw new Error(`${exported.name} has no declaration`);
  const file = declaration.getSourceFile().fileName;
  const folder = file
    .slice(join(root, 'src').length + 1)
    .split('/')[0]
    ?.replace(/\.ts$/, '');
  return {
    name: exported.name,
    symbol,
    declaration,
    kind: kindOf(declaration),
    folder: folder ?? '',
  };
}

/**
 * @param {ts.Declaration} declaration
 * @returns {ApiExport['kind']}
 */
function kindOf(declaration) {
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isVariableDeclaration(declaration)) return 'const';
  throw new Error(`unexpected export kind ${ts.SyntaxKind[declaration.kind]}`);
}

/**
 * The TSDoc text of a declaration (tags left out), or '' when it has none.
 * @param {ts.TypeChecker} checker
 * @param {ts.Symbol} symbol
 */
export function docText(checker, symbol) {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
}

/**
 * Whether a written type accepts `undefined` (`T | undefined`, `unknown`, `any`).
 * @param {ts.TypeChecker} checker
 * @param {ts.TypeNode} node
 */
function acceptsUndefined(checker, node) {
  const type = checker.getTypeFromTypeNode(node);
  const parts = type.isUnion() ? type.types : [type];
  return parts.some(
    (part) => part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Unknown | ts.TypeFlags.Any),
  );
}

/**
 * Every optional property of every public type whose declared type does not accept `undefined`,
 * as `Type.property` (so a consumer with `exactOptionalPropertyTypes` could not pass
 * `process.env.X` to it). Walks the exports and, recursively, the types of this repository's
 * sources they reference (properties, parameters, return types, type arguments); library
 * types (Promise, Map, AbortSignal) are looked into, not checked.
 * @param {ApiModel} model
 * @returns {{ name: string, declaration: ts.Declaration }[]}
 */
export function optionalPropertiesWithoutUndefined(model) {
  const { checker, root } = model;
  const src = join(root, 'src');
  /** @type {Set<ts.Type>} */
  const seen = new Set();
  /** @type {Map<ts.Declaration, string>} */
  const found = new Map();

  /** @param {ts.Type} type @param {string} where */
  function visit(type, where) {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) {
      for (const part of type.types) visit(part, where);
      return;
    }
    if (type.flags & ts.TypeFlags.Object && checker.isArrayLikeType(type)) {
      for (const argument of checker.getTypeArguments(/** @type {ts.TypeReference} */ (type)))
        visit(argument, where);
      return;
    }
    for (const argument of typeArguments(type)) visit(argument, where);
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      visitSignature(signature, where);
    }
    if (!(type.flags & ts.TypeFlags.Object)) return;
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const declared = symbol?.declarations?.some((d) => d.getSourceFile().fileName.startsWith(src));
    if (!declared) return;
    const name = namedType(type) ?? where;
    for (const property of type.getProperties()) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (declaration === undefined) continue;
      if (!declaration.getSourceFile().fileName.startsWith(src)) continue;
      if (property.flags & ts.SymbolFlags.Optional) {
        const typeNode = /** @type {{ type?: ts.TypeNode }} */ (declaration).type;
        const isMethod = ts.isMethodSignature(declaration) || ts.isMethodDeclaration(declaration);
        if (isMethod || typeNode === undefined || !acceptsUndefined(checker, typeNode)) {
          found.set(declaration, `${name}.${property.name}`);
        }
      }
      visit(checker.getTypeOfSymbolAtLocation(property, declaration), `${name}.${property.name}`);
    }
  }

  /** @param {ts.Signature} signature @param {string} where */
  function visitSignature(signature, where) {
    for (const parameter of signature.getParameters()) {
      const declaration = parameter.valueDeclaration;
      if (declaration === undefined) continue;
      visit(
        checker.getTypeOfSymbolAtLocation(parameter, declaration),
        `${where}(${parameter.name})`,
      );
    }
    visit(signature.getReturnType(), `${where}()`);
  }

  /** @param {ts.Type} type */
  function typeArguments(type) {
    const reference = /** @type {ts.TypeReference} */ (type);
    const fromReference =
      type.flags & ts.TypeFlags.Object &&
      /** @type {ts.ObjectType} */ (type).objectFlags & ts.ObjectFlags.Reference
        ? checker.getTypeArguments(reference)
        : [];
    return [...fromReference, ...(type.aliasTypeArguments ?? [])];
  }

  /** @param {ts.Type} type */
  function namedType(type) {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol === undefined || symbol.name.startsWith('__')) return undefined;
    return symbol.name;
  }

  for (const entry of model.entries) {
    for (const exported of entry.exports) {
      const { symbol, declaration, name } = exported;
      if (exported.kind === 'interface' || exported.kind === 'type') {
        visit(checker.getDeclaredTypeOfSymbol(symbol), name);
      } else if (exported.kind === 'class') {
        visit(checker.getDeclaredTypeOfSymbol(symbol), name);
        visit(checker.getTypeOfSymbolAtLocation(symbol, declaration), name);
      } else {
        visit(checker.getTypeOfSymbolAtLocation(symbol, declaration), name);
      }
    }
  }
  return [...found]
    .map(([declaration, name]) => ({ name, declaration }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
