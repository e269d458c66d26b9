// GIVEN an agent on a real SIP call whose dialogue script has a PCI step
// (<recording action="pause"/> before the card details, "resume" after),
// THEN the script pauses and resumes that call's recording as the agent, with
// the reason; another agent's run cannot touch a call that is not theirs; a
// call that is not (or no longer) recorded, a run without a call and a site
// without a recording service all let the step go on, and the run's action log
// says why nothing happened.
//
// The recording service is part B of issue 16 and is merged separately: here
// it is a test double (test/recordings-double.ts) registered as the service
// `recordings`, answering control() as the seam describes. Everything else is
// real: the ACD, SIPp as the caller, baresip as the agent's phone.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { agentPhone, caller, startSite, within } from '../acd-sip/site.js';
import { recordingsDouble, type RecordingsDouble } from '../recordings-double.js';

const basic = (user: string, password: string): { authorization: string } => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const ANN = basic('ann', 'ann-secret-word');
const BOB = basic('bob', 'bob-secret-word');

const SCRIPT = `<?xml version="1.0" encoding="UTF-8"?>
<script id="card-payment" version="1" title="Card payment">
  <step id="amount" title="Amount">
    <question id="amount" type="number" min="1"><prompt>How much will you pay today?</prompt></question>
    <go to="card"><recording action="pause" reason="card details for \${answer.amount} EUR"/></go>
  </step>
  <step id="card" title="Card">
    <info>Key the card into the payment terminal.</info>
    <go to="done"><recording action="resume"/></go>
  </step>
  <end id="done" outcome="paid"/>
</script>`;

interface Session { id: string; actions: { type: string; ok: boolean; detail: string }[]; step: { id: string } }
type Site = Awaited<ReturnType<typeof startSite>>;

async function saveScript(s: Site): Promise<void> {
  const saved = await s.app.inject({ method: 'PUT', url: '/api/scripts/card-payment', headers: { ...ADMIN_AUTH, 'content-type': 'application/xml' }, payload: SCRIPT });
  if (saved.statusCode !== 200) throw new Error(`script not saved: ${saved.body}`);
}

async function startRun(s: Site, auth: { authorization: string }, callId?: string): Promise<string> {
  const res = await s.app.inject({ method: 'POST', url: '/api/script-sessions', headers: auth, payload: { scriptId: 'card-payment', channel: 'call', ...(callId !== undefined ? { callId } : {}) } });
  if (res.statusCode !== 201) throw new Error(`run not started: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as Session).id;
}

async function answer(s: Site, auth: { authorization: string }, id: string, value: unknown): Promise<Session> {
  const res = await s.app.inject({ method: 'POST', url: `/api/script-sessions/${id}/answer`, headers: auth, payload: { value } });
  if (res.statusCode !== 200) throw new Error(`answer refused: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as { session: Session }).session;
}

async function next(s: Site, auth: { authorization: string }, id: string): Promise<Session> {
  const res = await s.app.inject({ method: 'POST', url: `/api/script-sessions/${id}/next`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`next refused: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as Session;
}

t.test("a script step pauses and resumes the recording of the agent's call", { timeout: 150_000 }, async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 20, wrapUpSeconds: 120 }, { name: 'support' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  }, { extraServices: [recordingsDouble()] });
  const recordings = s.services.get<RecordingsDouble>('recordings');
  await saveScript(s);
  await agentPhone(t, s, 'ann');
  await s.setState('ann', 'ready');
  await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 120_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  t.equal(recordings.stateOf(callId), 'recording', 'the call is being recorded');

  const run = await startRun(s, ANN, callId);
  const paused = await answer(s, ANN, run, 40);
  t.equal(paused.step.id, 'card', 'the run moves on to the card step');
  t.match(paused.actions, [{ type: 'recording', ok: true, detail: 'recording pause: paused' }], 'the action log says the recording is paused');
  t.equal(recordings.stateOf(callId), 'paused', 'the recording is paused');
  t.same(recordings.requests.at(-1), { callId, req: { action: 'pause', by: 'ann', reason: 'card details for 40 EUR' }, state: 'paused' }, 'as ann, with the reason filled in');

  await t.test("another agent's run cannot pause or resume a call that is not theirs", async (t) => {
    const bobsRun = await startRun(s, BOB, callId);
    await answer(s, BOB, bobsRun, 5);
    const bobs = await next(s, BOB, bobsRun);
    t.match(bobs.actions, [{ type: 'recording', ok: false, detail: /Not allowed/ }, { type: 'recording', ok: false, detail: /Not allowed/ }], 'both refused in his action log');
    t.equal(recordings.stateOf(callId), 'paused', "ann's recording is still paused");
    t.notOk(recordings.requests.some((r) => r.req.by === 'bob'), 'the recording service was never asked');
  });

  const resumed = await next(s, ANN, run);
  t.match(resumed.actions.at(-1), { type: 'recording', ok: true, detail: 'recording resume: recording' });
  t.equal(recordings.stateOf(callId), 'recording', 'the recording goes on after the card step');
  t.match(recordings.requests.at(-1), { callId, req: { action: 'resume', by: 'ann' }, state: 'recording' });
  t.notOk('reason' in (recordings.requests.at(-1)?.req ?? {}), 'no reason given, none sent');

  await t.test('a run without a call does nothing to any recording, and goes on', async (t) => {
    const noCall = await startRun(s, ANN);
    const after = await answer(s, ANN, noCall, 40);
    t.equal(after.step.id, 'card');
    t.match(after.actions, [{ type: 'recording', ok: true, detail: 'recording pause: skipped, this run has no call' }]);
    t.equal(recordings.stateOf(callId), 'recording');
  });

  await t.test('once a supervisor stops the recording the step goes on, and the log says why', async (t) => {
    t.equal((await recordings.control(callId, { action: 'stop', by: 'sue' })).state, 'stopped');
    const unrecorded = await startRun(s, ANN, callId);
    const after = await answer(s, ANN, unrecorded, 40);
    t.equal(after.step.id, 'card');
    t.match(after.actions, [{ type: 'recording', ok: true, detail: 'recording pause: skipped, this call is not being recorded' }]);
  });

  await t.test('once the call has ended it is not live: the step goes on and the log says why', async (t) => {
    const hungUp = await s.app.inject({ method: 'POST', url: '/api/agents/ann/call/hangup', headers: ADMIN_AUTH });
    t.equal(hungUp.statusCode, 204, hungUp.body);
    await s.bus.wait('call_ended', (p) => p.callId === callId, 30_000);
    t.equal((await s.agentView('ann')).state, 'wrap-up', 'ann wraps up the call');
    const late = await startRun(s, ANN, callId);
    const after = await within(answer(s, ANN, late, 40), 20_000, 'the step to go on');
    t.equal(after.step.id, 'card');
    t.match(after.actions, [{ type: 'recording', ok: true, detail: 'recording pause: skipped, this call is not being recorded' }]);
  });
});

t.test('without a recording service the step goes on and the log says calls are not recorded', async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
  });
  t.notOk(s.services.has('recordings'), 'no recording service runs');
  await saveScript(s);
  const run = await startRun(s, ANN, 'some-call-id');
  const after = await answer(s, ANN, run, 40);
  t.equal(after.step.id, 'card');
  t.match(after.actions, [{ type: 'recording', ok: true, detail: 'recording pause: skipped, calls are not recorded here' }]);
});
