// A whole Tenor app in process with a site file of two queues, agents ann and
// bob, supervisor sue, and recordings seeded straight into the recordings'
// table (no SIP: test/recordings-sip proves the recording itself).

import type { Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/services/index.js';
import { startTestApp, tempDir } from '../helpers.js';

export const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
export const ADMIN = basic('admin', 'pw-admin-secret');
export const ANN = basic('ann', 'ann-web-password');
export const BOB = basic('bob', 'bob-web-password');
export const SUE = basic('sue', 'sue-web-password');

export const STANDARD_SCORECARD = `
quality:
  scorecards:
    - name: standard
      title: Standard call review
      queues: [sales, support]
      criteria:
        - { id: greeting, label: Greeted the customer by name, weight: 10, kind: yes-no }
        - { id: resolution, label: Resolved the issue, weight: 30, kind: scale, max: 5 }
        - { id: upsell, label: Offered the upgrade, weight: 20, kind: yes-no, allowNa: true }
`;

export function siteFile(extra: string): string {
  return `
queues:
  - name: sales
  - name: support
agents:
  - login: ann
    name: Ann
    password: ann-web-password
    queues: [{ queue: sales }, { queue: support }]
  - login: bob
    name: Bob
    password: bob-web-password
    queues: [{ queue: sales }, { queue: support }]
${extra}`;
}

/** The config of a site file in a new folder (loadConfig throws on a bad file). */
export function configOf(t: Test, yaml: string) {
  const dir = tempDir(t, 'tenor-quality-');
  const file = path.join(dir, 'tenor.yaml');
  writeFileSync(file, yaml);
  return loadConfig({
    TENOR_CONFIG: file, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_ADMIN_PASSWORD: 'pw-admin-secret', TENOR_BIND: '127.0.0.1',
    TENOR_HTTP_PORT: '0', TENOR_SIP_PORT: '0', TENOR_LOG_LEVEL: 'silent',
  }, dir);
}

export async function startQualityApp(t: Test, yaml: string) {
  const { app, services, config } = await startTestApp(t, { config: configOf(t, yaml) });
  await services.get('users').create({ username: 'sue', password: 'sue-web-password', role: 'supervisor' });
  const as = (auth: string) => {
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
      app.inject({ method, url, headers: { authorization: auth, ...headers }, ...(payload !== undefined ? { payload } : {}) });
    return {
      get: (url: string, headers?: Record<string, string>) => call('GET', url, undefined, headers),
      post: (url: string, payload: object) => call('POST', url, payload),
      put: (url: string, payload: object) => call('PUT', url, payload),
      delete: (url: string) => call('DELETE', url),
    };
  };
  /** A stored recording of a call `agent` answered in `queue`, started at `startedAt`. */
  const seedRecording = async (agent: string, queue: string | null, startedAt: string, customerId: string | null = null): Promise<string> => {
    const repo = services.get('recordings').repo;
    const id = randomUUID();
    await repo.insert({ id, callId: `call-${id}@test`, queue, campaign: null, agent, customerId, startedAt, state: 'recording' });
    await repo.addMarker(id, { atMs: 0, kind: 'agent', by: null, reason: null, detail: agent });
    await repo.finish(id, { endedAt: new Date(Date.parse(startedAt) + 60_000).toISOString(), durationMs: 60_000, path: null, keyId: null, bytes: null, state: 'stored', retainUntil: null });
    return id;
  };
  return { app, services, config, as, seedRecording };
}
