// How the engine checks a certificate when it opens a TLS connection (to a trunk):
// against the trunk's own `ca` when it has one, else the system's CAs, always for
// the name the trunk was configured with. Never without verification.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { SipEndpoint } from '../sip/message.js';
import type { TrunkConfig } from './trunks.js';

export function tlsClientOptions(trunks: readonly TrunkConfig[], destination: SipEndpoint): ConnectionOptions {
  const trunk = trunks.find((t) => t.transport === 'tls' && t.host === destination.address && t.port === destination.port);
  return {
    rejectUnauthorized: true,
    ...(trunk?.ca !== undefined ? { ca: trunk.ca } : {}),
    ...(isIP(destination.address) === 0 ? { servername: destination.address } : {}),
  };
}
