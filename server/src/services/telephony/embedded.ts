// The embedded engine as the telephony service builds it: Tenor's own SIP/RTP
// stack in this process, listening on sip.bind/sip.port and the rtp range.

import type { Logger } from 'pino';
import { EmbeddedDriver, type EmbeddedDriverConfig, type MediaPath } from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import type { SipCredentialsService } from '../sip-credentials/index.js';
import { engineTrunk } from '../trunks/index.js';
import { credentialsFrom } from './credentials.js';
import type { SipTlsMaterial } from './sip-tls.js';

/** The site's sip.limits in the engine's terms (what the file leaves out keeps the engine's default). */
export function engineLimits(limits: TenorConfig['sip']['limits']): Pick<EmbeddedDriverConfig, 'callLimits' | 'rateLimit' | 'userAuthLimit'> {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const seconds = (s: number | undefined): number | undefined => (s === undefined ? undefined : s * 1000);
  return {
    callLimits: defined({
      maxUnansweredPerSource: limits.unansweredCallsPerAddress,
      maxCallsPerSource: limits.callsPerAddress,
      maxCalls: limits.calls,
      trunkMaxUnansweredPerSource: limits.trunkUnansweredCallsPerAddress,
      trunkMaxCallsPerSource: limits.trunkCallsPerAddress,
    }),
    rateLimit: defined({
      maxRequests: limits.requestsPerAddress,
      trunkMaxRequests: limits.trunkRequestsPerAddress,
      maxAuthFailures: limits.authFailuresPerAddress,
    }),
    userAuthLimit: defined({
      maxFailures: limits.authFailuresPerUser,
      lockMs: seconds(limits.userLockSeconds),
      maxLockMs: seconds(limits.userLockMaxSeconds),
    }),
  };
}

/** Site-file devices that must use TLS and SRTP, or every device when the site says so. */
function encryptionRequired(config: TenorConfig): (user: string) => boolean {
  if (config.sip.requireEncryption) return () => true;
  const users = new Set(config.site.agents.filter((a) => a.device && 'requireEncryption' in a.device && a.device.requireEncryption === true).map((a) => a.login));
  return (user) => users.has(user);
}

/** Site-file devices whose calls may take direct media (device.directMedia; default off). */
export function directMediaDevices(config: TenorConfig): (user: string) => boolean {
  const users = new Set(config.site.agents.filter((a) => a.device && 'directMedia' in a.device && a.device.directMedia === true).map((a) => a.login));
  return (user) => users.has(user);
}

export function createEmbeddedDriver(
  config: TenorConfig, devices: SipCredentialsService, logger: Logger, tls?: SipTlsMaterial, mediaRelay?: MediaPath,
): EmbeddedDriver {
  const keepAlive = config.sip.natKeepAlive;
  return new EmbeddedDriver({
    bindAddress: config.sip.bind,
    publicAddress: config.sip.publicAddress,
    sipPort: config.sip.port,
    rtpPorts: { min: config.rtp.portMin, max: config.rtp.portMax },
    domain: devices.realm,
    digestAlgorithms: config.sip.digestAlgorithms,
    credentials: credentialsFrom(devices),
    ...(tls ? { tls: { port: tls.port, cert: tls.cert, key: tls.key } } : {}),
    requireEncryption: encryptionRequired(config),
    directMedia: directMediaDevices(config),
    natKeepAlive: keepAlive.intervalSeconds > 0 ? { intervalMs: keepAlive.intervalSeconds * 1000, maxMissed: keepAlive.maxMissed } : false,
    ...engineLimits(config.sip.limits),
    // The site file's trunks; the trunks service then applies those edited through the API.
    trunks: config.site.trunks.map(engineTrunk),
    // rtp.relay (media-relay.ts): bridges that need no media work and cannot go direct go through it.
    ...(mediaRelay ? { mediaRelay } : {}),
    logger,
  });
}
