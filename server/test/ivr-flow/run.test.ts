// runFlow over a FlowIO written by hand, as the live runtime provides one:
// what the flow asks of the I/O, a hangup in the middle, a failing step.

import t from 'tap';
import { FlowAbortedError, FlowFailedError, runFlow } from '../../src/services/ivr/flow/index.js';
import type { CollectRequest, CollectResponse, FlowIO, PlayRequest, PlayResponse } from '../../src/services/ivr/flow/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { compileFile, compileText, route } from './helpers.js';

const caller = { callId: 'call-1', number: '+15550001', dialed: '+15559999' };

/** An I/O that answers from queues the test fills, and records every request. */
function scriptedIO(opts: { play?: (req: PlayRequest) => Promise<PlayResponse>; collect?: (req: CollectRequest) => Promise<CollectResponse> } = {}) {
  const plays: PlayRequest[] = [];
  const collects: CollectRequest[] = [];
  const io: FlowIO = {
    play: (req) => {
      plays.push(req);
      return opts.play ? opts.play(req) : Promise.resolve({});
    },
    collect: (req) => {
      collects.push(req);
      return opts.collect ? opts.collect(req) : Promise.resolve({ digits: '', reason: 'timeout' });
    },
    lookupCustomer: () => Promise.resolve(undefined),
    http: () => Promise.reject(new Error('no network in this test')),
    now: () => new Date('2026-11-24T12:00:00Z'),
  };
  return { io, plays, collects };
}

t.test('a menu asks the I/O for one digit with its prompts, language and timeout', async (t) => {
  const { io, collects } = scriptedIO({ collect: () => Promise.resolve({ digits: '1', reason: 'complete' }) });
  const result = await runFlow(compileFile('two-level.yaml'), { io, caller });
  t.same(result.outcome, { type: 'queue', queue: 'sales', priority: 5 });
  t.same(collects, [
    { prompts: ['main-menu'], language: 'en', minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: 4000, interDigitTimeoutMs: 4000, terminators: '', node: 'main' },
  ]);
});

t.test('the caller hangs up while the flow waits for a digit: the run rejects with FlowAbortedError and the path so far', async (t) => {
  const controller = new AbortController();
  let asked!: () => void;
  const askedOnce = new Promise<void>((resolve) => (asked = resolve));
  // A collect that only ends when the call does, as on a real call.
  const { io } = scriptedIO({
    collect: () => {
      asked();
      return new Promise<CollectResponse>(() => undefined);
    },
  });
  const run = runFlow(compileFile('two-level.yaml'), { io, caller, signal: controller.signal });
  await askedOnce;
  controller.abort();
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof FlowAbortedError);
  t.ok(isTenorError(err, 'TENOR_ERR_FLOW_ABORTED'));
  t.match(err, { message: "Flow 'two-level' was stopped at node 'main': the call ended" });
});

t.test('a signal already aborted never starts the flow', async (t) => {
  const { io, collects } = scriptedIO();
  await t.rejects(runFlow(compileFile('two-level.yaml'), { io, caller, signal: AbortSignal.abort() }), { code: 'TENOR_ERR_FLOW_ABORTED' });
  t.equal(collects.length, 0);
});

t.test('a prompt that fails to play (no failure branch) stops the flow with FlowFailedError naming the node', async (t) => {
  const { io } = scriptedIO({ play: () => Promise.reject(new Error('media gone')) });
  const err = await runFlow(compileFile('language.yaml'), { io, caller: { ...caller }, variables: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  // language.yaml starts with a menu (collect answered with no input → fallback hello, a play).
  t.ok(err instanceof FlowFailedError);
  t.match(err, { code: 'TENOR_ERR_FLOW_FAILED', node: 'hello', message: "Flow 'language' stopped at node 'hello': media gone" });
  t.same(route((err as FlowFailedError).path), ['choose:no-input', 'choose:no-input', 'choose:no-input'], 'the steps before the failure');
});

t.test('a digit pressed during an interruptible prompt answers the next menu without its prompts', async (t) => {
  const flow = compileText(`
name: barge
version: 1
start: hello
nodes:
  hello: { type: play, prompts: [welcome], interruptible: true, next: menu }
  menu: { type: menu, prompts: [main-menu], options: { "2": q }, fallback: bye }
  q: { type: queue, queue: support }
  bye: { type: hangup }
`);
  const { io, plays, collects } = scriptedIO({ play: () => Promise.resolve({ digit: '2' }) });
  const result = await runFlow(flow, { io, caller });
  t.same(result.outcome, { type: 'queue', queue: 'support' });
  t.same(plays.map((p) => p.interruptible), [true]);
  t.equal(collects.length, 0, 'the menu did not ask again');
  t.same(result.path.map((s) => ({ node: s.node, exit: s.exit, prompts: s.prompts })), [
    { node: 'hello', exit: 'next', prompts: ['welcome'] },
    { node: 'menu', exit: '2', prompts: [] },
    { node: 'q', exit: undefined, prompts: undefined },
  ]);
});

t.test('a customer known before the flow starts is usable as customer.*', async (t) => {
  const flow = compileText(`
name: pre
version: 1
start: q
nodes:
  q: { type: queue, queue: "\${customer.team}", priority: "\${customer.priority}" }
`);
  const { io } = scriptedIO();
  const known = await runFlow(flow, { io, caller, customer: { team: 'vip', priority: 3 } });
  t.same(known.outcome, { type: 'queue', queue: 'vip', priority: 3 });
  const unknown = await runFlow(flow, { io, caller });
  t.same(unknown.outcome, { type: 'queue', queue: '' }, 'an absent field renders empty; no priority is invented');
});

t.test('one compiled flow runs many calls at once, each with its own state', async (t) => {
  const flow = compileFile('two-level.yaml');
  const answer = (digit: string) => scriptedIO({ collect: () => new Promise((r) => setImmediate(() => r({ digits: digit, reason: 'complete' }))) }).io;
  const [a, b] = await Promise.all([runFlow(flow, { io: answer('1'), caller }), runFlow(flow, { io: answer('9'), caller: { ...caller, callId: 'call-2' } })]);
  t.same(a.outcome, { type: 'queue', queue: 'sales', priority: 5 });
  t.same(b.outcome, { type: 'voicemail', box: 'general' });
});
