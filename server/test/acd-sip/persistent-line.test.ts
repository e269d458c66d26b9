// A persistent-line agent over real SIP: the agent's home phone (SIPp behind the
// trunk) is called once at login and stays connected; callers are bridged into
// it without ringing: no new INVITE, offer and answer at the same moment.
import t from 'tap';
import { caller, finished, homeNetwork, ms, startSite, trunkTo } from './site.js';

t.test('a persistent-line agent gets callers with no ring: one call to the home phone at login, none per caller', async (t) => {
  const home = await homeNetwork(t);
  const s = await startSite(t, {
    trunks: [trunkTo(home)],
    dialing: { allow: ['+31'] }, // sue's line is a Dutch mobile
    acd: { callerId: '+31205550000' },
    queues: [{ name: 'sales', ringTimeoutSeconds: 5 }],
    agents: [{ login: 'sue', name: 'Sue on a slow line', device: { type: 'persistent', number: '+31687654321', trunk: 'home' }, queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  t.equal((await s.setState('sue', 'ready')).state, 'ready', 'login answered by the home phone: ready');

  const stayMs = 4000;
  for (const [i, number] of ['+31201110001', '+31201110002'].entries()) {
    const p = await caller(t, s, { number: '+15550100', caller: number, stayMs });
    const answered = await s.bus.atLeast('call_answered', i + 1);
    t.ok((answered[i]?.payload.waitMs ?? Infinity) < 1000, `caller ${i + 1} connected at once (${answered[i]?.payload.waitMs} ms)`);
    await finished(p, `caller ${i + 1}`);
    await s.bus.atLeast('call_ended', i + 1);
  }
  t.equal(s.bus.of('call_offer_missed').length, 0, 'no offer missed');

  const records = await s.calls();
  t.equal(records.length, 2, 'two records');
  for (const r of records) {
    t.match(r, { outcome: 'answered', agent: 'sue', queue: 'sales', live: false }, `${r.from} answered by sue`);
    const seg = r.segments.find((g) => g.kind === 'agent');
    t.ok(seg && ms(seg.answeredAt) - ms(seg.offeredAt) < 500, `no ringing: offered and answered together (${seg ? ms(seg.answeredAt) - ms(seg.offeredAt) : '?'} ms)`);
    t.ok(Math.abs((r.waitSeconds ?? 0) + (r.talkSeconds ?? 0) - stayMs / 1000) <= 1, 'wait + talk = the time the caller stayed (± 1 s)');
  }
  t.equal((await s.agentView('sue')).state, 'ready', 'still ready, the line still up');

  await s.setState('sue', 'logged-out');
  const result = await home.stop(5000);
  const invites = result.logs.match(/INVITE-NUMBER \S+/g) ?? [];
  t.same(invites, ['INVITE-NUMBER +31687654321'], 'the home phone was called exactly once (at login)');
  t.equal(result.stats.successful, 1, 'and that call ended cleanly at logout (BYE from Tenor)');
});
