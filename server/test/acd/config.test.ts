// The ACD's configuration fields: checked by their schema, mapped to queue
// definitions with defaults.

import t from 'tap';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { QueueSchema } from '../../src/services/acd/config-schema.js';
import { AcdQueueFields, AcdSettingsSchema } from '../../src/services/acd/config-schema.js';
import { agentFromConfig, queueFromConfig, type QueueConfigWithAcd } from '../../src/services/acd/config.js';

// What config/schema.ts's QueueSchema becomes once the ACD fields are spread in.
const QueueWithAcd = Type.Object({ ...QueueSchema.properties, ...AcdQueueFields }, { additionalProperties: false });

const support: QueueConfigWithAcd = {
  name: 'support',
  strategy: 'skills-based',
  ringTimeoutSeconds: 20,
  maxWaitSeconds: 600,
  maxWaiting: 50,
  announcements: { intervalSeconds: 45 },
  callbackKey: '*',
  exitKey: '0',
  joinEmpty: false,
  exits: { maxWait: { type: 'voicemail', box: 'support' }, empty: { type: 'queue', queue: 'backup' }, exitKey: { type: 'flow', flow: 'main-menu' } },
  overflow: { afterSeconds: 120, queue: 'backup' },
  requiredSkills: { network: 6 },
  escalation: [{ afterSeconds: 60, skills: { network: 3 } }, { afterSeconds: 180, skills: { network: 0 } }],
  whisper: { prompts: ['/srv/prompts/support.wav'], segments: { A: '/srv/prompts/segment-a.wav' } },
  callback: { attempts: 4 },
};

t.test('a queue with every ACD field passes the schema and maps to a definition with defaults filled in', async (t) => {
  t.ok(Value.Check(QueueWithAcd, support), [...Value.Errors(QueueWithAcd, support)].map((e) => `${e.path} ${e.message}`).join('; '));
  const def = queueFromConfig(support);
  t.same(def.exits, { 'max-wait': { type: 'voicemail', box: 'support' }, empty: { type: 'queue', queue: 'backup' }, 'exit-key': { type: 'flow', flow: 'main-menu' } });
  t.same(def.announcements, { intervalSeconds: 45, position: true, estimatedWait: true });
  t.same(def.callback, { attempts: 4, retryDelaySeconds: 60, ringTimeoutSeconds: 30 });
  t.same([def.joinEmpty, def.leaveWhenEmpty, def.wrapUpSeconds, def.whisper?.segments], [false, false, 0, { A: '/srv/prompts/segment-a.wav' }]);
});

t.test('mistakes are caught by the schema', async (t) => {
  t.notOk(Value.Check(QueueWithAcd, { name: 'q', callbackKey: '**' }), 'one key only');
  t.notOk(Value.Check(QueueWithAcd, { name: 'q', exits: { maxWait: { type: 'voicemail' } } }), 'voicemail needs a box');
  t.notOk(Value.Check(QueueWithAcd, { name: 'q', escalation: [{ afterSeconds: 0, skills: {} }] }), 'escalation after at least 1 s');
  t.notOk(Value.Check(AcdSettingsSchema, { breakReasons: [] }), 'at least one break reason');
});

t.test('a bare queue and agent get the defaults', async (t) => {
  const def = queueFromConfig({ name: 'sales' });
  t.same([def.strategy, def.ringTimeoutSeconds, def.joinEmpty, def.exits, def.escalation], ['longest-idle', 20, true, {}, []]);
  t.same(agentFromConfig({ login: 'ann', name: 'Ann', queues: [{ queue: 'sales' }] }), {
    login: 'ann', name: 'Ann', device: { type: 'softphone' }, skills: {}, queues: [{ queue: 'sales', penalty: 0 }],
  });
});
