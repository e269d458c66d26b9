// GIVEN an agent on a real SIP call whose dialogue script has a PCI step
// (<recording action="pause"/> before the card details, "resume" after),
// THEN the script pauses and resumes that call's recording as the agent, with
// the reason; another agent's run cannot touch a call that is not theirs; a
// call that is not (or no longer) recorded and a run without a call let the
// step go on, and the run's action log says why nothing happened.
// Everything is real: the recording service (site policy all), the ACD, SIPp as
// the caller, baresip as the agent's phone; what the script did is read back
// as the recording's state and markers through the REST API.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { agentPhone, caller, startSite, within } from '../acd-sip/site.js';

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
interface Marker { kind: string; by: string | null; reason: string | null }
interface Recording { id: string; state: string; markers: Marker[] }

/** The call's recording as a supervisor sees it: its state and markers. */
async function recordingOf(s: Site, callId: string): Promise<Recording> {
  const list = await s.app.inject({ method: 'GET', url: `/api/recordings?callId=${encodeURIComponent(callId)}`, headers: ADMIN_AUTH });
  const [first] = (JSON.parse(list.body) as { items: { id: string }[] }).items;
  if (first === undefined) throw new Error(`no recording of ${callId}: ${list.body}`);
  const one = await s.app.inject({ method: 'GET', url: `/api/recordings/${first.id}`, headers: ADMIN_AUTH });
  return JSON.parse(one.body) as Recording;
}

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
    recording: { policy: 'all' },
    queues: [{ name: 'sales', ringTimeoutSeconds: 20, wrapUpSeconds: 120 }, { name: 'support' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  await saveScript(s);
  await agentPhone(t, s, 'ann');
  await s.setState('ann', 'ready');
  await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 120_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  await within(s.bus.wait('recording_started', (p) => p.callId === callId, 30_000), 30_000, 'the recording to start');
  t.equal((await recordingOf(s, callId)).state, 'recording', 'the call is being recorded');

  const run = await startRun(s, ANN, callId);
  const paused = await answer(s, ANN, run, 40);
  t.equal(paused.step.id, 'card', 'the run moves on to the card step');
  t.match(paused.actions, [{ type: 'recording', ok: true, detail: 'recording pause: paused' }], 'the action log says the recording is paused');
  const whilePaused = await recordingOf(s, callId);
  t.equal(whilePaused.state, 'paused', 'the recording is paused');
  t.match(whilePaused.markers.at(-1), { kind: 'pause', by: 'ann', reason: 'card details for 40 EUR' }, 'as ann, with the reason filled in');

  await t.test("another agent's run cannot pause or resume a call that is not theirs", async (t) => {
    const bobsRun = await startRun(s, BOB, callId);
    await answer(s, BOB, bobsRun, 5);
    const bobs = await next(s, BOB, bobsRun);
    t.match(bobs.actions, [{ type: 'recording', ok: false, detail: /Not allowed/ }, { type: 'recording', ok: false, detail: /Not allowed/ }], 'both refused in his action log');
    const still = await recordingOf(s, callId);
    t.equal(still.state, 'paused', "ann's recording is still paused");
    t.notOk(still.markers.some((m) => m.by === 'bob'), 'no marker of his');
  });

  const resumed = await next(s, ANN, run);
  t.match(resumed.actions.at(-1), { type: 'recording', ok: true, detail: 'recording resume: recording' });
  const goingOn = await recordingOf(s, callId);
  t.equal(goingOn.state, 'recording', 'the recording goes on after the card step');
  t.match(goingOn.markers.at(-1), { kind: 'resume', by: 'ann', reason: null }, 'as ann; no reason given, none written');

  await t.test('a run without a call does nothing to any recording, and goes on', async (t) => {
    const noCall = await startRun(s, ANN);
    const after = await answer(s, ANN, noCall, 40);
    t.equal(after.step.id, 'card');
    t.match(after.actions, [{ type: 'recording', ok: true, detail: 'recording pause: skipped, this run has no call' }]);
    t.equal((await recordingOf(s, callId)).state, 'recording');
  });

  await t.test('once a supervisor stops the recording the step goes on, and the log says why', async (t) => {
    const stopped = await s.app.inject({ method: 'POST', url: `/api/calls/${encodeURIComponent(callId)}/recording`, headers: ADMIN_AUTH, payload: { action: 'stop' } });
    t.same(JSON.parse(stopped.body), { state: 'stopped' });
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
