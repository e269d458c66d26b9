// EmbeddedDriver: the telephony driver contract over Tenor's own SIP stack and
// RTP media. A back-to-back user agent: every call is a SIP dialog plus a media
// leg; calls are joined by bridging their media, never by proxying SIP.
//
// The driver starts and stops the engine and joins calls; the work is done by
// its parts: InboundCalls (incoming INVITEs), Originator (outbound calls),
// SipRequests (requests within a dialog, REGISTER), EchoTests, MediaLegs (RTP
// ports and legs), CallRegistry (calls in progress) and TrunkSet (trunks and
// registrations to them).
import { EventEmitter } from 'node:events';
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type {
  Bridge, Call, DialTarget, DriverEvents, DriverStats, Monitor, MonitorMode, OriginateOptions, Prompt,
  SipWebSocketPeer, SipWebSocketSink, TelephonyDriver,
} from '../../driver.js';
import { MediaBridge } from '../media/bridge.js';
import { Registrar } from '../registrar/registrar.js';
import { SipCounters } from '../sip/counters.js';
import { SipStack } from '../sip/stack.js';
import { CallAdmission } from './admission.js';
import { EmbeddedBridge, EmbeddedMonitor } from './bridges.js';
import { CallRegistry } from './call-registry.js';
import { callSettings } from './call-settings.js';
import { resolveConfig, type EmbeddedDriverConfig, type ResolvedConfig } from './config.js';
import { EchoTests } from './echo-tests.js';
import { EngineState } from './engine-state.js';
import { InboundCalls } from './inbound-calls.js';
import { LineLoss } from './line-lost.js';
import { MediaReanchor } from './media-reanchor.js';
import { MediaLegs } from './media-legs.js';
import { createMediaOps } from './media-ops.js';
import { Originator } from './originator.js';
import { SipRequests } from './sip-requests.js';
import { TrunkSet } from './trunk-set.js';
import { tlsClientOptions } from './tls-client.js';
import { NatKeepAlive } from './nat-keepalive.js';
import type { TrunkConfig, TrunkRegistrationState } from './trunks.js';

export class EmbeddedDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'embedded';
  readonly #cfg: ResolvedConfig;
  readonly #log: Logger;
  readonly #engine = new EngineState();
  readonly #registrar: Registrar | undefined;
  readonly #media: ReturnType<typeof createMediaOps>;
  readonly #legs: MediaLegs;
  readonly #calls = new CallRegistry();
  readonly #trunks: TrunkSet;
  #natKeepAlive: NatKeepAlive | undefined;
  /** Caps on incoming calls per source address and in total. */
  readonly #admission: CallAdmission;
  readonly #echoes: EchoTests;
  readonly #originator: Originator;
  readonly #requests: SipRequests;
  readonly #bridges = new Set<EmbeddedBridge>();
  readonly #lineLoss: LineLoss;

  constructor(config: EmbeddedDriverConfig) {
    super();
    const cfg = resolveConfig(config);
    const log = cfg.logger;
    this.#cfg = cfg;
    this.#log = log;
    this.#legs = new MediaLegs(cfg, log);
    this.#trunks = new TrunkSet(cfg.trunks, this.#engine, log);
    this.#admission = new CallAdmission(cfg.callLimits);
    this.#media = createMediaOps(cfg.promptsDir !== undefined ? { promptsDir: cfg.promptsDir } : {});
    this.#registrar = cfg.credentials
      ? new Registrar({
        realm: cfg.domain,
        credentials: cfg.credentials,
        ...(cfg.digestAlgorithms ? { algorithms: cfg.digestAlgorithms } : {}),
        minExpires: cfg.registerMinExpires,
        maxExpires: cfg.registerMaxExpires,
        onAuthFailure: (address) => this.#engine.stack?.rateLimiter?.recordAuthFailure(address),
        userAuthLimit: cfg.userAuthLimit,
        logger: log,
      })
      : undefined;
    const settings = callSettings(cfg, this.#media.ops);
    const common = { cfg, log, engine: this.#engine, legs: this.#legs, calls: this.#calls, trunks: this.#trunks, registrar: this.#registrar, settings };
    this.#echoes = new EchoTests(this.#engine, this.#legs, cfg.mediaTimeoutMs);
    this.#originator = new Originator(common);
    const inbound = new InboundCalls({ ...common, admission: this.#admission, echoes: this.#echoes, events: this });
    this.#lineLoss = new LineLoss({ calls: this.#calls, registrar: this.#registrar, graceMs: cfg.lineLostGraceMs, log });
    this.#requests = new SipRequests({
      log, engine: this.#engine, calls: this.#calls, echoes: this.#echoes, inbound, registrar: this.#registrar,
      requireEncryption: (user) => cfg.requireEncryption(user),
    });
  }

  /** The registrar, for lookups and registration events (undefined without credentials). */
  get registrar(): Registrar | undefined {
    return this.#registrar;
  }

  /** The SIP port in use (the real one when configured as 0). */
  get sipPort(): number {
    return this.#engine.stack?.ports.udp ?? this.#cfg.sipPort;
  }

  /** The SIP-over-TLS port in use (the real one when configured as 0); undefined without TLS. */
  get sipTlsPort(): number | undefined {
    return this.#engine.stack?.ports.tls ?? this.#cfg.tls?.port;
  }

  get config(): Readonly<ResolvedConfig> {
    return this.#cfg;
  }

  /** The trunks in use now. */
  get trunks(): TrunkConfig[] {
    return this.#trunks.table.all;
  }

  /**
   * Replace the trunk table while running (an administrator edited the trunks):
   * the next call uses the new table, calls in progress keep their trunk.
   * Registrations of removed or changed trunks are ended (unregistered) and
   * those of new or changed trunks started; unchanged ones go on untouched.
   * Throws, changing nothing, when two trunks share a name.
   */
  async setTrunks(trunks: TrunkConfig[]): Promise<void> {
    await this.#trunks.replace(trunks);
  }

  /** Where the registration to a trunk stands; undefined for a trunk without `register: true` (or unknown). */
  trunkRegistration(name: string): TrunkRegistrationState | undefined {
    return this.#trunks.registration(name);
  }

  async start(): Promise<void> {
    if (this.#engine.stack) return;
    this.#engine.stopping = false;
    this.#engine.refusing = false;
    this.#legs.keepSockets();
    // UDP and TCP share one port; with port 0 we find one free for both first.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = this.#cfg.sipPort || await freeUdpPort(this.#cfg.bindAddress);
      const stack = new SipStack({
        logger: this.#log,
        udp: { address: this.#cfg.bindAddress, port },
        tcp: { address: this.#cfg.bindAddress, port },
        ...(this.#cfg.tls ? { tls: this.#tlsListener(this.#cfg.tls) } : {}),
        advertisedHost: this.#cfg.publicAddress,
        timers: this.#cfg.sipTimers,
        rateLimit: {
          exempt: this.#cfg.rateLimit.exempt ?? [],
          trunkSources: this.#trunks.sourceAddresses(),
          ...(this.#cfg.rateLimit.maxRequests !== undefined ? { maxRequests: this.#cfg.rateLimit.maxRequests } : {}),
          ...(this.#cfg.rateLimit.trunkMaxRequests !== undefined ? { trunkMaxRequests: this.#cfg.rateLimit.trunkMaxRequests } : {}),
          ...(this.#cfg.rateLimit.maxAuthFailures !== undefined ? { maxAuthFailures: this.#cfg.rateLimit.maxAuthFailures } : {}),
        },
        userAgent: this.#cfg.userAgent,
      });
      stack.onRequest((req, tx, source) => this.#requests.handle(req, tx, source));
      stack.on('flow-closed', (flow) => this.#lineLoss.flowClosed(flow));
      try {
        await stack.start();
        this.#engine.stack = stack;
        break;
      } catch (err) {
        lastError = err;
        this.#log.debug({ err, port }, 'SIP stack did not start on this port');
        if (this.#cfg.sipPort) break;
      }
    }
    if (!this.#engine.stack) throw lastError instanceof Error ? lastError : new Error('SIP stack did not start');
    this.#trunks.registerAll(this.#engine.stack);
    if (this.#registrar && this.#cfg.natKeepAlive) {
      this.#natKeepAlive = new NatKeepAlive({
        ...this.#cfg.natKeepAlive, bindings: this.#registrar.bindings, stack: () => this.#engine.stack,
        host: this.#cfg.publicAddress, log: this.#log,
      });
      this.#natKeepAlive.start();
    }
    this.#log.info({ sipPort: this.sipPort, sipTlsPort: this.sipTlsPort, publicAddress: this.#cfg.publicAddress }, 'embedded telephony engine started');
  }

  #tlsListener(tls: { port: number; cert: string; key: string }): NonNullable<ConstructorParameters<typeof SipStack>[0]['tls']> {
    return {
      address: this.#cfg.bindAddress,
      port: tls.port,
      settings: { server: { cert: tls.cert, key: tls.key }, client: (destination) => tlsClientOptions(this.#trunks.table.all, destination) },
    };
  }

  /** A browser's SIP WebSocket, upgraded and authenticated by the HTTP server (RFC 7118). */
  attachSipWebSocket(peer: SipWebSocketPeer): SipWebSocketSink {
    return this.#engine.requireStack().attachWebSocket(peer);
  }

  refuseNewCalls(): void {
    this.#engine.refusing = true;
    this.#log.info({ activeCalls: this.#calls.size }, 'refusing new calls; calls in progress go on');
  }

  async stop(): Promise<void> {
    const stack = this.#engine.stack;
    if (!stack) return;
    this.#engine.stopping = true;
    this.#originator.abortAll();
    this.#lineLoss.clear();
    await Promise.all(this.#calls.all().map((call) => call.hangup('server-shutdown')));
    await this.#echoes.endAll();
    await this.#trunks.unregisterAll();
    this.#natKeepAlive?.stop();
    this.#natKeepAlive = undefined;
    // Let an INVITE being set up notice the shutdown before the stack goes.
    for (let i = 0; i < 50 && (this.#legs.opening > 0 || this.#originator.pending > 0); i++) await sleep(20);
    this.#registrar?.close();
    await stack.stop();
    this.#legs.closeSockets();
    this.#engine.stack = undefined;
    this.#log.info('embedded telephony engine stopped');
  }

  stats(): DriverStats {
    const sip = this.#engine.stack?.stats();
    return {
      // A caller on the echo test is connected too: it counts (graceful shutdown waits for it).
      activeCalls: this.#calls.size + this.#echoes.size,
      activeBridges: this.#bridges.size,
      resources: {
        dialogs: sip?.dialogs ?? 0,
        transactions: sip?.transactions ?? 0,
        timers: sip?.timers ?? 0,
        connections: sip?.connections ?? 0,
        mediaPorts: this.#legs.portsInUse,
        incomingCalls: this.#admission.calls,
        bannedSources: sip?.bannedSources ?? 0,
        rtpPacketsFromStrangers: this.#legs.packetsFromStrangers,
        echoCalls: this.#echoes.size,
        pendingOriginates: this.#originator.pending,
        registrations: this.#registrar?.bindings.size ?? 0,
        // Bridges whose audio flows around Tenor now (direct media, an external relay).
        bridgesOffTenor: [...this.#bridges].filter((b) => b.mediaPath !== 'tenor').length,
      },
      traffic: {
        callsStarted: { inbound: this.#calls.inboundTracked, outbound: this.#originator.placed },
        sip: sip?.counters ?? new SipCounters().snapshot(),
        rtp: this.#legs.rtpStats(),
      },
    };
  }

  originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    return this.#originator.originate(target, opts);
  }

  async bridge(a: Call, b: Call): Promise<Bridge> {
    const ca = this.#calls.own(a);
    const cb = this.#calls.own(b);
    if (ca.state !== 'answered' || cb.state !== 'answered') throw new Error('only answered calls can be bridged');
    const media = new MediaBridge(ca.leg, cb.leg);
    const anchor = new MediaReanchor({ bridgeId: `${ca.id}+${cb.id}`, a: ca, b: cb, relay: this.#cfg.mediaRelay, log: ca.log.child({ with: cb.id }) });
    const bridge = new EmbeddedBridge(ca, cb, media, anchor, (done) => {
      this.#bridges.delete(done);
      ca.bridgeHold = undefined;
      cb.bridgeHold = undefined;
      ca.mediaAnchor = undefined;
      cb.mediaAnchor = undefined;
    });
    this.#bridges.add(bridge);
    const holdFor = (side: 'a' | 'b') => ({
      hold: (music: Prompt) => media.hold(side, music, this.#media.deps),
      unhold: () => media.unhold(side),
    });
    ca.bridgeHold = holdFor('a');
    cb.bridgeHold = holdFor('b');
    ca.mediaAnchor = anchor;
    cb.mediaAnchor = anchor;
    ca.log.info({ with: cb.id }, 'bridged');
    // Direct media or an external relay when the bridge needs no media work (the bridge works on Tenor meanwhile).
    void anchor.settle();
    return bridge;
  }

  async monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor> {
    const ct = this.#calls.own(target);
    const cl = this.#calls.own(listener);
    const bridge = [...this.#bridges].find((b) => b.includes(ct));
    if (!bridge) throw new Error(`call ${ct.id} is not bridged`);
    // The listener must hear both devices: their audio comes back through Tenor first.
    const release = await bridge.anchor.need('monitor');
    let media: ReturnType<MediaBridge['monitor']>;
    try {
      media = bridge.media.monitor(cl.leg, mode, bridge.a === ct ? 'a' : 'b');
    } catch (err) {
      release();
      throw err;
    }
    ct.log.info({ listener: cl.id, mode }, 'monitor joined');
    return new EmbeddedMonitor(media, cl, release);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freeUdpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
