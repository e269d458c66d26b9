// The IVR flow language: parse a YAML/JSON flow (with line numbers), check it,
// compile it to one xstate v5 machine, and run that machine over a FlowIO — a
// live call (services/ivr) or a scripted simulation. docs/ivr.md has the format.

export type {
  FlowProblem,
  FlowCheckContext,
  FlowDefinition,
  FlowNode,
  FlowNodeType,
  CompiledFlow,
  SimulationScript,
  SimulationResult,
  SimulatedHttpAnswer,
  PromptPlayed,
  HttpCallMade,
  SourcePosition,
} from './types.js';
export type * from './io.js';
export { parseFlow, readFlow } from './parse.js';
export { flowGraph } from './graph-view.js';
export { flowsCalledBy } from './graph.js';
export type { FlowGraph, FlowGraphNode, FlowGraphEdge } from './graph-view.js';
export { checkFlow } from './check.js';
export { compileFlow } from './compile.js';
export { runFlow, FlowAbortedError, FlowFailedError, MAX_STEPS } from './run.js';
export type { RunFlowOptions } from './run.js';
export { simulateFlow } from './simulate.js';
export { builtinPromptExists, builtinPromptsDir } from './prompts.js';
export { formatProblem, formatPath, formatOutcome, formatSimulation } from './format.js';
export type { FlowMachine, FlowContext } from './compile.js';
