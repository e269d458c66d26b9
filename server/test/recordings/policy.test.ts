// The recording policy: the queue's keys over the site's, a percentage that
// gives the same call the same answer every time and records about that share
// of calls, and an agent's opt-out; the site file's `recording` keys checked
// with the path of what is wrong.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { decide, effectivePolicy, sampleOf } from '../../src/services/recordings/policy.js';
import { tempDir } from '../helpers.js';

t.test("the queue's keys win over the site's; unset keys come from the site, then the defaults", async (t) => {
  const site = { policy: 'on-demand', retentionDays: 365, maxPauseSeconds: 120, announcement: 'may-be-recorded' };
  t.same(effectivePolicy(site, { policy: 'all', retentionDays: 30, announcement: 'sales-recorded' }), { policy: 'all', announcement: 'sales-recorded', retentionDays: 30, maxPauseSeconds: 120 });
  t.same(effectivePolicy(site, undefined), { policy: 'on-demand', announcement: 'may-be-recorded', retentionDays: 365, maxPauseSeconds: 120 });
  t.same(effectivePolicy({}, undefined), { policy: 'never', announcement: undefined, retentionDays: undefined, maxPauseSeconds: 0 }, 'nothing is recorded unless the site says so');
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
