// SIP device secrets for test sites. Phones register with a device secret of
// their own, never with the web password (docs/access.md): test sites give
// every agent softphone one through the site file, supervisors through the
// SIP credentials service, and phones register with the same deterministic value.
//
// The test phones are older phones as far as digest goes: baresip 1.0.0 gives up
// ("Function not implemented") and SIPp 3.6 answers only MD5 when the registrar
// offers SHA-256 first (the default). So their devices are marked MD5 only, as an
// admin marks an older phone; they then register at once instead of on their retry.
// A site that sets a device's digest itself (to test the default) keeps it.

import type { ServiceManager } from '../src/core/service-manager.js';
import '../src/services/sip-credentials/service.js';

/** The digest choice test phones get: they cannot answer SHA-256 (see above). */
export const TEST_PHONE_DIGEST = 'md5';

/** The device secret a test site gives `user`'s softphone (at least 16 characters, unlike any test web password). */
export function deviceSecret(user: string): string {
  return `${user}-sip-device-secret`;
}

/**
 * The site with a device secret (deviceSecret(login)) on every agent's SIP device that has none:
 * softphones, and persistent lines that call the softphone; and MD5 only (TEST_PHONE_DIGEST) on those
 * that choose no digest. Devices reached through a trunk are left as they are.
 */
export function withDeviceSecrets<T extends Record<string, unknown>>(site: T): T {
  const agents = site['agents'];
  if (!Array.isArray(agents)) return site;
  const withSecret = (agent: Record<string, unknown>): Record<string, unknown> => {
    const login = String(agent['login']);
    const device = (agent['device'] ?? { type: 'softphone' }) as Record<string, unknown>;
    const registers = device['type'] === 'softphone' || (device['type'] === 'persistent' && device['number'] === undefined);
    if (!registers) return agent;
    return { ...agent, device: { secret: deviceSecret(login), digest: TEST_PHONE_DIGEST, ...device } };
  };
  return { ...site, agents: (agents as Record<string, unknown>[]).map(withSecret) };
}

/** Give a user's softphone (a supervisor's, for monitoring) its device secret, MD5 only like every test phone, as an admin would through the API. */
export async function giveUserDeviceSecret(services: ServiceManager, username: string): Promise<string> {
  return services.get('sipCredentials').setSecret({ kind: 'user', name: username }, username, deviceSecret(username), TEST_PHONE_DIGEST);
}
