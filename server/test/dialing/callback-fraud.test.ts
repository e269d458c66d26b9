// Toll fraud through callbacks, performed over real SIP: callers waiting in a
// queue press the callback key and type a premium-rate or an international
// number, or type nothing with a forged premium-rate caller ID. Tenor must
// refuse each (a dialing_refused event, counted in GET /api/dialing/stats),
// keep the caller on the line and back in line (SIPp fails the call on a BYE
// from Tenor), and never send an INVITE to the trunk: the SIPp "phone
// network" behind it logs every number it is asked for. An agent becomes
// ready at the end, so any callback that had been taken would be dialed then.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { startSipp, describeSipp } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH } from '../helpers.js';
import { agentPhone, homeNetwork, startSite, trunkTo, within, type Site } from '../acd-sip/site.js';

const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios', 'uac-caller-callback-stay.xml');

/** A caller who presses `key`, types `digits` 2 s later, stays on the line `stayMs`, then hangs up. */
async function callbackCaller(t: Test, site: Site, opts: { caller: string; key: string; digits: string; stayMs: number }) {
  const p = await startSipp({
    scenario: SCENARIO, remote: site.sip, service: '+15550100', calls: 1, pauseMs: opts.stayMs,
    vars: { caller: opts.caller, key: opts.key, digits: opts.digits }, timeoutMs: opts.stayMs + 60_000,
  });
  t.teardown(async () => {
    await p.stop(2000);
  });
  return p;
}

t.test('callback numbers that would cost the site money are refused; the callers stay in line; nothing reaches the trunk', async (t) => {
  const home = await homeNetwork(t);
  const s = await startSite(t, {
    // No dialing section: the defaults (a US site: US numbers and toll-free only; callbacks to the caller's own number).
    trunks: [trunkTo(home)],
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, callbackKey: '*', callback: { attempts: 1, ringTimeoutSeconds: 10 } }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  await agentPhone(t, s, 'ann');
  await s.setState('ann', 'break', 'coffee'); // nobody takes calls while the callers try

  const attacks = [
    { caller: '+12125551234', digits: '19005551234#', number: '+19005551234', class: 'premium-rate', what: 'a typed 1-900 number' },
    { caller: '+12125551235', digits: '011442079460000#', number: '+442079460000', class: 'international', what: 'a typed international number' },
    { caller: '+19005559876', digits: '#', number: '+19005559876', class: 'premium-rate', what: 'no number typed, a forged premium caller ID' },
  ];
  const callers = [];
  for (const a of attacks) {
    const from = s.bus.events.length;
    const p = await callbackCaller(t, s, { caller: a.caller, key: '*', digits: a.digits, stayMs: 40_000 });
    callers.push(p);
    const refused = await s.bus.wait('dialing_refused', (e) => e.number === a.number, 30_000, from);
    t.match(refused.payload, { class: a.class, purpose: 'caller-callback', reason: 'number-class', trunk: 'home' }, `${a.what}: refused`);
    t.ok(refused.payload.callId, 'the refusal names the caller\'s call');
    // Back in line at their place: the same call is queued a second time.
    const callId = refused.payload.callId;
    await s.bus.atLeast('call_queued', 2, 20_000, (q) => q.callId === callId);
    t.pass(`${a.what}: the caller is back in line`);
  }
  t.same(s.bus.of('callback_requested'), [], 'no callback was promised to anyone');

  // An agent is ready now: a callback taken would be dialed through the trunk; the waiting callers are served instead.
  await s.setState('ann', 'ready');
  const answered = await s.bus.wait('call_answered', () => true, 30_000);
  t.equal(answered.payload.kind, 'call', 'ann is given a waiting caller, not a callback');

  for (const p of callers) {
    const r = await within(p.done, 90_000, 'a caller to hang up');
    t.equal(r.code, 0, `the caller stayed until they hung up (no BYE from Tenor): ${r.code === 0 ? 'ok' : describeSipp(r)}`);
  }

  const stats = await s.app.inject({ method: 'GET', url: '/api/dialing/stats', headers: ADMIN_AUTH });
  t.equal(stats.statusCode, 200);
  const body = JSON.parse(stats.body) as { refused: number; byReason: Record<string, number>; byClass: Record<string, number> };
  t.equal(body.refused, 3, 'three refusals counted');
  t.same(body.byClass, { 'premium-rate': 2, international: 1 }, 'by number class');
  const trunkSide = await home.stop(5000);
  t.notMatch(trunkSide.logs, /INVITE-NUMBER/, 'the trunk never received an INVITE');
});
