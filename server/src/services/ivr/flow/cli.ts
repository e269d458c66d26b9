// Bodies of `tenor check-flow` and `tenor simulate-flow` (server/src/cli.ts
// registers them). check-flow checks names against the site file when
// TENOR_CONFIG is set, and prompts against the built-in and uploaded sets.

import { readFileSync } from 'node:fs';
import { loadConfig } from '../../index.js';
import type { TenorConfig } from '../../../config/schema.js';
import { CommandLineError, parseCommandLine, stringOption, stringOptions, type OptionSpecs } from '../../../core/command-line.js';
import { isTenorError } from '../../../core/errors.js';
import { checkFlow } from './check.js';
import { compileFlow } from './compile.js';
import { formatPath, formatProblem, formatSimulation } from './format.js';
import { parseFlow } from './parse.js';
import { builtinPromptExists } from './prompts.js';
import { FlowAbortedError, FlowFailedError } from './run.js';
import { simulateFlow } from './simulate.js';
import type { CompiledFlow, FlowCheckContext, FlowDefinition, FlowProblem, SimulatedHttpAnswer, SimulationScript } from './types.js';

export const CHECK_FLOW_USAGE = 'tenor check-flow FILE...';
export const SIMULATE_FLOW_USAGE =
  'tenor simulate-flow FILE --caller NUM [--dialed NUM] [--time ISO] [--digits 1,9,timeout,2] [--http URL=STATUS:JSON|URL=fail]... [--customer JSON] [--language LANG] [--subflow FILE]...';

interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** The names a flow may use on this site: from the site file when there is one. */
export function siteCheckContext(config: TenorConfig): FlowCheckContext {
  const ctx: FlowCheckContext = { promptExists: (name, language) => builtinPromptExists(name, language, config.dataDir) };
  if (config.file === undefined) return ctx;
  const site = config.site;
  const boxes = voicemailBoxes(config);
  return {
    ...ctx,
    queues: new Set(site.queues.map((q) => q.name)),
    flows: new Set(site.flows.map((f) => f.name)),
    agents: new Set(site.agents.map((a) => a.login)),
    boxes,
  };
}

/** Voicemail boxes as the voicemail service derives them: `general`, one per queue and agent, and those the `voicemail` key names. */
function voicemailBoxes(config: TenorConfig): Set<string> {
  return new Set([
    'general',
    ...(config.voicemail.boxes ?? []).map((b) => b.name),
    ...config.site.queues.map((q) => `queue:${q.name}`),
    ...config.site.agents.map((a) => `agent:${a.login}`),
  ]);
}

function readFlowFile(file: string): { flow: FlowDefinition | undefined; problems: FlowProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { flow: undefined, problems: [{ message: `cannot read the file: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  return parseFlow(text, file);
}

/** check-flow: every problem as file:line:column, `file: ok` for a good file; 1 if any file has a problem. */
export function checkFlowFiles(files: readonly string[], config: TenorConfig = loadConfig(), output: Output = consoleOutput): number {
  const ctx = siteCheckContext(config);
  const parsed = files.map((file) => ({ file, ...readFlowFile(file) }));
  // Flows checked together may name each other (a subflow and its caller).
  const together = parsed.flatMap((p) => (p.flow ? [p.flow.name] : []));
  const flows = ctx.flows ? new Set([...ctx.flows, ...together]) : undefined;
  let failed = false;
  for (const { file, flow, problems } of parsed) {
    const all = flow ? checkFlow(flow, { ...ctx, ...(flows ? { flows } : {}) }) : problems;
    for (const p of all) output.err(formatProblem(file, p));
    if (all.length === 0) output.out(`${file}: ok`);
    failed ||= all.length > 0;
  }
  return failed ? 1 : 0;
}

class UsageError extends Error {}

export const simulateFlowOptions = {
  caller: { type: 'string', value: 'NUM', help: "the caller's number (required)" },
  dialed: { type: 'string', value: 'NUM', help: 'the number dialed (the entry number)' },
  time: { type: 'string', value: 'ISO', help: 'when the call comes, for time and holiday conditions (default now)' },
  digits: { type: 'string', value: 'LIST', help: "what the caller keys at each question, in order: e.g. 1,9,timeout,2 ('' for nothing)" },
  http: {
    type: 'string',
    multiple: true,
    value: 'URL=ANSWER',
    help: 'answer of an HTTP data dip: URL=STATUS:JSON or URL=fail (repeatable); dips not given fail',
  },
  customer: { type: 'string', value: 'JSON', help: 'the CRM customer the lookup finds, as a JSON object' },
  language: { type: 'string', value: 'LANG', help: 'language of the call (default: the flow\'s)' },
  subflow: { type: 'string', multiple: true, value: 'FILE', help: 'a flow the main flow calls as a subflow (repeatable)' },
} as const satisfies OptionSpecs;

interface SimulateArgs {
  file: string;
  script: SimulationScript;
  subflowFiles: string[];
}

export function parseSimulateArgs(args: readonly string[]): SimulateArgs {
  const line = parseCommandLine('simulate-flow', args, simulateFlowOptions, true);
  const [file, extra] = line.positionals;
  if (file !== undefined && extra !== undefined) throw new UsageError(`one FILE only (got '${file}' and '${extra}')`);
  const script: SimulationScript = { caller: '' };
  const dialed = stringOption(line, 'dialed');
  if (dialed !== undefined) script.dialed = dialed;
  const time = stringOption(line, 'time');
  if (time !== undefined) script.time = time;
  const digits = stringOption(line, 'digits');
  if (digits !== undefined) script.digits = digits.split(',').map((d) => d.trim());
  const customer = stringOption(line, 'customer');
  if (customer !== undefined) script.customer = parseJsonObject(customer, '--customer');
  const language = stringOption(line, 'language');
  if (language !== undefined) script.language = language;
  const http: Record<string, SimulatedHttpAnswer> = {};
  for (const value of stringOptions(line, 'http')) {
    const m = /^(.+?)=(fail|(\d{3})(?::([\s\S]*))?)$/.exec(value);
    if (!m || m[1] === undefined) throw new UsageError(`--http takes URL=STATUS:JSON or URL=fail, not '${value}'`);
    if (m[2] === 'fail') http[m[1]] = 'fail';
    else {
      let body: unknown;
      if (m[4] !== undefined && m[4] !== '') {
        try {
          body = JSON.parse(m[4]) as unknown;
        } catch {
          throw new UsageError(`--http ${m[1]}: the answer '${m[4]}' is not JSON`);
        }
      }
      http[m[1]] = { status: Number(m[3]), ...(body !== undefined ? { body } : {}) };
    }
  }
  if (file === undefined) throw new UsageError('simulate-flow needs a FILE');
  const caller = stringOption(line, 'caller');
  if (caller === undefined) throw new UsageError('simulate-flow needs --caller NUM');
  script.caller = caller;
  if (Object.keys(http).length > 0) script.http = http;
  return { file, script, subflowFiles: stringOptions(line, 'subflow') };
}

function parseJsonObject(text: string, option: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${option} takes a JSON object, not '${text}'`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${option} takes a JSON object, not '${text}'`);
  return v as Record<string, unknown>;
}

/** simulate-flow: the path and outcome; 1 when the flow has problems or the run fails, 2 on wrong usage. */
export async function simulateFlowFile(args: readonly string[], output: Output = consoleOutput): Promise<number> {
  let parsedArgs: SimulateArgs;
  try {
    parsedArgs = parseSimulateArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof CommandLineError)) throw err;
    output.err(`tenor simulate-flow: ${err.message}`);
    output.err(`usage: ${SIMULATE_FLOW_USAGE}`);
    return 2;
  }
  const load = (file: string): CompiledFlow | undefined => {
    const { flow, problems } = readFlowFile(file);
    for (const p of problems) output.err(formatProblem(file, p));
    return flow ? compileFlow(flow) : undefined;
  };
  const subflows: Record<string, CompiledFlow> = {};
  for (const f of parsedArgs.subflowFiles) {
    const c = load(f);
    if (!c) return 1;
    subflows[c.name] = c;
  }
  const compiled = load(parsedArgs.file);
  if (!compiled) return 1;
  try {
    const result = await simulateFlow(compiled, { ...parsedArgs.script, subflows });
    for (const line of formatSimulation(result, compiled.definition.language)) output.out(line);
    return 0;
  } catch (err) {
    if (!isTenorError(err)) throw err;
    // A run that stopped part-way still shows where it went.
    if (err instanceof FlowFailedError || err instanceof FlowAbortedError) for (const line of ['path:', ...formatPath(err.path)]) output.out(line);
    output.err(`tenor simulate-flow: ${err.message}`);
    return 1;
  }
}
