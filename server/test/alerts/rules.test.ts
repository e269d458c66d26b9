// Each kind of alert rule against readings given as data (rules.ts is pure
// apart from its readings): which subject breaks it, with what value, and the
// rules that read other services (service level, trunks, campaigns) stay
// quiet while those have nothing to say.
import t from 'tap';
import { breaches, type Readings } from '../../src/services/alerts/rules.js';
import type { AlertRule } from '../../src/services/alerts/index.js';

function readings(over: Partial<Readings> = {}): Readings {
  const queues: Record<string, { waiting: number; longestWaitSeconds: number; agentsReady: number }> = {
    sales: { waiting: 2, longestWaitSeconds: 95, agentsReady: 0 },
    support: { waiting: 0, longestWaitSeconds: 0, agentsReady: 3 },
  };
  return {
    queues: () => Object.keys(queues),
    queue: (name) => queues[name],
    serviceLevel: async (queue) => (queue === 'sales' ? 62.5 : queue === 'support' ? 91 : null),
    trunks: () => [{ name: 'carrier', state: 'failed' }, { name: 'backup', state: 'registered' }],
    campaigns: async () => [{ name: 'renewals', abandonRatePercent: 2.8 }, { name: 'winback', abandonRatePercent: null }],
    ...over,
  };
}

const keys = async (rule: AlertRule, r = readings()) => (await breaches(rule, r)).map((b) => [b.key, b.value, b.threshold]);

t.test('longest wait: per queue, only while someone waits longer than the limit', async (t) => {
  t.same(await keys({ name: 'w', type: 'longest-wait', seconds: 60 }), [['w/queue:sales', 95, 60]], 'every queue looked at; sales breaks it');
  t.same(await keys({ name: 'w', type: 'longest-wait', seconds: 95 }), [], 'exactly at the limit: not longer');
  t.same(await keys({ name: 'w', type: 'longest-wait', queue: 'support', seconds: 1 }), [], 'nobody waiting in support');
  t.same(await keys({ name: 'w', type: 'longest-wait', queue: 'gone', seconds: 1 }), [], 'an unknown queue raises nothing');
});

t.test('agents ready: fewer than K', async (t) => {
  t.same(await keys({ name: 'r', type: 'agents-ready', fewerThan: 3 }), [['r/queue:sales', 0, 3]], 'support has 3 ready: not fewer');
});

t.test('service level over the last minutes: below X, nothing without calls', async (t) => {
  t.same(await keys({ name: 's', type: 'service-level', belowPercent: 80 }), [['s/queue:sales', 62.5, 80]]);
  const b = await breaches({ name: 's', type: 'service-level', queue: 'sales', belowPercent: 80, minutes: 30 }, readings());
  t.match(b[0]?.message, /62\.5% over the last 30 min \(below 80%\)/, 'the message names the window');
  t.same(await keys({ name: 's', type: 'service-level', belowPercent: 80 }, readings({ serviceLevel: async () => null })), [], 'no call counted: no alert');
});

t.test('trunk down: a failed registration', async (t) => {
  t.same(await keys({ name: 'd', type: 'trunk-down' }), [['d/trunk:carrier', 0, 1]]);
  t.same(await keys({ name: 'd', type: 'trunk-down', trunk: 'backup' }), [], 'a registered trunk is up');
});

t.test('dialer abandon rate near the cap', async (t) => {
  t.same(await keys({ name: 'a', type: 'dialer-abandon-rate', abovePercent: 2.5 }), [['a/campaign:renewals', 2.8, 2.5]], 'a campaign without live answers yet is not judged');
  t.same(await keys({ name: 'a', type: 'dialer-abandon-rate', campaign: 'renewals', abovePercent: 3 }), []);
});
