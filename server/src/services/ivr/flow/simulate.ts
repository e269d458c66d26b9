// Running a flow with no phone: a FlowIO made from a script (caller, time,
// digits, stubbed HTTP answers and CRM record) that notes every prompt and
// request. The compiled machine is the same one a live call runs.

import { TenorError } from '../../../core/errors.js';
import type {
  CollectRequest,
  CollectResponse,
  FlowIO,
  HttpRequest,
  HttpResponse,
  PlayRequest,
  PlayResponse,
} from './io.js';
import { runFlow } from './run.js';
import type { CompiledFlow, HttpCallMade, PromptPlayed, SimulationResult, SimulationScript } from './types.js';

/** After the script's digits run out, a flow that keeps asking this often is looping on no input. */
export const MAX_ASKS_AFTER_SCRIPT = 10;

const NO_INPUT = new Set(['', 'timeout']);

export async function simulateFlow(compiled: CompiledFlow, script: SimulationScript): Promise<SimulationResult> {
  const now = script.time === undefined ? new Date() : new Date(script.time);
  if (Number.isNaN(now.getTime())) {
    throw new TenorError('TENOR_ERR_VALIDATION', [`time '${script.time ?? ''}' is not an ISO 8601 time (e.g. 2026-03-02T10:00:00-03:00)`]);
  }
  const digits = [...(script.digits ?? [])];
  for (const entry of digits) {
    if (!NO_INPUT.has(entry) && !/^[0-9*#]+$/.test(entry)) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`digits entry '${entry}' holds keys that are not on a keypad (0-9, *, #), nor is it '' or 'timeout'`]);
    }
  }
  const io = new ScriptedIO(now, digits, script);
  const subflows = script.subflows ?? {};
  const result = await runFlow(compiled, {
    io,
    caller: { callId: 'simulation', number: script.caller, dialed: script.dialed ?? '', ...(script.language ? { language: script.language } : {}) },
    ...(script.variables ? { variables: script.variables } : {}),
    subflow: (name) => subflows[name] ?? compiled.resolveSubflow?.(name),
  });
  return { ...result, prompts: io.prompts, requests: io.requests };
}

class ScriptedIO implements FlowIO {
  readonly prompts: PromptPlayed[] = [];
  readonly requests: HttpCallMade[] = [];
  #asksAfterScript = 0;

  constructor(
    private readonly time: Date,
    private readonly digits: string[],
    private readonly script: SimulationScript,
  ) {}

  now(): Date {
    return new Date(this.time);
  }

  play(req: PlayRequest): Promise<PlayResponse> {
    this.#note(req.prompts, req.language, req.node);
    return Promise.resolve({});
  }

  collect(req: CollectRequest): Promise<CollectResponse> {
    this.#note(req.prompts, req.language, req.node);
    const entry = this.digits.shift();
    if (entry === undefined) {
      this.#asksAfterScript++;
      if (this.#asksAfterScript > MAX_ASKS_AFTER_SCRIPT) {
        return Promise.reject(new Error(`the script's digits ran out and the flow kept asking (${MAX_ASKS_AFTER_SCRIPT} more times with no input)`));
      }
      return Promise.resolve({ digits: '', reason: 'timeout' });
    }
    if (NO_INPUT.has(entry)) return Promise.resolve({ digits: '', reason: 'timeout' });
    // One entry answers one question, as a caller would type it: keys up to a
    // terminator or the most digits asked for; whatever is left is not heard.
    let digits = '';
    for (const key of entry) {
      if (req.terminators.includes(key)) return Promise.resolve({ digits, reason: 'terminator' });
      digits += key;
      if (digits.length >= req.maxDigits) return Promise.resolve({ digits, reason: 'complete' });
    }
    return Promise.resolve({ digits, reason: 'timeout' });
  }

  lookupCustomer(): Promise<Record<string, unknown> | undefined> {
    return Promise.resolve(this.script.customer);
  }

  http(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push({ ...(req.node !== undefined ? { node: req.node } : {}), method: req.method, url: req.url, body: req.body });
    const answer = this.script.http?.[req.url];
    if (answer === undefined) return Promise.reject(new Error(`no answer stubbed for ${req.url}`));
    if (answer === 'fail') return Promise.reject(new Error(`${req.url} failed (stubbed)`));
    return Promise.resolve({ status: answer.status, body: answer.body });
  }

  #note(prompts: readonly string[], language: string, node: string | undefined): void {
    for (const prompt of prompts) this.prompts.push({ node: node ?? '', prompt, language });
  }
}
