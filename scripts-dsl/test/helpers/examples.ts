import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadScript } from '../../src/compile.js';
import type { CompiledScript } from '../../src/compile.js';

export const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));

export function exampleXml(name: string): string {
  return readFileSync(`${examplesDir}${name}.xml`, 'utf8');
}

/** Compile an example; fails loudly (with the problems) if it does not check. */
export function example(name: string): CompiledScript {
  return compileXml(exampleXml(name));
}

export function compileXml(xml: string): CompiledScript {
  const loaded = loadScript(xml);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n'));
  return loaded.compiled;
}
