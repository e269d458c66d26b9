/**
 * @tenor/scripts-dsl: dialogue scripts. Everything exported here is pure
 * (no Node-only imports) and runs in a browser as on the server; file
 * reading and the CLI live in '@tenor/scripts-dsl/node'.
 */
export { parseScript } from './parse.js';
export type { ParseResult } from './parse.js';
export { checkScript } from './check.js';
export { DEFAULT_CATALOGUE, catalogueFromEntities } from './catalogue.js';
export type { EntityModel, FieldCatalogue } from './catalogue.js';
export { compile, loadScript, findProblems, ScriptProblemsError, COMPILED_FORMAT } from './compile.js';
export type { CompiledScript, CompileOptions, LoadResult } from './compile.js';
export { startRun, restoreRun, ScriptRun } from './runtime.js';
export type { AnswerResult, QuestionView, RunContext, RunOptions, RunSnapshot, StepView } from './runtime.js';
export type { ActionRequest, EmittedAction } from './actions.js';
export type { AnswerError, AnswerErrorCode, AnswerValue } from './validate-answer.js';
export type { JsonValue } from './evaluate.js';
export { parseExpression, parseTemplate, ExpressionSyntaxError } from './expression.js';
export { GRAMMAR, ACTION_ELEMENTS } from './grammar.js';
export type { ElementSpec } from './grammar.js';
export type * from './model.js';
export { QUESTION_TYPES, FUNCTION_NAMES, RECORDING_ACTIONS } from './model.js';

export const version = '0.1.0';
