// People at their desks asking for agent states over the API, as the web client
// does: signed in once (session cookie and CSRF token), then POST
// /api/agents/:login/state. Used by the "busy agent" tests over SIP.

import type { Test } from 'tap';
import type { TenorApp } from '../../src/http/app.js';
import { ADMIN_AUTH } from '../helpers.js';

export interface StateAnswer {
  status: number;
  body: { state?: string; reason?: string; pending?: { state: string; reason: string } | null; error?: { code: string; message: string; details?: { state?: string; requested?: string } } };
}

export interface Desk {
  state(login: string, body: { state: 'ready' | 'break' | 'logged-out'; reason?: string }): Promise<StateAnswer>;
}

/** Sign `username` in (a web session) and return their desk. */
export async function signIn(app: TenorApp, username: string, password: string): Promise<Desk> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login of ${username}: ${res.statusCode} ${res.body}`);
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const { csrfToken } = JSON.parse(res.body) as { csrfToken: string };
  return {
    async state(login, body) {
      const r = await app.inject({ method: 'POST', url: `/api/agents/${login}/state`, headers: { cookie, 'x-csrf-token': csrfToken }, payload: body });
      return { status: r.statusCode, body: JSON.parse(r.body) as StateAnswer['body'] };
    },
  };
}

/** Create supervisor `sue` through the admin API and sign her in. */
export async function supervisorDesk(app: TenorApp): Promise<Desk> {
  const password = 'sue-password-long';
  const res = await app.inject({ method: 'PUT', url: '/api/users/sue', headers: ADMIN_AUTH, payload: { role: 'supervisor', password } });
  if (res.statusCode !== 200) throw new Error(`creating sue: ${res.statusCode} ${res.body}`);
  return signIn(app, 'sue', password);
}

/** The agent's own ready and break are refused with TENOR_ERR_AGENT_BUSY naming `blocking`. */
export async function ownChangesRefused(t: Test, desk: Desk, login: string, blocking: string): Promise<void> {
  t.match(await desk.state(login, { state: 'ready' }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY', details: { state: blocking, requested: 'ready' } } } },
    `${login}'s own ready is refused while ${blocking}`);
  t.match(await desk.state(login, { state: 'break', reason: 'coffee' }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY', details: { state: blocking, requested: 'break' } } } },
    `${login}'s own break is refused while ${blocking}`);
}
