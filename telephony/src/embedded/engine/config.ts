// Configuration of the embedded engine, with its defaults in one place.
import type { Logger } from 'pino';
import type { Prompt } from '../../driver.js';
import type { CredentialStore } from '../registrar/credentials.js';
import type { DigestAlgorithm } from '../registrar/digest.js';
import type { SipTimerConfig } from '../sip/timers.js';
import type { CallLimits } from './admission.js';
import type { MediaPath } from './media-path.js';
import type { TrunkConfig } from './trunks.js';

export interface EmbeddedDriverConfig {
  /** Address the SIP and RTP sockets bind to. Default 127.0.0.1. */
  bindAddress?: string;
  /** Address written into Contact, Via and SDP (the one phones and trunks can reach). Default: bindAddress. */
  publicAddress?: string;
  /** SIP port for UDP and TCP; 0 picks a free one (read it back from `sipPort`). Default 5060. */
  sipPort?: number;
  /**
   * SIP over TLS (RFC 3261 §26): the port (0 picks a free one, read back from `sipTlsPort`)
   * and the certificate chain and private key, PEM. No TLS listener without it.
   */
  tls?: { port: number; cert: string; key: string };
  /**
   * "Require encryption": true for every device, or a test per SIP user (a device's own
   * setting). Such a user's REGISTER or INVITE over UDP/TCP is refused 403, and an INVITE
   * whose offer has no SRTP gets 488.
   */
  requireEncryption?: boolean | ((user: string) => boolean);
  /**
   * NAT keep-alive: OPTIONS to every device registered over UDP every `intervalMs`
   * (default 30 000); after `maxMissed` (default 3) unanswered in a row its binding is
   * removed. false turns it off.
   */
  natKeepAlive?: { intervalMs?: number; maxMissed?: number } | false;
  /** RTP ports, even ports used, each with its odd RTCP port reserved. Default 20000-20999. */
  rtpPorts?: { min: number; max: number };
  /** SIP domain / digest realm of the registrar. Default: publicAddress. */
  domain?: string;
  /**
   * Digest algorithms the registrar offers, in order. Default ['MD5']. ['SHA-256', 'MD5'] offers
   * SHA-256 first (RFC 8760); a phone that cannot answer it is offered MD5 alone on its retry
   * (registrar/algorithm-fallback.ts).
   */
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
  /** A call signalled over a WebSocket that closed ends with 'line-lost' after this long. Default 3000 ms. */
  lineLostGraceMs?: number;
  /** Where named prompts are found (PromptLibrary dir). Default: telephony/prompts. */
  promptsDir?: string;
  /** Music on hold when hold() is given none. */
  holdMusic?: Prompt;
  /** Registrar expiry bounds, seconds. */
  registerMinExpires?: number;
  registerMaxExpires?: number;
  /** SIP timer T1 etc., mainly for tests. */
  sipTimers?: Partial<SipTimerConfig>;
  /**
   * Requests per source (per 2 s) before the source is banned; failed
   * authentications per source before a ban; requests per trunk address per
   * 2 s (over it they are dropped, a trunk is never banned); addresses never
   * limited at all. Trunks' addresses get trunkMaxRequests, not exemption.
   */
  rateLimit?: RateLimitSettings;
  /** Caps on incoming calls per source address and in total (engine/admission.ts has the defaults). */
  callLimits?: Partial<CallLimits>;
  /**
   * Failed SIP authentications per username, from any address, before that
   * username is refused for a while (doubling while failures go on).
   */
  userAuthLimit?: { maxFailures?: number; windowMs?: number; lockMs?: number; maxLockMs?: number };
  userAgent?: string;
  /**
   * Devices (registered users) whose calls may take direct media: true for every device, or a
   * test per SIP user (the device's own setting). A bridge goes direct only when both its legs
   * allow it (a trunk's own `directMedia`). Default false.
   */
  directMedia?: boolean | ((user: string) => boolean);
  /**
   * An external relay (rtpengine) that bridges needing no media work go through when they
   * cannot go direct. Default none: such bridges stay on Tenor's own relay.
   */
  mediaRelay?: MediaPath;
  logger: Logger;
}

export interface RateLimitSettings {
  maxRequests?: number;
  maxAuthFailures?: number;
  trunkMaxRequests?: number;
  exempt?: string[];
}

export interface ResolvedConfig extends Required<Omit<EmbeddedDriverConfig,
  'credentials' | 'promptsDir' | 'holdMusic' | 'sipTimers' | 'rateLimit' | 'publicAddress' | 'domain' | 'digestAlgorithms'
  | 'callLimits' | 'userAuthLimit' | 'tls' | 'requireEncryption' | 'natKeepAlive' | 'directMedia' | 'mediaRelay'>> {
  directMedia: (user: string) => boolean;
  mediaRelay: MediaPath | undefined;
  tls: { port: number; cert: string; key: string } | undefined;
  requireEncryption: (user: string) => boolean;
  natKeepAlive: { intervalMs: number; maxMissed: number } | false;
  digestAlgorithms: readonly DigestAlgorithm[] | undefined;
  publicAddress: string;
  domain: string;
  credentials: CredentialStore | undefined;
  promptsDir: string | undefined;
  holdMusic: Prompt | undefined;
  sipTimers: Partial<SipTimerConfig>;
  rateLimit: RateLimitSettings;
  callLimits: Partial<CallLimits>;
  userAuthLimit: { maxFailures?: number; windowMs?: number; lockMs?: number; maxLockMs?: number };
}

export function resolveConfig(config: EmbeddedDriverConfig): ResolvedConfig {
  const bindAddress = config.bindAddress ?? '127.0.0.1';
  const publicAddress = config.publicAddress ?? bindAddress;
  const rtpPorts = config.rtpPorts ?? { min: 20000, max: 20999 };
  if (rtpPorts.max - rtpPorts.min < 2) throw new RangeError(`RTP port range ${rtpPorts.min}-${rtpPorts.max} is too small`);
  const trunks = config.trunks ?? [];
  return {
    bindAddress,
    publicAddress,
    sipPort: config.sipPort ?? 5060,
    tls: config.tls,
    requireEncryption: requireEncryptionTest(config.requireEncryption),
    directMedia: perUserTest(config.directMedia),
    mediaRelay: config.mediaRelay,
    natKeepAlive: config.natKeepAlive === false ? false
      : { intervalMs: config.natKeepAlive?.intervalMs ?? 30_000, maxMissed: config.natKeepAlive?.maxMissed ?? 3 },
    rtpPorts,
    domain: config.domain ?? publicAddress,
    credentials: config.credentials,
    digestAlgorithms: config.digestAlgorithms,
    trunks,
    echoNumber: config.echoNumber ?? '9196',
    mediaTimeoutMs: config.mediaTimeoutMs ?? 60_000,
    originateTimeoutMs: config.originateTimeoutMs ?? 60_000,
    lineLostGraceMs: config.lineLostGraceMs ?? 3000,
    promptsDir: config.promptsDir,
    holdMusic: config.holdMusic,
    registerMinExpires: config.registerMinExpires ?? 60,
    registerMaxExpires: config.registerMaxExpires ?? 3600,
    sipTimers: config.sipTimers ?? {},
    rateLimit: { ...config.rateLimit, exempt: [...(config.rateLimit?.exempt ?? [])] },
    callLimits: config.callLimits ?? {},
    userAuthLimit: config.userAuthLimit ?? {},
    userAgent: config.userAgent ?? 'Tenor',
    logger: config.logger,
  };
}

function requireEncryptionTest(setting: EmbeddedDriverConfig['requireEncryption']): (user: string) => boolean {
  return perUserTest(setting);
}

/** A per-user setting given as one boolean for everyone or as a test per SIP user. */
function perUserTest(setting: boolean | ((user: string) => boolean) | undefined): (user: string) => boolean {
  if (typeof setting === 'function') return setting;
  const all = setting === true;
  return () => all;
}
