// The real import graph of every workspace's src/: each .ts/.tsx file, its
// number of lines, and every module it names — `import`, `import type`,
// `export … from`, dynamic `import()`, `import('…')` types and module
// augmentations — as the TypeScript compiler's own pre-processor finds them
// (comments and strings are not imports).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { SourceImport, SourceSet } from './import-rules.js';

export const WORKSPACES = ['telephony', 'scripts-dsl', 'server', 'agent-ui'] as const;

/** The modules a source text names, as written. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(root, rel));
    else if (/\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/**
 * The repository path an import names: relative imports resolved the way
 * TypeScript resolves them under NodeNext (`./x.js` is `./x.ts` or `./x.tsx`),
 * workspace packages as `<workspace>/`, other packages undefined.
 */
export function resolveImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const pkg = /^@tenor\/([^/]+)/.exec(specifier);
  if (pkg) return `${pkg[1]}/`;
  if (!specifier.startsWith('.')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = joined.replace(/\.(js|jsx|ts|tsx)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.tsx`, `${joined}/index.ts`, `${joined}/index.tsx`];
  return candidates.find((c) => files.has(c)) ?? joined;
}

/** Every workspace's src/ under the repository root. */
export function readSourceSet(repoRoot: string): SourceSet {
  const paths = WORKSPACES.flatMap((w) => sourceFiles(repoRoot, `${w}/src`));
  const known = new Set(paths);
  const files = new Map<string, number>();
  const imports: SourceImport[] = [];
  for (const file of paths) {
    const text = readFileSync(path.join(repoRoot, file), 'utf8');
    files.set(file, text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    // A module named twice (an `import type` and an `export … from`) is one dependency.
    for (const specifier of new Set(importSpecifiers(text))) imports.push({ from: file, specifier, target: resolveImport(file, specifier, known) });
  }
  return { files, imports };
}
