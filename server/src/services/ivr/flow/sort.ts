import type { FlowProblem } from './types.js';

/** Problems in file order, so a reader fixes them top to bottom. */
export function sortProblems(problems: FlowProblem[]): FlowProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
