/**
 * compile(): a checked script, indexed by step id, as plain JSON, so the
 * server can compile once and hand the very same object to a browser.
 */
import type { FieldCatalogue } from './catalogue.js';
import { checkScript } from './check.js';
import type { Problem, Script, Step } from './model.js';
import { parseScript } from './parse.js';

export const COMPILED_FORMAT = 'tenor-script/1';

export interface CompiledScript {
  format: typeof COMPILED_FORMAT;
  id: string;
  version: string;
  title: string;
  description?: string;
  start: string;
  steps: Record<string, Step>;
}

/** Thrown by compile() for a script the checker rejects; carries every problem. */
export class ScriptProblemsError extends Error {
  constructor(readonly problems: Problem[]) {
    const first = problems[0];
    super(first === undefined ? 'invalid script' : `${first.line}:${first.column}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
    this.name = 'ScriptProblemsError';
  }
}

export interface CompileOptions {
  catalogue?: FieldCatalogue;
}

/** Refuses (throws ScriptProblemsError) a script with any checker problem. */
export function compile(script: Script, options: CompileOptions = {}): CompiledScript {
  const problems = checkScript(script, options.catalogue);
  if (problems.length > 0) throw new ScriptProblemsError(problems);
  const steps: Record<string, Step> = {};
  for (const step of script.steps) steps[step.id] = step;
  return {
    format: COMPILED_FORMAT,
    id: script.id,
    version: script.version,
    title: script.title,
    ...(script.description === undefined ? {} : { description: script.description }),
    start: script.start,
    steps,
  };
}

export type LoadResult = { ok: true; compiled: CompiledScript; script: Script } | { ok: false; problems: Problem[] };

/** Parse, check and compile XML in one call: what the admin API needs. */
export function loadScript(xml: string, options: CompileOptions = {}): LoadResult {
  const parsed = parseScript(xml);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  try {
    return { ok: true, compiled: compile(parsed.script, options), script: parsed.script };
  } catch (error) {
    if (error instanceof ScriptProblemsError) return { ok: false, problems: error.problems };
    throw error;
  }
}

/** Parse and check only: every problem of a script file, parser's or checker's. */
export function findProblems(xml: string, options: CompileOptions = {}): Problem[] {
  const parsed = parseScript(xml);
  return parsed.ok ? checkScript(parsed.script, options.catalogue) : parsed.problems;
}
