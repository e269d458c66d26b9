import type { Problem } from './model.js';

/** Problems in file order, as an editor lists them. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
