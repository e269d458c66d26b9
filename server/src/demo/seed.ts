// `tenor start --demo` seeds a small demo site once: a supervisor and three
// agents. Each later component adds what it contributes to the demo here.

import type { ServiceManager } from '../core/service-manager.js';
import { isTenorError } from '../core/errors.js';

export const DEMO_PASSWORD = 'demo';

export interface DemoSummary {
  users: string[];
}

export async function seedDemo(services: ServiceManager): Promise<DemoSummary> {
  const users = services.get('users');
  const people = [
    { username: 'sam', displayName: 'Sam Supervisor', role: 'supervisor' as const },
    { username: 'alice', displayName: 'Alice Agent', role: 'agent' as const },
    { username: 'bob', displayName: 'Bob Agent', role: 'agent' as const },
    { username: 'carol', displayName: 'Carol Agent', role: 'agent' as const },
  ];
  for (const person of people) {
    try {
      await users.create({ ...person, password: DEMO_PASSWORD });
    } catch (err) {
      if (!isTenorError(err, 'TENOR_ERR_USER_EXISTS')) throw err;
    }
  }
  return { users: people.map((p) => `${p.username} (${p.role})`) };
}
