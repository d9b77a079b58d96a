// @ts-check
// Writes docs/api.md from the public exports (npm run docs:api): every export of both entry
// points with its signature and the first sentence of its TSDoc; interfaces with each property,
// its type, default and description. Hand-written prose lives in `<!-- prose:NAME -->` regions,
// which are kept: `intro` under the title, a folder's name (`artifacts`, `errors`, …) under that
// section's heading. test/public-api.test.ts fails when docs/api.md differs from what this renders.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { docText, loadApiModel } from './api-model.mjs';

/** Section titles, by the folder of src/ that declares an export. */
const SECTIONS = {
  active: 'Active exposures: refresh after a dbt build',
  artifacts: 'dbt artifacts',
  errors: 'Errors',
  lineage: 'Lineage: matching Tableau onto dbt',
  log: 'Structured logs',
  output: 'Outputs: lineage file, exposures YAML, manifest injection, Mermaid',
  tableau: 'Tableau',
  testing: 'Test doubles',
};

const KIND_ORDER = ['function', 'const', 'class', 'interface', 'type'];
const PROSE = /<!-- prose:([\w-]+) -->\n[\s\S]*?<!-- \/prose:\1 -->\n/g;
const NO_TRUNCATION = ts.TypeFormatFlags.NoTruncation;

/** @typedef {import('./api-model.mjs').ApiModel} ApiModel */
/** @typedef {import('./api-model.mjs').ApiExport} ApiExport */

/**
 * docs/api.md as it should be: `current` gives the prose regions.
 * @param {ApiModel} model
 * @param {string} current
 * @returns {string}
 */
export function renderApiDoc(model, current) {
  /** @type {Map<string, string>} */
  const prose = new Map();
  for (const m of current.matchAll(PROSE)) prose.set(/** @type {string} */ (m[1]), m[0]);
  const used = new Set(['intro']);
  const exports = model.entries.flatMap((entry) => entry.exports);
  const undocumented = exports
    .filter((e) => docText(model.checker, e.symbol) === '')
    .map((e) => `${e.name} (${relativeFile(model, e)})`);
  if (undocumented.length > 0) {
    throw new Error(`exports without TSDoc (write one):\n  ${undocumented.join('\n  ')}`);
  }
  const intro = prose.get('intro');
  if (intro === undefined) throw new Error('docs/api.md has no <!-- prose:intro --> region');

  const out = ['# API reference\n', intro];
  out.push(
    '<!-- Generated from here on by `npm run docs:api` (scripts/render-api-doc.mjs) from the TSDoc of',
    '     src/index.ts and src/testing/index.ts: edit the TSDoc or a prose region, then regenerate. -->\n',
  );
  for (const entry of model.entries) {
    const folders = [...new Set(entry.exports.map((e) => e.folder))].sort();
    for (const folder of folders) {
      const title = /** @type {Record<string, string>} */ (SECTIONS)[folder] ?? folder;
      out.push(`## ${title} (\`${entry.specifier}\`)\n`);
      const region = prose.get(folder);
      if (region !== undefined) {
        out.push(region);
        used.add(folder);
      }
      const exports = entry.exports
        .filter((e) => e.folder === folder)
        .sort((a, b) => rank(a) - rank(b) || compareNames(a.name, b.name));
      out.push('| Name | Kind | Purpose |', '|---|---|---|');
      for (const e of exports) {
        out.push(
          `| [\`${e.name}\`](#${anchor(e.name)}) | ${e.kind} | ${cell(purpose(model, e))} |`,
        );
      }
      out.push('');
      for (const e of exports) out.push(renderExport(model, e));
    }
  }
  const unplaced = [...prose.keys()].filter((name) => !used.has(name));
  if (unplaced.length > 0) {
    throw new Error(
      `prose regions with no place (name one after a section): ${unplaced.join(', ')}`,
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** @param {ApiExport} e */
function rank(e) {
  return KIND_ORDER.indexOf(e.kind);
}

/** @param {string} a @param {string} b */
function compareNames(a, b) {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** GitHub's anchor of a `### \`name\`` heading. @param {string} name */
function anchor(name) {
  return name.toLowerCase();
}

/** @param {ApiModel} model @param {ApiExport} e */
function relativeFile(model, e) {
  return e.declaration.getSourceFile().fileName.slice(model.root.length + 1);
}

/** The first sentence of an export's TSDoc. @param {ApiModel} model @param {ApiExport} e */
function purpose(model, e) {
  return sentences(docText(model.checker, e.symbol))[0] ?? '';
}

/**
 * A TSDoc text as one line, split into sentences (a period followed by a space ends one, except
 * inside backticks or after `e.g.` / `i.e.`).
 * @param {string} text
 * @returns {string[]}
 */
function sentences(text) {
  const flat = oneLine(text.split(/\n\s*\n/)[0] ?? '');
  const found = [];
  let start = 0;
  let inCode = false;
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i];
    if (c === '`') inCode = !inCode;
    if (inCode || c !== '.' || (i + 1 < flat.length && flat[i + 1] !== ' ')) continue;
    if (/\b(e\.g|i\.e|vs|etc)$/.test(flat.slice(start, i))) continue;
    found.push(flat.slice(start, i + 1).trim());
    start = i + 1;
  }
  const rest = flat.slice(start).trim();
  if (rest !== '') found.push(rest);
  return found;
}

/** @param {string} text */
function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}

/** Text fit for a table cell. @param {string} text */
function cell(text) {
  return oneLine(text).replaceAll('|', '\\|');
}

/** @param {ApiModel} model @param {ApiExport} e */
function renderExport(model, e) {
  const { checker } = model;
  const lines = [`### \`${e.name}\`\n`, `${e.kind} · ${purpose(model, e)}\n`];
  const code = /** @type {string[]} */ ([]);
  /** @type {ts.Symbol[]} */
  let members = [];
  if (e.kind === 'function' || e.kind === 'const') {
    const type = checker.getTypeOfSymbolAtLocation(e.symbol, e.declaration);
    const signatures = type.getCallSignatures();
    if (e.kind === 'function' || signatures.length > 0) {
      for (const s of signatures) {
        code.push(`function ${e.name}${checker.signatureToString(s, undefined, NO_TRUNCATION)}`);
      }
    } else {
      code.push(`const ${e.name}: ${checker.typeToString(type, undefined, NO_TRUNCATION)}`);
    }
  } else if (e.kind === 'class') {
    const declaration = /** @type {ts.ClassDeclaration} */ (e.declaration);
    code.push(`class ${e.name}${heritage(declaration)}`);
    for (const member of declaration.members) {
      if (ts.isConstructorDeclaration(member)) {
        const params = member.parameters.map((p) => oneLine(p.getText())).join(', ');
        code.push(`  constructor(${params})`);
      }
    }
    members = declaration.members
      .filter((m) => ts.isPropertyDeclaration(m) && !isPrivate(m))
      .map(
        (m) =>
          /** @type {ts.Symbol} */ (checker.getSymbolAtLocation(/** @type {ts.Node} */ (m.name))),
      );
  } else if (e.kind === 'interface') {
    const declaration = /** @type {ts.InterfaceDeclaration} */ (e.declaration);
    code.push(`interface ${e.name}${typeParameters(declaration)}${heritage(declaration)}`);
    members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(e.symbol));
  } else {
    const declaration = /** @type {ts.TypeAliasDeclaration} */ (e.declaration);
    code.push(
      `type ${e.name}${typeParameters(declaration)} = ${dedent(declaration.type.getText())}`,
    );
    const type = checker.getDeclaredTypeOfSymbol(e.symbol);
    if (ts.isTypeLiteralNode(declaration.type) || ts.isIntersectionTypeNode(declaration.type)) {
      members = checker.getPropertiesOfType(type);
    }
  }
  lines.push('```ts', ...code, '```\n');
  if (members.length > 0) {
    lines.push('| Property | Type | Default | Description |', '|---|---|---|---|');
    for (const member of members) lines.push(propertyRow(checker, member));
    lines.push('');
  }
  return lines.join('\n');
}

/** @param {ts.ClassDeclaration | ts.InterfaceDeclaration} declaration */
function heritage(declaration) {
  const clauses = declaration.heritageClauses ?? [];
  return clauses.map((c) => ` ${oneLine(c.getText())}`).join('');
}

/** @param {ts.InterfaceDeclaration | ts.TypeAliasDeclaration} declaration */
function typeParameters(declaration) {
  const list = declaration.typeParameters;
  return list === undefined ? '' : `<${list.map((p) => oneLine(p.getText())).join(', ')}>`;
}

/** @param {ts.ClassElement} member */
function isPrivate(member) {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  return (
    modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ||
    (member.name !== undefined && ts.isPrivateIdentifier(member.name))
  );
}

/** A declaration's text with its continuation lines dedented to the first. @param {string} text */
function dedent(text) {
  const lines = text.split('\n');
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.length - l.trimStart().length);
  const cut = Math.max(0, Math.min(...indents) - 2);
  return [lines[0], ...lines.slice(1).map((l) => l.slice(cut))].join('\n');
}

/**
 * One property row: name (`?` when optional), type as written, default (a `@default` tag, a
 * `(default …)` aside or a sentence starting with `Default`) and the TSDoc.
 * @param {ts.TypeChecker} checker
 * @param {ts.Symbol} property
 */
function propertyRow(checker, property) {
  const declaration = property.valueDeclaration ?? property.declarations?.[0];
  const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
  const readonly =
    declaration !== undefined &&
    ts.canHaveModifiers(declaration) &&
    (ts.getModifiers(declaration) ?? []).some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)
      ? 'readonly '
      : '';
  const text = docText(checker, property);
  const type = declaration === undefined ? '' : writtenType(checker, property, declaration);
  return `| ${readonly}\`${property.name}${optional}\` | \`${cell(type)}\` | ${cell(defaultOf(checker, property, text))} | ${cell(text)} |`;
}

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Symbol} property
 * @param {ts.Declaration} declaration
 */
function writtenType(checker, property, declaration) {
  if (ts.isMethodSignature(declaration) || ts.isMethodDeclaration(declaration)) {
    const params = declaration.parameters.map((p) => p.getText()).join(', ');
    return `(${params}) => ${declaration.type?.getText() ?? 'void'}`;
  }
  const node = /** @type {{ type?: ts.TypeNode }} */ (declaration).type;
  if (node !== undefined) {
    // A multi-line type as one line: no leading `|`, no padding inside brackets.
    return oneLine(node.getText())
      .replace(/^\| /, '')
      .replace(/([([]) /g, '$1')
      .replace(/,? ([)\]])/g, '$1');
  }
  return checker.typeToString(checker.getTypeOfSymbol(property), undefined, NO_TRUNCATION);
}

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Symbol} property
 * @param {string} text
 */
function defaultOf(checker, property, text) {
  const tag = property.getJsDocTags(checker).find((t) => t.name === 'default');
  if (tag !== undefined) return ts.displayPartsToString(tag.text).trim();
  const aside = /\(default:? ([^)]*)\)/.exec(oneLine(text));
  if (aside !== null) return /** @type {string} */ (aside[1]);
  const sentence = sentences(text).find((s) => /^Default\b/.test(s));
  return sentence === undefined ? '' : sentence.replace(/^Default:?\s*/, '').replace(/\.$/, '');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  const file = join(root, 'docs', 'api.md');
  try {
    writeFileSync(file, renderApiDoc(loadApiModel(root), readFileSync(file, 'utf8')));
  } catch (error) {
    process.stderr.write(`render-api-doc: ${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  }
}
