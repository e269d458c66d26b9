// The recording policy: a flow node's or a campaign's keys over the queue's,
// over the site's; a percentage that gives the same call the same answer every
// time and records about that share of calls, and an agent's opt-out; the site
// file's, a campaign's and a flow's `recording` keys checked with the path or
// line of what is wrong.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { decide, effectivePolicy, sampleOf } from '../../src/services/recordings/policy.js';
import { campaignFromInput } from '../../src/services/campaigns/model.js';
import { checkFlow, compileFlow, formatProblem, parseFlow, simulateFlow } from '../../src/services/ivr/flow/index.js';
import { tempDir } from '../helpers.js';

t.test("the queue's keys win over the site's; unset keys come from the site, then the defaults", async (t) => {
  const site = { policy: 'on-demand', retentionDays: 365, maxPauseSeconds: 120, announcement: 'may-be-recorded' };
  t.same(effectivePolicy(site, { policy: 'all', retentionDays: 30, announcement: 'sales-recorded' }), { policy: 'all', announcement: 'sales-recorded', retentionDays: 30, maxPauseSeconds: 120 });
  t.same(effectivePolicy(site, undefined), { policy: 'on-demand', announcement: 'may-be-recorded', retentionDays: 365, maxPauseSeconds: 120 });
  t.same(effectivePolicy({}, undefined), { policy: 'never', announcement: undefined, retentionDays: undefined, maxPauseSeconds: 0 }, 'nothing is recorded unless the site says so');
});

t.test('resolution order: the flow node or campaign, then the queue, then the site, key by key', async (t) => {
  const site = { policy: 'on-demand', retentionDays: 365, announcement: 'may-be-recorded' };
  const queue = { policy: 'never', retentionDays: 30 };
  t.same(effectivePolicy(site, queue, { policy: 'all' }), { policy: 'all', announcement: 'may-be-recorded', retentionDays: 30, maxPauseSeconds: 0 },
    "the node's policy wins; the keys it leaves unset come from the queue, then the site");
  t.same(effectivePolicy(site, queue, { announcement: 'campaign-recorded' }), { policy: 'never', announcement: 'campaign-recorded', retentionDays: 30, maxPauseSeconds: 0 });
  t.same(effectivePolicy(site, undefined, {}), effectivePolicy(site, undefined), 'an override with no keys changes nothing');
});

t.test('a percentage is reproducible per call id and records about that share of calls', async (t) => {
  const ids = Array.from({ length: 2000 }, (_, i) => `call-${i}`);
  const first = ids.map((id) => decide('25%', id, false));
  t.same(ids.map((id) => decide('25%', id, false)), first, 'the same call gets the same answer');
  const recorded = first.filter((d) => d === 'record').length;
  t.ok(recorded > 400 && recorded < 600, `about a quarter recorded (${recorded} of 2000)`);
  t.same(new Set(first), new Set(['record', 'on-demand']), 'calls outside the sample may still be recorded on demand');
  t.ok(ids.every((id) => sampleOf(id) >= 0 && sampleOf(id) < 100));
  t.equal(decide('0%', 'call-1', false), 'on-demand');
  t.equal(decide('100%', 'call-1', false), 'record');
  t.same(['all', 'never', 'on-demand'].map((p) => decide(p, 'x', false)), ['record', 'never', 'on-demand']);
  t.same(['all', 'on-demand', '50%'].map((p) => decide(p, 'x', true)), ['never', 'never', 'never'], 'an agent who opted out is never recorded');
});

function load(yaml: string) {
  const dir = tempDir(t, 'tenor-recording-config-');
  const file = path.join(dir, 'tenor.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: path.join(dir, 'data') }, dir);
}

t.test('the site file: site level, queue level, the agent opt-out; errors name the path', async (t) => {
  const config = load(`
recording:
  policy: "25%"
  retentionDays: 90
  agentOptOut: true
  maxPauseSeconds: 180
  agentsMayListen: true
  encryption: { keyFile: keys/recording.keys }
queues:
  - name: sales
    recording: { policy: all, retentionDays: 30 }
agents:
  - login: ann
    name: Ann
    recordingOptOut: true
`);
  t.same(config.recording, { policy: '25%', retentionDays: 90, agentOptOut: true, maxPauseSeconds: 180, agentsMayListen: true, encryption: { keyFile: 'keys/recording.keys' } });
  t.same(config.site.queues[0]?.recording, { policy: 'all', retentionDays: 30 });
  t.equal(config.site.agents[0]?.recordingOptOut, true);
  t.same(load('queues: [{ name: q }]').recording, {}, 'no section: nothing recorded');

  for (const [yaml, where] of [
    ['recording: { policy: sometimes }', /recording\/policy/],
    ['recording: { policy: "101%" }', /recording\/policy/],
    ['recording: { retentionDays: 0 }', /recording\/retentionDays/],
    ['recording: { maxPausSeconds: 5 }', /recording.*maxPausSeconds/],
    ['queues: [{ name: q, recording: { policy: "5 %" } }]', /queues\/0\/recording\/policy/],
    ['agents: [{ login: a, name: A, recordingOptOut: "yes" }]', /agents\/0\/recordingOptOut/],
  ] as const) {
    t.throws(() => load(yaml), { code: 'TENOR_ERR_CONFIG_INVALID', message: where }, yaml);
  }
});

t.test("a campaign's recording is checked like a queue's, and kept", async (t) => {
  const base = { mode: 'progressive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000' };
  const def = campaignFromInput('spring', { ...base, recording: { policy: '50%', announcement: 'campaign-recorded' } });
  t.same(def.recording, { policy: '50%', announcement: 'campaign-recorded' });
  t.equal(campaignFromInput('plain', base).recording, undefined, "no recording: the queue's policy");
  for (const [recording, where] of [
    [{ policy: 'sometimes' }, /campaign \/recording\/policy/],
    [{ policy: 'all', retain: 5 }, /campaign \/recording/],
    ['all', /campaign \/recording/],
  ] as const) {
    t.throws(() => campaignFromInput('bad', { ...base, recording }), { code: 'TENOR_ERR_VALIDATION', message: where }, JSON.stringify(recording));
  }
});

const flowWith = (queueNode: string, transferNode = '{ type: transfer, flow: other }') => `name: rec
version: 1
start: menu
nodes:
  menu:
    type: menu
    prompts: [welcome]
    options:
      "1": sales
      "2": elsewhere
    fallback: sales
  sales: ${queueNode}
  elsewhere: ${transferNode}
`;

t.test('flow queue and transfer nodes: recording is read, carried in the outcome, and bad values named by line', async (t) => {
  const parsed = parseFlow(flowWith('{ type: queue, queue: sales, recording: { policy: all, announcement: sales-recorded } }', '{ type: transfer, flow: other, recording: never }'), 'rec.yaml');
  t.same(parsed.problems, []);
  if (!parsed.flow) return t.fail('the flow did not parse');
  t.same(checkFlow(parsed.flow, { queues: new Set(['sales']), flows: new Set(['other']) }), []);
  const compiled = compileFlow(parsed.flow);
  const queued = await simulateFlow(compiled, { caller: '+31205550001', digits: ['1'] });
  t.same(queued.outcome, { type: 'queue', queue: 'sales', recording: { policy: 'all', announcement: 'sales-recorded' } });
  const transferred = await simulateFlow(compiled, { caller: '+31205550001', digits: ['2'] });
  t.same(transferred.outcome, { type: 'transfer', target: { kind: 'flow', flow: 'other' }, recording: { policy: 'never' } });

  const shorthand = parseFlow(flowWith('{ type: queue, queue: sales, recording: "25%" }'), 'rec.yaml');
  t.match(shorthand.flow?.nodes.sales, { type: 'queue', recording: { policy: '25%' } }, 'a bare policy is { policy }');

  const problems = (queueNode: string, transferNode?: string): string[] => {
    const p = parseFlow(flowWith(queueNode, transferNode), 'rec.yaml');
    const all = p.flow ? checkFlow(p.flow, {}) : p.problems;
    return all.map((x) => formatProblem('rec.yaml', x));
  };
  t.match(problems('{ type: queue, queue: sales, recording: sometimes }'), [/^rec\.yaml:12:\d+: node 'sales': recording policy 'sometimes' is not one of all, never, on-demand/]);
  t.match(problems('{ type: queue, queue: sales, recording: { policy: "5 %" } }'), [/^rec\.yaml:12:\d+: node 'sales': recording policy '5 %' is not one of/]);
  t.match(problems('{ type: queue, queue: sales, recording: { polcy: all } }'), [/^rec\.yaml:12:\d+: node 'sales': unknown field 'polcy' in recording field \(did you mean 'policy'\?\)/]);
  t.match(problems('{ type: queue, queue: sales, recording: 25 }'), [/node 'sales': recording is a policy .* found/]);
  t.match(problems('{ type: queue, queue: sales, recording: {} }'), [/node 'sales': recording sets neither policy nor announcement/]);
  t.match(problems('{ type: queue, queue: sales }', '{ type: transfer, number: "+3120", recording: all }'),
    [/^rec\.yaml:13:\d+: node 'elsewhere': recording applies to calls an agent takes from a queue; a transfer to a number is not recorded/]);
});

t.test('the announcement of a flow node is checked like any prompt', async (t) => {
  const parsed = parseFlow(flowWith('{ type: queue, queue: sales, recording: { announcement: no-such-prompt } }'), 'rec.yaml');
  if (!parsed.flow) return t.fail('the flow did not parse');
  const problems = checkFlow(parsed.flow, { promptExists: (name) => name !== 'no-such-prompt' });
  t.match(problems.map((p) => formatProblem('rec.yaml', p)), [/node 'sales': prompt 'no-such-prompt' has no recording for language en/]);
});
