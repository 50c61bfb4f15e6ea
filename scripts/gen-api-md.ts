/**
 * Generates docs/api.md: a compact, committed markdown reference of the public API (every export of
 * each package entry: src/index.ts and the subpath entries) with its kind, signature, TSDoc summary and `@default` values. Uses the TypeScript
 * compiler API directly, so it needs nothing beyond the project's own devDependencies.
 *
 *   npm run docs:api-md            # writes docs/api.md
 *   npx tsx scripts/gen-api-md.ts --check   # exits 1 when docs/api.md is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The package's entries (package.json `exports`), root first. */
const ENTRIES: { spec: string; file: string }[] = [
  { spec: 'banyandb-perf', file: 'src/index.ts' },
  { spec: 'banyandb-perf/emulator', file: 'src/emulator/index.ts' },
  { spec: 'banyandb-perf/cli', file: 'src/cli/index.ts' },
  { spec: 'banyandb-perf/internals', file: 'src/internals.ts' },
];
const outFile = path.join(root, 'docs', 'api.md');

const configPath = path.join(root, 'tsconfig.json');
const config = ts.readConfigFile(configPath, ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
const program = ts.createProgram(
  ENTRIES.map((e) => path.join(root, e.file)),
  { ...parsed.options, noEmit: true },
);
const checker = program.getTypeChecker();

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

// ------------------------------------------------------------------------------------------- helpers

/** One line of text: collapses whitespace. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** `{@link X}` / `{@link X | text}` as inline code. */
function links(s: string): string {
  return s.replace(
    /\{@link(?:code|plain)?\s+([^}|]+?)\s*(?:\|\s*([^}]+?))?\s*\}/g,
    (_m, target: string, label?: string) => `\`${(label ?? target).trim()}\``,
  );
}

/** Escapes a table cell. */
function cell(s: string): string {
  return oneLine(s).replace(/\|/g, '\\|');
}

/** The first paragraph of a TSDoc comment. */
function summaryOf(symbol: ts.Symbol): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const para = text.split(/\n\s*\n/)[0] ?? '';
  return links(oneLine(para));
}

function tagText(tag: ts.JSDocTagInfo): string {
  return oneLine(ts.displayPartsToString(tag.text ?? []));
}

function defaultOf(symbol: ts.Symbol): string | undefined {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default' || t.name === 'defaultValue');
  return tag ? links(tagText(tag)) : undefined;
}

function isInternal(symbol: ts.Symbol): boolean {
  return symbol.getJsDocTags(checker).some((t) => t.name === 'internal');
}

/** Source text of a node with bodies and comments removed, on one line. */
function printNode(node: ts.Node): string {
  return oneLine(printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()));
}

/** A declaration's signature without its body: its source text up to the body, on one line. */
function signatureText(decl: ts.Declaration): string {
  if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isConstructorDeclaration(decl)) {
    const sf = decl.getSourceFile();
    const end = decl.body ? decl.body.getStart(sf) : decl.getEnd();
    const text = sf.text
      .slice(decl.getStart(sf), end)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    return oneLine(text)
      .replace(/\( /g, '(')
      .replace(/,? \)/g, ')')
      .replace(/;$/, '')
      .replace(/^(export |default |declare |public |async |override )+/g, '');
  }
  if (ts.isGetAccessorDeclaration(decl)) {
    const type = decl.type ? decl.type.getText() : checker.typeToString(checker.getTypeAtLocation(decl));
    return `get ${decl.name.getText()}(): ${type}`;
  }
  return printNode(decl).replace(/;$/, '');
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function isPublicMember(decl: ts.Declaration): boolean {
  if (hasModifier(decl, ts.SyntaxKind.PrivateKeyword) || hasModifier(decl, ts.SyntaxKind.ProtectedKeyword)) return false;
  const name = (decl as { name?: ts.Node }).name;
  if (name && ts.isPrivateIdentifier(name)) return false;
  return true;
}

/** Type of a property as written (falls back to the checker's view). */
function propertyType(decl: ts.Declaration): string {
  if ((ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) && decl.type) return oneLine(decl.type.getText());
  if (ts.isMethodSignature(decl) || ts.isMethodDeclaration(decl)) return signatureText(decl);
  return checker.typeToString(checker.getTypeAtLocation(decl), undefined, ts.TypeFormatFlags.NoTruncation);
}

// ------------------------------------------------------------------------------------------- rendering

interface Entry {
  name: string;
  kind: string;
  file: string;
  summary: string;
  lines: string[];
}

/**
 * Modules listed in one summary table instead of one section per export: the protobuf message shapes
 * (field by field in proto/ and docs/proto.md).
 */
const SUMMARY_ONLY: ReadonlyMap<string, string> = new Map([
  [
    'src/client/types.ts',
    'Plain TypeScript shapes of the BanyanDB v0.10.3 gRPC messages the client sends and receives (camelCase fields, enums as names, int64 as number, bytes as Uint8Array). Their fields mirror the declarations in proto/ (see [proto.md](proto.md)).',
  ],
]);

function renderMembers(symbol: ts.Symbol, kind: 'class' | 'interface'): string[] {
  const rows: string[] = [];
  // Classes: statics, the constructor, then every public instance member, inherited ones included.
  const members =
    kind === 'class'
      ? [
          ...(symbol.exports?.values() ?? []),
          ...[...(symbol.members?.values() ?? [])].filter((m) => m.getName() === '__constructor'),
          ...checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol)),
        ]
      : [...(symbol.members?.values() ?? [])];
  for (const m of members) {
    if (m.flags & ts.SymbolFlags.Prototype) continue;
    if (isInternal(m)) continue;
    const decls = (m.declarations ?? []).filter(isPublicMember);
    const decl = decls[0];
    if (!decl) continue;
    const isStatic = hasModifier(decl, ts.SyntaxKind.StaticKeyword);
    const name = m.getName();
    // Error subclasses override `name`; that is noise in a reference.
    if (name === 'name' && hasModifier(decl, ts.SyntaxKind.OverrideKeyword)) continue;
    if (name === '__constructor') {
      for (const d of decls) rows.push(`| constructor | \`${cell(signatureText(d))}\` | ${cell(summaryOf(m))} |`);
      continue;
    }
    if (name.startsWith('__@')) {
      // well-known symbols, e.g. [Symbol.asyncDispose]
      rows.push(`| \`[${cell(name.replace(/^__@(\w+)@\d+$/, 'Symbol.$1'))}]\` | \`${cell(propertyType(decl))}\` | ${cell(summaryOf(m))} |`);
      continue;
    }
    const sig =
      ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)
        ? decls.map((d) => signatureText(d)).join(' ; ')
        : ts.isGetAccessorDeclaration(decl)
          ? signatureText(decl)
          : `${hasModifier(decl, ts.SyntaxKind.ReadonlyKeyword) ? 'readonly ' : ''}${name}${(decl as ts.PropertySignature).questionToken ? '?' : ''}: ${propertyType(decl)}`;
    const def = defaultOf(m);
    const doc = summaryOf(m) + (def !== undefined ? ` **Default:** ${def}` : '');
    rows.push(
      `| ${isStatic ? 'static ' : ''}\`${cell(name)}\` | \`${cell(sig.replace(/^(public |static |async )+/g, ''))}\` | ${cell(doc)} |`,
    );
  }
  if (rows.length === 0) return [];
  return ['', '| member | signature | description |', '| --- | --- | --- |', ...rows];
}

function kindOf(symbol: ts.Symbol, decl: ts.Declaration): string {
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isVariableDeclaration(decl)) return symbol.flags & ts.SymbolFlags.BlockScopedVariable ? 'const' : 'variable';
  return ts.SyntaxKind[decl.kind];
}

function render(exported: ts.Symbol): Entry | undefined {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decl = symbol.declarations?.[0];
  if (!decl || isInternal(symbol)) return undefined;
  const name = exported.getName();
  const kind = kindOf(symbol, decl);
  const file = path.relative(root, decl.getSourceFile().fileName).split(path.sep).join('/');
  const lines: string[] = [`### \`${name}\` (${kind})`, ''];
  const summary = summaryOf(symbol);
  if (summary) lines.push(summary, '');
  switch (kind) {
    case 'function':
      for (const d of symbol.declarations ?? []) lines.push('```ts', signatureText(d), '```');
      break;
    case 'const':
    case 'variable': {
      const vd = decl as ts.VariableDeclaration;
      const type = vd.type
        ? oneLine(vd.type.getText())
        : checker.typeToString(checker.getTypeAtLocation(vd), undefined, ts.TypeFormatFlags.NoTruncation);
      const init = vd.initializer ? oneLine(vd.initializer.getText()) : '';
      lines.push('```ts', init && init.length <= 80 && !vd.type ? `const ${name} = ${init}` : `const ${name}: ${type}`, '```');
      break;
    }
    case 'type': {
      const td = decl as ts.TypeAliasDeclaration;
      const text = oneLine(td.type.getText().replace(/\/\*\*[\s\S]*?\*\//g, ''));
      lines.push(
        '```ts',
        `type ${name}${td.typeParameters ? `<${td.typeParameters.map((p) => p.getText()).join(', ')}>` : ''} = ${text}`,
        '```',
      );
      break;
    }
    case 'class': {
      const cd = decl as ts.ClassDeclaration;
      const heritage = (cd.heritageClauses ?? []).map((h) => oneLine(h.getText())).join(' ');
      lines.push('```ts', `class ${name}${heritage ? ` ${heritage}` : ''}`, '```');
      lines.push(...renderMembers(symbol, 'class'));
      break;
    }
    case 'interface': {
      const id = decl as ts.InterfaceDeclaration;
      const heritage = (id.heritageClauses ?? []).map((h) => oneLine(h.getText())).join(' ');
      if (heritage) lines.push('```ts', `interface ${name} ${heritage}`, '```');
      lines.push(...renderMembers(symbol, 'interface'));
      break;
    }
    default:
      break;
  }
  const def = defaultOf(symbol);
  if (def !== undefined) lines.push('', `**Default:** ${def}`);
  lines.push('');
  return { name, kind, file, summary, lines };
}

// ------------------------------------------------------------------------------------------- document

const out: string[] = [
  '# API reference',
  '',
  '<!-- Generated by scripts/gen-api-md.ts (`npm run docs:api-md`) from the TSDoc of the package entries. Do not edit by hand. -->',
  '',
  'Every export of each entry of the package, grouped by the module that declares it: kind, signature, the first',
  'paragraph of its TSDoc and its `@default`. The full HTML reference is generated with `npm run docs:api`',
  '(TypeDoc, into docs/api/). Guides: [getting started](getting-started.md), [architecture](architecture.md),',
  '[methodology](methodology.md).',
  '',
  'Entries:',
  '',
  ...ENTRIES.map((e) => `- \`${e.spec}\` (${e.file})`),
  '',
];
let exportCount = 0;
let moduleCount = 0;
for (const entryInfo of ENTRIES) {
  const entry = path.join(root, entryInfo.file);
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const isRoot = entryInfo.spec === 'banyandb-perf';
  const prefix = isRoot ? '' : `${entryInfo.spec}: `;
  const dir = path.posix.dirname(entryInfo.file);
  const moduleOrder: string[] = [];
  for (const m of readFileSync(entry, 'utf8').matchAll(/from '(\.\.?\/.+?)\.js'/g)) {
    const file = path.posix.normalize(`${dir}/${m[1]}.ts`);
    if (!moduleOrder.includes(file)) moduleOrder.push(file);
  }
  const entries = checker
    .getExportsOfModule(moduleSymbol)
    .map(render)
    .filter((e): e is Entry => e !== undefined);
  const byFile = new Map<string, Entry[]>();
  for (const e of entries) {
    const list = byFile.get(e.file) ?? [];
    list.push(e);
    byFile.set(e.file, list);
  }
  const files = [...byFile.keys()].sort((a, b) => {
    const ia = moduleOrder.indexOf(a);
    const ib = moduleOrder.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || a.localeCompare(b);
  });
  exportCount += entries.length;
  moduleCount += files.length;
  const heading = (f: string) => `${prefix}${f}`;
  out.push(
    `## Contents of \`${entryInfo.spec}\``,
    '',
    ...files.map(
      (f) =>
        `- [${f}](#${heading(f)
          .replace(/[^a-z0-9 -]/gi, '')
          .replace(/ /g, '-')
          .toLowerCase()}): ${byFile
          .get(f)!
          .map((e) => `\`${e.name}\``)
          .join(', ')}`,
    ),
    '',
  );
  for (const f of files) {
    out.push(`## ${heading(f)}`, '');
    const note = SUMMARY_ONLY.get(f);
    if (note) {
      out.push(note, '', '| export | kind | summary |', '| --- | --- | --- |');
      for (const e of byFile.get(f)!) out.push(`| \`${e.name}\` | ${e.kind} | ${cell(e.summary)} |`);
      out.push('');
      continue;
    }
    for (const e of byFile.get(f)!.sort((a, b) => a.name.localeCompare(b.name))) out.push(...e.lines);
  }
}
const text = `${out
  .join('\n')
  .replace(/\n{3,}/g, '\n\n')
  .trimEnd()}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outFile, 'utf8');
  } catch {
    // missing
  }
  if (current !== text) {
    process.stderr.write('docs/api.md is stale: run `npm run docs:api-md`\n');
    process.exit(1);
  }
  process.stdout.write('docs/api.md is up to date\n');
} else {
  writeFileSync(outFile, text);
  process.stdout.write(
    `wrote ${path.relative(root, outFile)}: ${exportCount} exports in ${moduleCount} modules over ${ENTRIES.length} entries\n`,
  );
}
