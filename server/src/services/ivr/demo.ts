// What the IVR adds to `tenor start --demo`: the queues the demo flow sends
// callers to (sales, support, with the demo agents in them), the demo main flow
// (server/flows/demo-main.yaml: welcome, office hours, 1 sales, 2 support,
// 3 message), and an entry number that runs it. Nothing an admin changed is
// overwritten: a queue, an agent or a flow that already exists is left alone.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ServiceManager } from '../../core/service-manager.js';
import { queueFromConfig } from '../acd/index.js';
import '../entry-numbers/index.js';
import './service.js';

/** The number to dial for the demo flow: sip:100@<tenor>. */
export const DEMO_FLOW_NUMBER = '100';
export const DEMO_QUEUES = ['sales', 'support'] as const;
const DEMO_AGENTS = [
  { login: 'alice', name: 'Alice Agent', queues: ['sales', 'support'] },
  { login: 'bob', name: 'Bob Agent', queues: ['sales'] },
  { login: 'carol', name: 'Carol Agent', queues: ['support'] },
];

/** server/flows/demo-main.yaml, from src/ or dist/ alike. */
export const DEMO_FLOW_FILE = fileURLToPath(new URL('../../../flows/demo-main.yaml', import.meta.url));

/**
 * Seed the IVR demo; resolves with one line for the start banner. A demo flow
 * that cannot go live (say, a voicemail box the site lacks) is reported there
 * with the checker's problems rather than stopping the server.
 */
export async function seedIvrDemo(services: ServiceManager): Promise<string> {
  try {
    const { flow, version } = await seed(services);
    return `dial ${DEMO_FLOW_NUMBER} for flow '${flow}' v${version} (queues ${DEMO_QUEUES.join(', ')})`;
  } catch (err) {
    return `demo flow not live: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function seed(services: ServiceManager): Promise<{ flow: string; version: number }> {
  const acd = services.get('acd');
  for (const name of DEMO_QUEUES) {
    if (!acd.queue(name)) await acd.saveQueue(queueFromConfig({ name, joinEmpty: true }));
  }
  for (const a of DEMO_AGENTS) {
    if (acd.agent(a.login)) continue;
    await acd.saveAgent({ login: a.login, name: a.name, device: { type: 'softphone' }, skills: {}, queues: a.queues.map((queue) => ({ queue, penalty: 0 })) });
  }
  const ivr = services.get('ivr');
  const source = await readFile(DEMO_FLOW_FILE, 'utf8');
  // The flow's own name, so the save matches it; an admin's later version of it is kept.
  const name = /^name:\s*["']?([A-Za-z0-9][A-Za-z0-9_.-]*)/m.exec(source)?.[1] ?? 'demo-main';
  const flow = ivr.flow(name) ?? (await ivr.save(name, source, 'demo')).flow;
  // Through the entry-numbers service, so the number is listed and kept like one an admin set.
  const entry = { number: DEMO_FLOW_NUMBER, flow: name };
  await services.get('entryNumbers').save(entry);
  return { flow: flow.name, version: flow.version };
}
