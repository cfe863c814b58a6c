#!/usr/bin/env node
// `npm run docs:check`: fails when a symbol exported by a package entry point has no TSDoc
// comment. The entry points are those of typedoc.json (what `npm run docs:api` documents). An
// export counts as documented when its declaration (after following re-exports) carries a
// `/** … */` comment with text, or a `@see`/`@inheritDoc` tag; an `export * as ns` namespace
// counts through its module comment. Members (methods, properties) are not checked here.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = JSON.parse(readFileSync(resolve(root, 'typedoc.json'), 'utf8')).entryPoints.map((path) =>
  resolve(root, path),
);
const config = ts.getParsedCommandLineOfConfigFile(
  resolve(root, 'tsconfig.typedoc.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const program = ts.createProgram({ rootNames: entryPoints, options: { ...config.options, noEmit: true } });
const checker = program.getTypeChecker();

function documented(symbol) {
  if (symbol.getDocumentationComment(checker).some((part) => part.text.trim() !== '')) return true;
  for (const declaration of symbol.getDeclarations() ?? []) {
    if (ts.getJSDocTags(declaration).some((tag) => ['see', 'inheritDoc', 'module'].includes(tag.tagName.text)))
      return true;
    // A namespace re-export (`export * as tree from './tree.js'`) is documented by its module comment.
    if (ts.isSourceFile(declaration)) {
      const first = declaration.statements[0];
      const comments = first ? ts.getLeadingCommentRanges(declaration.text, first.pos) : undefined;
      if (comments?.some((range) => declaration.text.startsWith('/**', range.pos))) return true;
    }
  }
  return false;
}

const missing = [];
let count = 0;
for (const entry of entryPoints) {
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`not in the program: ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    count++;
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!documented(target) && !documented(exported)) {
      const declaration = target.getDeclarations()?.[0];
      const where = declaration
        ? `${relative(root, declaration.getSourceFile().fileName)}:${declaration.getSourceFile().getLineAndCharacterOfPosition(declaration.getStart()).line + 1}`
        : '?';
      missing.push(`${relative(root, entry)}: ${exported.name} (${where})`);
    }
  }
}
for (const line of missing) console.error(`no TSDoc: ${line}`);
console.log(`${count} exported symbols in ${entryPoints.length} entry points, ${missing.length} without TSDoc`);
process.exit(missing.length > 0 ? 1 : 0);
