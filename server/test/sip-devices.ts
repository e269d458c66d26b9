// SIP device secrets for test sites. Phones register with a device secret of
// their own, never with the web password (docs/access.md): test sites give
// every agent softphone one through the site file, supervisors through the
// SIP credentials service, and phones register with the same deterministic value.

import type { ServiceManager } from '../src/core/service-manager.js';
import '../src/services/sip-credentials/service.js';

/** The device secret a test site gives `user`'s softphone (at least 16 characters, unlike any test web password). */
export function deviceSecret(user: string): string {
  return `${user}-sip-device-secret`;
}

/**
 * The site with a device secret (deviceSecret(login)) on every agent's SIP device that has none:
 * softphones, and persistent lines that call the softphone. Devices reached through a trunk are left as they are.
 */
export function withDeviceSecrets<T extends Record<string, unknown>>(site: T): T {
  const agents = site['agents'];
  if (!Array.isArray(agents)) return site;
  const withSecret = (agent: Record<string, unknown>): Record<string, unknown> => {
    const login = String(agent['login']);
    const device = (agent['device'] ?? { type: 'softphone' }) as Record<string, unknown>;
    const registers = device['type'] === 'softphone' || (device['type'] === 'persistent' && device['number'] === undefined);
    if (!registers || device['secret'] !== undefined) return agent;
    return { ...agent, device: { ...device, secret: deviceSecret(login) } };
  };
  return { ...site, agents: (agents as Record<string, unknown>[]).map(withSecret) };
}

/** Give a user's softphone (a supervisor's, for monitoring) its device secret, as an admin would through the API. */
export async function giveUserDeviceSecret(services: ServiceManager, username: string): Promise<string> {
  return services.get('sipCredentials').setSecret({ kind: 'user', name: username }, username, deviceSecret(username));
}
