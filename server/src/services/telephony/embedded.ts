// The embedded engine as the telephony service builds it: Tenor's own SIP/RTP
// stack in this process, listening on sip.bind/sip.port and the rtp range.

import type { Logger } from 'pino';
import { EmbeddedDriver, type EmbeddedDriverConfig } from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import type { SipCredentialsService } from '../sip-credentials/index.js';
import { engineTrunk } from '../trunks/index.js';
import { credentialsFrom } from './credentials.js';

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

export function createEmbeddedDriver(config: TenorConfig, devices: SipCredentialsService, logger: Logger): EmbeddedDriver {
  return new EmbeddedDriver({
    bindAddress: config.sip.bind,
    publicAddress: config.sip.publicAddress,
    sipPort: config.sip.port,
    rtpPorts: { min: config.rtp.portMin, max: config.rtp.portMax },
    domain: devices.realm,
    digestAlgorithms: config.sip.digestAlgorithms,
    credentials: credentialsFrom(devices),
    ...engineLimits(config.sip.limits),
    // The site file's trunks; the trunks service then applies those edited through the API.
    trunks: config.site.trunks.map(engineTrunk),
    logger,
  });
}
