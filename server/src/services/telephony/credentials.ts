// Tenor's SIP device secrets as an engine's credential store: whichever engine
// authenticates the phones (the embedded registrar, or FreeSWITCH through
// Tenor's xml-curl directory) asks the SIP credentials service the same way.

import type { CredentialStore } from '@tenor/telephony';
import type { SipCredentialsService } from '../sip-credentials/index.js';

/**
 * Phones register with their device secret, never a web password: the registrar checks digest
 * material from the SIP credentials service, which has none for a name without a device (admin's included).
 */
export function credentialsFrom(devices: SipCredentialsService): CredentialStore {
  return {
    async lookup(user) {
      const material = devices.lookup(user);
      // A device marked 'md5' (an older phone that gives up when offered SHA-256) is offered MD5 alone.
      return material && { passwordHash: material, ...(devices.digest(user) === 'md5' ? { algorithms: ['MD5'] as const } : {}) };
    },
  };
}
