// DrachtioDriver: drachtio-server as the SIP edge (callers, carriers, phones'
// REGISTERs), FreeSWITCH for the media, driven through the FreeSWITCH driver.
//
// Every call is two dialogs joined at the edge by drachtio-srf's B2BUA
// (dialog-pair.ts): the far party's and FreeSWITCH's. An incoming INVITE is
// passed on to FreeSWITCH's profile with a header naming the leg; FreeSWITCH
// parks it, the FreeSWITCH driver raises it, and this driver raises it again
// with what the edge knows (the source, the headers). Answer, ring, reject,
// play, digits, record, bridge, monitor, AMD and hangup are the FreeSWITCH
// driver's, and the edge relays FreeSWITCH's 180/183/200 (with its SDP, so RTP
// flows between the far party and FreeSWITCH directly), BYEs, re-INVITEs and
// REFERs. A call Tenor places goes the other way: FreeSWITCH originates to the
// edge with the leg header, and the edge places the real call (an address, a
// registered phone, a carrier with digest authentication).
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import pino, { type Logger } from 'pino';
import {
  OriginateError, type Bridge, type Call, type CallSource, type DialTarget, type DriverEvents, type DriverStats,
  type IncomingCall, type Monitor, type MonitorMode, type OriginateOptions, type TelephonyDriver,
  type SipWebSocketPeer, type SipWebSocketSink,
} from '../driver.js';
import type { TrunkRegistrationState } from '../embedded/engine/trunks.js';
import { Registrar, type CredentialStore } from '../embedded/registrar/index.js';
import type { EslEndpoint } from '../freeswitch/esl-connection.js';
import { FreeSwitchDriver } from '../freeswitch/driver.js';
import { DialogPair } from './dialog-pair.js';
import { LEG_HEADER, destinationOf, headersOfInterest, identify, type Destination, type DrachtioTrunk } from './edge.js';
import { answerRegister } from './register.js';
import { routesInPlace } from './routes-ready.js';
import { TrunkRegistrations } from './trunk-registration.js';

export interface DrachtioDriverConfig {
  /** drachtio-server's application port and secret (`RunningDrachtio.admin`). */
  drachtio: { host: string; port: number; secret: string };
  /** drachtio-server's SIP address: where FreeSWITCH sends the calls Tenor places, and transfer targets point. */
  edge: { address: string; port: number };
  /** The FreeSWITCH that carries the media: its event socket and its parking profile's SIP address. */
  freeswitch: { eventSocket: EslEndpoint; profile: string; address: string; port: number };
  /** Carriers; changed while running with setTrunks. */
  trunks?: DrachtioTrunk[];
  /** Phones REGISTER at the edge with these credentials; without it REGISTER is refused. */
  registrar?: { realm: string; credentials: CredentialStore };
  /** Where FreeSWITCH writes temporary audio Tenor reads (AMD). */
  workDir?: string;
  promptsDir?: string;
  holdMusic?: string;
  originateTimeoutMs?: number;
  /** How long calls outlive a lost FreeSWITCH event socket (FreeSwitchDriverConfig.linkLostGraceMs). */
  linkLostGraceMs?: number;
  logger?: Logger;
}

/** What the edge knows of an incoming call until FreeSWITCH's channel for it shows up. */
interface InboundLeg {
  source: CallSource;
  headers: Record<string, string>;
  /** The far party's SIP Call-ID, which the edge's log lines carry. */
  sipCallId: string;
}

export class DrachtioDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'drachtio';
  readonly #cfg: DrachtioDriverConfig;
  readonly #logger: Logger;
  readonly #srf = new Srf();
  readonly #media: FreeSwitchDriver;
  readonly #registrar: Registrar | undefined;
  readonly #trunkRegistrations: TrunkRegistrations;
  #trunks: DrachtioTrunk[];
  readonly #inbound = new Map<string, InboundLeg>();
  readonly #placing = new Map<string, Destination & { headers: Record<string, string> }>();
  readonly #pairs = new Set<DialogPair>();
  /** B2BUAs sent on and not answered or failed yet. */
  #connecting = 0;
  #edgeUp = false;
  #refusing = false;
  #stopping = false;

  constructor(cfg: DrachtioDriverConfig) {
    super();
    this.#cfg = cfg;
    this.#logger = cfg.logger ?? pino({ level: 'silent' });
    this.#media = new FreeSwitchDriver({
      eventSocket: cfg.freeswitch.eventSocket,
      profile: cfg.freeswitch.profile,
      // A bare transfer target becomes sip:<target>@<edge>: the far party calls it through the edge.
      sipAddress: cfg.edge.address,
      sipPort: cfg.edge.port,
      logger: this.#logger,
      ...(cfg.workDir !== undefined ? { workDir: cfg.workDir } : {}),
      ...(cfg.promptsDir !== undefined ? { promptsDir: cfg.promptsDir } : {}),
      ...(cfg.holdMusic !== undefined ? { holdMusic: cfg.holdMusic } : {}),
      ...(cfg.originateTimeoutMs !== undefined ? { originateTimeoutMs: cfg.originateTimeoutMs } : {}),
      ...(cfg.linkLostGraceMs !== undefined ? { linkLostGraceMs: cfg.linkLostGraceMs } : {}),
    });
    this.#trunks = [...(cfg.trunks ?? [])];
    this.#trunkRegistrations = new TrunkRegistrations(this.#srf, cfg.edge, this.#logger);
    this.#registrar = cfg.registrar
      ? new Registrar({ realm: cfg.registrar.realm, credentials: cfg.registrar.credentials, logger: this.#logger })
      : undefined;
  }

  /** The trunks in use now (LiveTrunkControl, as on the embedded and FreeSWITCH drivers). */
  get trunks(): DrachtioTrunk[] {
    return [...this.#trunks];
  }

  /**
   * Replaces the trunks while running: the next call uses the new ones;
   * registrations of removed or changed trunks end (unregistered), new ones
   * start. Throws, changing nothing, when two trunks share a name.
   */
  async setTrunks(trunks: DrachtioTrunk[]): Promise<void> {
    const names = new Set(trunks.map((t) => t.name));
    if (names.size !== trunks.length) throw new Error('two trunks share a name');
    this.#trunks = [...trunks];
    this.#logger.info({ trunks: trunks.map((t) => t.name) }, 'trunks replaced');
    await this.#trunkRegistrations.replace(this.#trunks);
  }

  /** Where the registration to a trunk stands; undefined for a trunk without `register: true` (or unknown). */
  trunkRegistration(name: string): TrunkRegistrationState | undefined {
    return this.#trunkRegistrations.state(name);
  }

  /** The registrar phones register with (its bindings), when one is configured. */
  get registrar(): Registrar | undefined {
    return this.#registrar;
  }

  async start(): Promise<void> {
    // Listening before the event socket is up: a channel parked at once is not missed.
    this.#media.on('incoming', (incoming) => this.#onMediaChannel(incoming));
    await this.#media.start();
    try {
      await this.#connectEdge();
    } catch (err) {
      await this.#media.stop();
      throw err;
    }
    this.#trunkRegistrations.start(this.#trunks);
    this.#logger.info({ drachtio: `${this.#cfg.drachtio.host}:${this.#cfg.drachtio.port}` }, 'drachtio driver connected');
  }

  /** Logs in to drachtio-server as its application; rejects on a refused secret or after 10 s without a login. */
  async #connectEdge(): Promise<void> {
    this.#srf.invite((req, res) => {
      this.#onInvite(req, res).catch((err: unknown) => {
        this.#logger.error({ err, callId: req.get('Call-ID') }, 'INVITE handling failed');
        if (!res.finalResponseSent) res.send(500);
      });
    });
    const registrar = this.#registrar;
    if (registrar) {
      this.#srf.use('register', (req, res) => {
        answerRegister(registrar, req, res, this.#logger).catch((err: unknown) => {
          this.#logger.error({ err }, 'REGISTER handling failed');
          if (!res.finalResponseSent) res.send(500);
        });
      });
    }
    // drachtio-srf reconnects by itself after a lost link; the link counts as down meanwhile (health).
    const edge: EventEmitter = this.#srf;
    edge.on('close', () => {
      if (this.#stopping || !this.#edgeUp) return;
      this.#edgeUp = false;
      this.#logger.error('link to drachtio-server lost: drachtio-srf reconnects');
    });
    let loggedIn = false;
    this.#srf.on('connect', (err: Error | undefined) => {
      if (err) return;
      if (loggedIn && !this.#edgeUp) this.#logger.info('link to drachtio-server back');
      this.#edgeUp = true;
    });
    // Once logged in, a socket error is drachtio-srf's to recover from: logged, not thrown.
    this.#srf.on('error', (err: Error) => {
      if (loggedIn) this.#logger.warn({ err }, 'drachtio-srf error');
    });
    const { host, port, secret } = this.#cfg.drachtio;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no login to drachtio-server at ${host}:${port} within 10 s`)), 10_000);
        const settle = (err: Error | undefined): void => {
          clearTimeout(timer);
          this.#srf.off('connect', settle);
          this.#srf.off('error', settle);
          if (err) reject(err);
          else resolve();
        };
        this.#srf.on('connect', settle);
        this.#srf.on('error', settle);
        void this.#srf.connect({ host, port, secret });
      });
      // Started means calls reach this driver: not before drachtio-server has taken the routes.
      if (!await routesInPlace(this.#srf, 10_000)) {
        this.#logger.warn('cannot confirm drachtio-server took the routes (drachtio-srf internals changed): calls in the first moments may be refused');
      }
      loggedIn = true;
    } catch (err) {
      this.#stopping = true;
      this.#srf.disconnect();
      throw err;
    }
  }

  async #onInvite(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const leg = req.has(LEG_HEADER) ? req.get(LEG_HEADER) : undefined;
    const fs = this.#cfg.freeswitch;
    const fromMedia = req.source_address === fs.address && Number(req.source_port) === fs.port;
    if (fromMedia) {
      const placing = leg !== undefined ? this.#placing.get(leg) : undefined;
      if (placing) return this.#placeOut(req, res, placing);
      // An originate Tenor gave up on already (or none at all): passing it back in to FreeSWITCH would make a call of it.
      this.#logger.info({ callId: req.get('Call-ID') }, 'call from FreeSWITCH for no originate waiting: refused');
      res.send(480);
      return;
    }
    return this.#takeIn(req, res);
  }

  /** A call from outside: on to FreeSWITCH, which parks it for the driver. */
  async #takeIn(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const log = this.#logger.child({ callId: req.get('Call-ID') });
    if (this.#refusing || this.#stopping) {
      log.info('incoming call refused: not taking new calls');
      res.send(503);
      return;
    }
    const leg = randomUUID();
    this.#inbound.set(leg, {
      source: identify(req, this.#trunks, this.#registrar), headers: headersOfInterest(req), sipCallId: req.get('Call-ID'),
    });
    const fs = this.#cfg.freeswitch;
    const user = encodeURIComponent(req.calledNumber || 'tenor');
    this.#connecting++;
    try {
      const { uas, uac } = await this.#srf.createB2BUA(req, res, `sip:${user}@${fs.address}:${fs.port}`, {
        headers: { [LEG_HEADER]: leg }, passFailure: true,
      });
      this.#pair(uas, uac, log);
    } catch (err) {
      log.info({ status: statusOf(err) }, 'incoming call not connected');
    } finally {
      this.#connecting--;
      this.#inbound.delete(leg);
    }
  }

  /** FreeSWITCH's channel for an incoming call: raised with what the edge knew of it. */
  #onMediaChannel(incoming: IncomingCall): void {
    const leg = incoming.headers[LEG_HEADER.toLowerCase()];
    const known = leg !== undefined ? this.#inbound.get(leg) : undefined;
    if (leg === undefined || !known) {
      // Someone called FreeSWITCH directly, around the edge.
      this.#logger.warn({ callId: incoming.call.id }, 'call reached FreeSWITCH without passing the edge: refused');
      incoming.call.reject('unreachable').catch((err: unknown) => this.#logger.debug({ err, callId: incoming.call.id }, 'refusing failed'));
      return;
    }
    this.#inbound.delete(leg);
    this.#logger.info({
      callId: incoming.call.id, sipCallId: known.sipCallId, from: incoming.call.from.number, to: incoming.call.to.number, source: known.source.kind,
    }, 'incoming call');
    this.emit('incoming', { call: incoming.call, source: known.source, headers: known.headers });
  }

  /** A call FreeSWITCH originated to the edge for Tenor: placed to its real destination. */
  async #placeOut(req: Srf.SrfRequest, res: Srf.SrfResponse, dest: Destination & { headers: Record<string, string> }): Promise<void> {
    const log = this.#logger.child({ callId: req.get('Call-ID') });
    this.#connecting++;
    try {
      const { uas, uac } = await this.#srf.createB2BUA(req, res, dest.uri, {
        headers: dest.headers, passFailure: true, ...(dest.auth ? { auth: dest.auth } : {}),
      });
      this.#pair(uac, uas, log);
    } catch (err) {
      log.info({ status: statusOf(err), to: dest.uri }, 'outbound call not connected');
    } finally {
      this.#connecting--;
    }
  }

  #pair(far: Srf.Dialog, media: Srf.Dialog, log: Logger): void {
    const pair = new DialogPair(far, media, log, (done) => this.#pairs.delete(done));
    // Already ended when one side hung up as the call connected.
    if (!pair.ended) this.#pairs.add(pair);
  }

  /** SIP over WebSocket is the embedded engine's for now; FreeSWITCH's own WebSocket profile is a later step (docs/telephony.md). */
  attachSipWebSocket(_peer: SipWebSocketPeer): SipWebSocketSink {
    throw new Error(`SIP over WebSocket is not supported on the ${this.name} driver`);
  }

  refuseNewCalls(): void {
    this.#refusing = true;
    this.#media.refuseNewCalls();
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    // FreeSWITCH's BYEs reach the edge, which passes them on to the far parties.
    await this.#media.stop();
    const deadline = Date.now() + 3000;
    while (this.#pairs.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.#pairs.size > 0) {
      this.#logger.warn({ calls: this.#pairs.size }, 'calls still up at the edge at shutdown: ended here');
      await Promise.all([...this.#pairs].map((p) => p.hangup()));
    }
    await this.#trunkRegistrations.stop();
    this.#srf.disconnect();
    this.#registrar?.close();
  }

  async originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    if (this.#refusing || this.#stopping) throw new OriginateError('unreachable', 'not placing new calls');
    const dest = destinationOf(target, this.#trunks, this.#registrar);
    const leg = randomUUID();
    this.#placing.set(leg, { ...dest, headers: opts.headers ?? {} });
    try {
      const { headers: _ignored, ...rest } = opts;
      return await this.#media.originate(
        { kind: 'address', address: `sip:${dest.user}@${this.#cfg.edge.address}:${this.#cfg.edge.port}` },
        { ...rest, headers: { [LEG_HEADER]: leg } },
      );
    } finally {
      this.#placing.delete(leg);
    }
  }

  bridge(a: Call, b: Call): Promise<Bridge> {
    return this.#media.bridge(a, b);
  }

  monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor> {
    return this.#media.monitor(target, listener, mode);
  }

  stats(): DriverStats {
    const media = this.#media.stats();
    return {
      activeCalls: media.activeCalls,
      activeBridges: media.activeBridges,
      resources: {
        ...media.resources,
        edgeCalls: this.#pairs.size,
        edgeConnecting: this.#connecting,
        edgeLegs: this.#inbound.size + this.#placing.size,
      },
      link: media.link === 'down' || !this.#edgeUp ? 'down' : 'up',
    };
  }
}

/** The SIP status of a failed B2BUA (drachtio-srf's SipError), for the log. */
function statusOf(err: unknown): number | string {
  if (err && typeof err === 'object' && 'status' in err && typeof err.status === 'number') return err.status;
  return err instanceof Error ? err.message : String(err);
}
