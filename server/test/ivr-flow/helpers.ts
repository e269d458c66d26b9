// Loading test flows: parse, insist on no problems, compile.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileFlow, parseFlow } from '../../src/services/ivr/flow/index.js';
import type { CompiledFlow, FlowStep } from '../../src/services/ivr/flow/index.js';
import { flowsDir } from './cases.js';

export function compileText(text: string, opts?: Parameters<typeof compileFlow>[1]): CompiledFlow {
  const { flow, problems } = parseFlow(text);
  if (!flow) throw new Error(`test flow has problems: ${problems.map((p) => `${p.line}:${p.column} ${p.node ?? ''} ${p.message}`).join('; ')}`);
  return compileFlow(flow, opts);
}

export function compileFile(name: string, opts?: Parameters<typeof compileFlow>[1]): CompiledFlow {
  return compileText(readFileSync(path.join(flowsDir, name), 'utf8'), opts);
}

/** A path as `node:exit` words, easy to compare. */
export function route(path: readonly FlowStep[]): string[] {
  return path.map((s) => `${s.flow !== undefined ? `${s.flow}/` : ''}${s.node}${s.exit !== undefined ? `:${s.exit}` : ''}`);
}
