// A supervisor's forced break or logout, asked during a call, survives a crash: the real
// `tenor start` process, two agents on baresip phones, each connected to a SIPp caller;
// supervisor sue forces ann on a break ("training") and logs bob out, both pending until
// their calls end; the process is killed (SIGKILL) with the calls up and started again on
// the same data folder: ann is on her training break and bob logged out, as the end of
// their calls would have left them, and the state log says so.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startTenorProcess, type TenorProcess } from '../e2e/tenor-process.js';
import { tempDir } from '../helpers.js';
import { withDeviceSecrets } from '../sip-devices.js';
import { agentPhone, caller, sleep, within } from './site.js';

const ADMIN = { authorization: 'Basic ' + Buffer.from('admin:pw-admin-secret').toString('base64') };

interface AgentAnswer { state: string; reason: string; pending: { state: string; reason: string } | null }

async function api<T>(tenor: TenorProcess, method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${tenor.httpPort}${url}`, {
    method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Sign a user in (a web session, as the supervisor's browser does): the headers of their requests. */
async function session(tenor: TenorProcess, username: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`http://127.0.0.1:${tenor.httpPort}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login of ${username}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-csrf-token': csrfToken };
}

async function untilState(tenor: TenorProcess, login: string, state: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const view = await api<AgentAnswer>(tenor, 'GET', `/api/agents/${login}`, ADMIN);
    if (view.body.state === state) return;
    if (Date.now() > until) throw new Error(`${login} not ${state} after ${timeoutMs} ms (is ${view.body.state})`);
    await sleep(200);
  }
}

t.test('a forced break and a forced logout pending during calls are taken after a kill -9 and a restart', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-forced-restart-');
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, JSON.stringify(withDeviceSecrets({
    queues: [{ name: 'sales', wrapUpSeconds: 30 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'sales' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  })));
  const env = { TENOR_CONFIG: site, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_ADMIN_PASSWORD: 'pw-admin-secret' };
  const first = await startTenorProcess(t, { env });
  await agentPhone(t, first, 'ann');
  await agentPhone(t, first, 'bob');
  for (const login of ['ann', 'bob']) t.equal((await api<AgentAnswer>(first, 'POST', `/api/agents/${login}/state`, ADMIN, { state: 'ready' })).body.state, 'ready', `${login} logs in ready`);
  t.equal((await api(first, 'PUT', '/api/users/sue', ADMIN, { role: 'supervisor', password: 'sue-password-long' })).status, 200, 'supervisor sue exists');
  const sue = await session(first, 'sue', 'sue-password-long');

  // Both callers would stay two minutes: the crash comes first.
  await caller(t, first, { number: '+15550100', caller: '+31201110001', stayMs: 120_000 });
  await caller(t, first, { number: '+15550100', caller: '+31201110002', stayMs: 120_000 });
  await untilState(first, 'ann', 'on-call', 30_000);
  await untilState(first, 'bob', 'on-call', 30_000);

  const forcedBreak = await api<AgentAnswer>(first, 'POST', '/api/agents/ann/state', sue, { state: 'break', reason: 'training' });
  t.match(forcedBreak, { status: 200, body: { state: 'on-call', pending: { state: 'break', reason: 'training' } } }, "sue's break for ann is pending during her call");
  const forcedLogout = await api<AgentAnswer>(first, 'POST', '/api/agents/bob/state', sue, { state: 'logged-out', reason: 'end of shift' });
  t.match(forcedLogout, { status: 200, body: { state: 'on-call', pending: { state: 'logged-out', reason: 'end of shift' } } }, "sue's logout of bob is pending during his call");

  // The answers above came once the requests were saved: a crash right after them keeps them.
  first.child.kill('SIGKILL');
  await within(first.exited, 10_000, 'the killed server to exit');

  const second = await startTenorProcess(t, { env });
  const ann = await api<AgentAnswer>(second, 'GET', '/api/agents/ann', ADMIN);
  t.match(ann.body, { state: 'break', reason: 'training', pending: null }, 'after the restart ann is on the break sue gave her, with its reason');
  const bob = await api<AgentAnswer>(second, 'GET', '/api/agents/bob', ADMIN);
  t.match(bob.body, { state: 'logged-out', reason: 'end of shift', pending: null }, 'and bob is logged out, with the reason sue gave');
  const log = await api<{ from: string; to: string; reason: string }[]>(second, 'GET', '/api/agents/ann/log', ADMIN);
  t.match(log.body.at(-1), { from: 'on-call', to: 'break', reason: 'training' }, "ann's state log shows the break taken from the call the crash ended");

});
