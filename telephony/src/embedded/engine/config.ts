// Configuration of the embedded engine, with its defaults in one place.
import type { Logger } from 'pino';
import type { Prompt } from '../../driver.js';
import type { CredentialStore } from '../registrar/credentials.js';
import type { DigestAlgorithm } from '../registrar/digest.js';
import type { SipTimerConfig } from '../sip/timers.js';
import type { TrunkConfig } from './trunks.js';

export interface EmbeddedDriverConfig {
  /** Address the SIP and RTP sockets bind to. Default 127.0.0.1. */
  bindAddress?: string;
  /** Address written into Contact, Via and SDP (the one phones and trunks can reach). Default: bindAddress. */
  publicAddress?: string;
  /** SIP port for UDP and TCP; 0 picks a free one (read it back from `sipPort`). Default 5060. */
  sipPort?: number;
  /** RTP ports, even ports used, each with its odd RTCP port reserved. Default 20000-20999. */
  rtpPorts?: { min: number; max: number };
  /** SIP domain / digest realm of the registrar. Default: publicAddress. */
  domain?: string;
  /** Digest algorithms the registrar offers, in order. Default ['MD5']: what deployed phones understand. */
  digestAlgorithms?: readonly DigestAlgorithm[];
  /** Users of registered softphones. Without it, REGISTER is answered 403. */
  credentials?: CredentialStore;
  trunks?: TrunkConfig[];
  /** Calls to this number are answered and their audio echoed back, inside the engine. Default '9196'; '' turns it off. */
  echoNumber?: string;
  /** Hang up an answered call after this long without RTP. Default 60 000 ms; 0 never. */
  mediaTimeoutMs?: number;
  /** Default ring timeout for originate. Default 60 000 ms. */
  originateTimeoutMs?: number;
  /** Where named prompts are found (PromptLibrary dir). Default: telephony/prompts. */
  promptsDir?: string;
  /** Music on hold when hold() is given none. */
  holdMusic?: Prompt;
  /** Registrar expiry bounds, seconds. */
  registerMinExpires?: number;
  registerMaxExpires?: number;
  /** SIP timer T1 etc., mainly for tests. */
  sipTimers?: Partial<SipTimerConfig>;
  /** Requests per source before rate limiting kicks in; failed authentications before a ban. */
  rateLimit?: { maxRequests?: number; maxAuthFailures?: number; exempt?: string[] };
  userAgent?: string;
  logger: Logger;
}

export interface ResolvedConfig extends Required<Omit<EmbeddedDriverConfig,
  'credentials' | 'promptsDir' | 'holdMusic' | 'sipTimers' | 'rateLimit' | 'publicAddress' | 'domain' | 'digestAlgorithms'>> {
  digestAlgorithms: readonly DigestAlgorithm[] | undefined;
  publicAddress: string;
  domain: string;
  credentials: CredentialStore | undefined;
  promptsDir: string | undefined;
  holdMusic: Prompt | undefined;
  sipTimers: Partial<SipTimerConfig>;
  rateLimit: { maxRequests?: number; maxAuthFailures?: number; exempt?: string[] };
}

export function resolveConfig(config: EmbeddedDriverConfig): ResolvedConfig {
  const bindAddress = config.bindAddress ?? '127.0.0.1';
  const publicAddress = config.publicAddress ?? bindAddress;
  const rtpPorts = config.rtpPorts ?? { min: 20000, max: 20999 };
  if (rtpPorts.max - rtpPorts.min < 2) throw new RangeError(`RTP port range ${rtpPorts.min}-${rtpPorts.max} is too small`);
  const trunks = config.trunks ?? [];
  // Trunk traffic is never rate limited: a carrier sends many calls from one address.
  const trunkAddresses = trunks.flatMap((t) => t.inboundAddresses ?? [t.host]);
  return {
    bindAddress,
    publicAddress,
    sipPort: config.sipPort ?? 5060,
    rtpPorts,
    domain: config.domain ?? publicAddress,
    credentials: config.credentials,
    digestAlgorithms: config.digestAlgorithms,
    trunks,
    echoNumber: config.echoNumber ?? '9196',
    mediaTimeoutMs: config.mediaTimeoutMs ?? 60_000,
    originateTimeoutMs: config.originateTimeoutMs ?? 60_000,
    promptsDir: config.promptsDir,
    holdMusic: config.holdMusic,
    registerMinExpires: config.registerMinExpires ?? 60,
    registerMaxExpires: config.registerMaxExpires ?? 3600,
    sipTimers: config.sipTimers ?? {},
    rateLimit: { ...config.rateLimit, exempt: [...(config.rateLimit?.exempt ?? []), ...trunkAddresses] },
    userAgent: config.userAgent ?? 'Tenor',
    logger: config.logger,
  };
}
