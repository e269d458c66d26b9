// EmbeddedDriver: the telephony driver contract over Tenor's own SIP stack and
// RTP media. A back-to-back user agent: every call is a SIP dialog plus a media
// leg; calls are joined by bridging their media, never by proxying SIP.
import { EventEmitter } from 'node:events';
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import {
  OriginateError, type Bridge, type Call, type CallParty, type CallSource, type DialTarget, type DriverEvents,
  type DriverStats, type Monitor, type MonitorMode, type OriginateOptions, type Prompt, type TelephonyDriver,
} from '../../driver.js';
import { MediaBridge, MediaEcho } from '../media/bridge.js';
import { MediaLeg } from '../media/leg.js';
import { Registrar } from '../registrar/registrar.js';
import { registerInputFromRequest, responseForRegister } from '../registrar/sip-register.js';
import { RtpPortAllocator } from '../rtp/ports.js';
import type { Dialog } from '../sip/dialog.js';
import { endpointOf } from '../sip/dialog.js';
import { getHeader, parseNameAddr } from '../sip/headers.js';
import type { HeaderField, NameAddr, SipEndpoint, SipRequest } from '../sip/message.js';
import { SipStack } from '../sip/stack.js';
import type { ServerTransaction } from '../sip/transaction/server.js';
import type { InboundSource } from '../sip/transport/common.js';
import { tryParseUri } from '../sip/uri.js';
import { EmbeddedBridge, EmbeddedMonitor } from './bridges.js';
import { CallAdmission, isRefusal, type AdmissionTicket } from './admission.js';
import { EmbeddedCall, type CallRtp, type CallSdp } from './call.js';
import { resolveConfig, type EmbeddedDriverConfig, type ResolvedConfig } from './config.js';
import { digitFromInfo } from './dtmf-info.js';
import { createMediaOps } from './media-ops.js';
import { newCallId, newRequest, newTag, placeInvite } from './outbound.js';
import {
  answerDirection, createAnswer, createOffer, DEFAULT_TELEPHONE_EVENT_PT, negotiate, parseRemoteAudio, STATIC_PT,
  type NegotiatedAudio, type RemoteAudio,
} from './sdp.js';
import { ACCEPT, ALLOW, SUPPORTED, SipLeg, allowHeaders } from './sip-leg.js';
import { TrunkRegistration } from './trunk-registration.js';
import { TrunkTable, sameTrunk, trunkFromUri, trunkRequestUri, type TrunkConfig, type TrunkRegistrationState } from './trunks.js';

/** Headers handed to the application with an incoming call (besides every X- header). */
const HEADERS_OF_INTEREST = new Set(['diversion', 'p-asserted-identity', 'remote-party-id', 'referred-by', 'subject', 'user-agent', 'history-info']);

interface EchoSession {
  dialog: Dialog;
  leg: MediaLeg;
  echo: MediaEcho;
  ticket: AdmissionTicket;
}

export class EmbeddedDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'embedded';
  readonly #cfg: ResolvedConfig;
  readonly #log: Logger;
  readonly #ports: RtpPortAllocator;
  /** Replaced whole by setTrunks: a call routed before the swap keeps the trunk it got. */
  #trunks: TrunkTable;
  readonly #registrar: Registrar | undefined;
  readonly #media: ReturnType<typeof createMediaOps>;
  #stack: SipStack | undefined;
  readonly #calls = new Map<string, EmbeddedCall>();
  readonly #byDialog = new Map<string, EmbeddedCall>();
  readonly #bridges = new Set<EmbeddedBridge>();
  readonly #echoes = new Map<string, EchoSession>();
  /** Outbound INVITEs not yet answered: aborted on stop. */
  readonly #originating = new Set<AbortController>();
  /** Inbound INVITEs whose media leg is being opened. */
  #opening = 0;
  /** Registrations to trunks with `register: true`, by trunk name. */
  readonly #trunkRegistrations = new Map<string, TrunkRegistration>();
  /** Caps on incoming calls per source address and in total. */
  readonly #admission: CallAdmission;
  /** Media legs open now, and the RTP packets from strangers that legs already closed dropped (for stats). */
  readonly #openLegs = new Set<MediaLeg>();
  #strangerPacketsOfClosedLegs = 0;
  #stopping = false;
  /** Set by refuseNewCalls: calls in progress go on, new ones are refused. */
  #refusing = false;

  constructor(config: EmbeddedDriverConfig) {
    super();
    this.#cfg = resolveConfig(config);
    this.#log = this.#cfg.logger;
    this.#ports = new RtpPortAllocator(this.#cfg.rtpPorts);
    this.#trunks = new TrunkTable(this.#cfg.trunks);
    this.#admission = new CallAdmission(this.#cfg.callLimits);
    this.#media = createMediaOps(this.#cfg.promptsDir !== undefined ? { promptsDir: this.#cfg.promptsDir } : {});
    this.#registrar = this.#cfg.credentials
      ? new Registrar({
        realm: this.#cfg.domain,
        credentials: this.#cfg.credentials,
        ...(this.#cfg.digestAlgorithms ? { algorithms: this.#cfg.digestAlgorithms } : {}),
        minExpires: this.#cfg.registerMinExpires,
        maxExpires: this.#cfg.registerMaxExpires,
        onAuthFailure: (address) => this.#stack?.rateLimiter?.recordAuthFailure(address),
        userAuthLimit: this.#cfg.userAuthLimit,
        logger: this.#log,
      })
      : undefined;
  }

  /** The registrar, for lookups and registration events (undefined without credentials). */
  get registrar(): Registrar | undefined {
    return this.#registrar;
  }

  /** The SIP port in use (the real one when configured as 0). */
  get sipPort(): number {
    return this.#stack?.ports.udp ?? this.#cfg.sipPort;
  }

  get config(): Readonly<ResolvedConfig> {
    return this.#cfg;
  }

  /** The trunks in use now. */
  get trunks(): TrunkConfig[] {
    return this.#trunks.all;
  }

  /**
   * Replace the trunk table while running (an administrator edited the trunks):
   * the next call uses the new table, calls in progress keep their trunk.
   * Registrations of removed or changed trunks are ended (unregistered) and
   * those of new or changed trunks started; unchanged ones go on untouched.
   * Throws, changing nothing, when two trunks share a name.
   */
  async setTrunks(trunks: TrunkConfig[]): Promise<void> {
    const next = new TrunkTable(trunks);
    const before = new Map(this.#trunks.all.map((t) => [t.name, t]));
    this.#trunks = next;
    this.#stack?.rateLimiter?.setTrunkSources(trunkAddresses(next.all));
    const stopping: Promise<void>[] = [];
    for (const [name, reg] of this.#trunkRegistrations) {
      const now = next.get(name);
      const previous = before.get(name);
      if (now?.register && previous && sameTrunk(previous, now)) continue;
      this.#trunkRegistrations.delete(name);
      stopping.push(reg.stop());
    }
    // Unregister first: a changed trunk may be the same registrar under the same user.
    await Promise.all(stopping);
    const stack = this.#stack;
    if (stack && !this.#stopping) {
      for (const trunk of next.all) {
        if (trunk.register && !this.#trunkRegistrations.has(trunk.name)) this.#startRegistration(stack, trunk);
      }
    }
    this.#log.info({ trunks: next.all.map((t) => t.name), registering: [...this.#trunkRegistrations.keys()] }, 'trunks replaced');
  }

  /** Where the registration to a trunk stands; undefined for a trunk without `register: true` (or unknown). */
  trunkRegistration(name: string): TrunkRegistrationState | undefined {
    return this.#trunkRegistrations.get(name)?.state;
  }

  #startRegistration(stack: SipStack, trunk: TrunkConfig): void {
    const reg = new TrunkRegistration(stack, trunk, this.#log.child({ trunk: trunk.name }));
    this.#trunkRegistrations.set(trunk.name, reg);
    reg.start();
  }

  async start(): Promise<void> {
    if (this.#stack) return;
    this.#stopping = false;
    this.#refusing = false;
    // UDP and TCP share one port; with port 0 we find one free for both first.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = this.#cfg.sipPort || await freeUdpPort(this.#cfg.bindAddress);
      const stack = new SipStack({
        logger: this.#log,
        udp: { address: this.#cfg.bindAddress, port },
        tcp: { address: this.#cfg.bindAddress, port },
        advertisedHost: this.#cfg.publicAddress,
        timers: this.#cfg.sipTimers,
        rateLimit: {
          exempt: this.#cfg.rateLimit.exempt ?? [],
          trunkSources: trunkAddresses(this.#trunks.all),
          ...(this.#cfg.rateLimit.maxRequests !== undefined ? { maxRequests: this.#cfg.rateLimit.maxRequests } : {}),
          ...(this.#cfg.rateLimit.trunkMaxRequests !== undefined ? { trunkMaxRequests: this.#cfg.rateLimit.trunkMaxRequests } : {}),
          ...(this.#cfg.rateLimit.maxAuthFailures !== undefined ? { maxAuthFailures: this.#cfg.rateLimit.maxAuthFailures } : {}),
        },
        userAgent: this.#cfg.userAgent,
      });
      stack.onRequest((req, tx, source) => this.#onRequest(req, tx, source));
      try {
        await stack.start();
        this.#stack = stack;
        break;
      } catch (err) {
        lastError = err;
        if (this.#cfg.sipPort) break;
      }
    }
    if (!this.#stack) throw lastError instanceof Error ? lastError : new Error('SIP stack did not start');
    for (const trunk of this.#trunks.all.filter((t) => t.register)) this.#startRegistration(this.#stack, trunk);
    this.#log.info({ sipPort: this.sipPort, publicAddress: this.#cfg.publicAddress }, 'embedded telephony engine started');
  }

  refuseNewCalls(): void {
    this.#refusing = true;
    this.#log.info({ activeCalls: this.#calls.size }, 'refusing new calls; calls in progress go on');
  }

  async stop(): Promise<void> {
    const stack = this.#stack;
    if (!stack) return;
    this.#stopping = true;
    for (const controller of this.#originating) controller.abort();
    await Promise.all([...this.#calls.values()].map((call) => call.hangup('server-shutdown')));
    for (const session of [...this.#echoes.values()]) await this.#endEcho(session, true);
    await Promise.all([...this.#trunkRegistrations.values()].map((r) => r.stop()));
    this.#trunkRegistrations.clear();
    // Let an INVITE being set up notice the shutdown before the stack goes.
    for (let i = 0; i < 50 && (this.#opening > 0 || this.#originating.size > 0); i++) await sleep(20);
    this.#registrar?.close();
    await stack.stop();
    this.#stack = undefined;
    this.#log.info('embedded telephony engine stopped');
  }

  stats(): DriverStats {
    const sip = this.#stack?.stats();
    return {
      // A caller on the echo test is connected too: it counts (graceful shutdown waits for it).
      activeCalls: this.#calls.size + this.#echoes.size,
      activeBridges: this.#bridges.size,
      resources: {
        dialogs: sip?.dialogs ?? 0,
        transactions: sip?.transactions ?? 0,
        timers: sip?.timers ?? 0,
        connections: sip?.connections ?? 0,
        mediaPorts: this.#ports.allocatedCount,
        incomingCalls: this.#admission.calls,
        bannedSources: sip?.bannedSources ?? 0,
        rtpPacketsFromStrangers: this.#strangerPacketsOfClosedLegs
          + [...this.#openLegs].reduce((sum, leg) => sum + leg.stats().packetsFromStrangers, 0),
        echoCalls: this.#echoes.size,
        pendingOriginates: this.#originating.size,
        registrations: this.#registrar?.bindings.size ?? 0,
      },
    };
  }

  // ------------------------------------------------------------------ originate

  async originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    const stack = this.#requireStack();
    if (this.#refusing) throw new OriginateError('unreachable', 'the engine is shutting down and places no new calls');
    const route = this.#route(target);
    const callerId: CallParty = opts.callerId ?? { number: 'tenor' };
    const callId = newCallId(this.#cfg.publicAddress);
    const log = this.#log.child({ callId });
    // Bind the media port before offering it: a port taken by another program
    // is skipped here rather than discovered after the far end answered.
    const offered: NegotiatedAudio = { codec: 'PCMU', pt: 0, telephoneEventPt: DEFAULT_TELEPHONE_EVENT_PT };
    let bound: { leg: MediaLeg; port: number };
    try {
      // Media is taken from the SDP's address or the address we signal to (see rtp/session.ts).
      bound = await this.#bindLeg(offered, undefined, callId, [route.destination.address]);
    } catch (err) {
      throw new OriginateError('failed', err instanceof Error ? err.message : 'no RTP port free');
    }
    const { port } = bound;
    let leg: MediaLeg | undefined = bound.leg;
    const sdp = this.#sdpFor(port);
    const controller = new AbortController();
    this.#originating.add(controller);
    const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
    let handedOver = false;
    try {
      const request = newRequest({
        method: 'INVITE', uri: route.uri,
        from: `${formatParty(callerId, route.fromUri(callerId.number))};tag=${newTag()}`,
        to: `<${route.uri}>`,
        callId, cseq: 1,
        contact: stack.contact(route.destination.transport, callerId.number.replace(/[^\w+.-]/g, '') || undefined),
        headers: [
          ...allowHeaders(),
          ...(route.trunk ? [{ name: 'P-Asserted-Identity', value: formatParty(callerId, route.fromUri(callerId.number)) }] : []),
          ...Object.entries(opts.headers ?? {}).map(([name, value]) => ({ name, value })),
        ],
        body: { contentType: 'application/sdp', text: sdp.offer('sendrecv') },
      });
      log.info({ uri: route.uri, destination: route.destination, from: callerId.number }, 'placing call');
      const outcome = await placeInvite({
        stack, request, destination: route.destination,
        ...(route.credentials ? { credentials: route.credentials } : {}),
        timeoutMs: opts.timeoutMs ?? this.#cfg.originateTimeoutMs,
        signal, log,
      });
      if (outcome.kind === 'failed') {
        log.info({ status: outcome.status, cause: outcome.cause }, 'call not answered');
        throw new OriginateError(outcome.cause, `call to ${route.uri} not answered: ${outcome.status} (${outcome.cause})`);
      }
      const dialog = stack.createUacDialog(outcome.tx, outcome.response);
      const remote = parseRemoteAudio(outcome.response.body.toString('utf8'));
      const chosen = remote ? negotiate(remote) : undefined;
      if (outcome.lateFor || !remote || !chosen || this.#stopping) {
        stack.sendInDialog(dialog, 'BYE');
        const cause = outcome.lateFor ?? (this.#stopping ? 'server-shutdown' : 'failed');
        throw new OriginateError(cause, `call to ${route.uri} ended at answer: ${cause}`);
      }
      if (chosen.codec === offered.codec && chosen.telephoneEventPt === offered.telephoneEventPt) {
        leg.setRemote({ address: remote.address, port: remote.port });
      } else {
        // The far end chose otherwise: reopen the leg on the same port with its choice.
        await leg.close();
        leg = undefined;
        leg = await this.#openLeg(port, chosen, remote, callId, [route.destination.address]);
      }
      leg.once('closed', () => this.#ports.release(port));
      handedOver = true;
      const call = new EmbeddedCall({
        id: callId, direction: 'outbound', from: callerId, to: { number: route.number }, state: 'answered',
        signaling: SipLeg.outbound(stack, dialog, log),
        rtp: { leg, sdp }, media: this.#media.ops, logger: log, mediaTimeoutMs: this.#cfg.mediaTimeoutMs,
        referTarget: (t) => this.#referTarget(t),
        ...(this.#cfg.holdMusic !== undefined ? { holdMusic: this.#cfg.holdMusic } : {}),
      });
      this.#track(call, dialog);
      log.info('call answered');
      return call;
    } finally {
      this.#originating.delete(controller);
      if (!handedOver) {
        await leg?.close();
        this.#ports.release(port);
      }
    }
  }

  #route(target: DialTarget): {
    uri: string; destination: SipEndpoint; number: string; trunk?: TrunkConfig;
    credentials?: { username: string; password: string }; fromUri: (user: string) => string;
  } {
    const ownUri = (user: string): string => `sip:${user}@${this.#cfg.domain}`;
    switch (target.kind) {
      case 'number': {
        const trunk = this.#trunks.forNumber(target.trunk);
        if (!trunk) throw new OriginateError('unreachable', target.trunk ? `no trunk named ${target.trunk}` : 'no trunk configured');
        return {
          uri: trunkRequestUri(trunk, target.number),
          destination: { transport: trunk.transport, address: trunk.host, port: trunk.port },
          number: target.number, trunk,
          ...(trunk.username !== undefined && trunk.password !== undefined ? { credentials: { username: trunk.username, password: trunk.password } } : {}),
          fromUri: (user) => trunkFromUri(trunk, user),
        };
      }
      case 'device': {
        const binding = this.#registrar?.lookup(target.user)[0];
        if (!binding) throw new OriginateError('unreachable', `${target.user} is not registered`);
        // Send to where the REGISTER came from: the device may sit behind NAT.
        return { uri: binding.contact, destination: { ...binding.source }, number: target.user, fromUri: ownUri };
      }
      case 'address': {
        const uri = tryParseUri(target.address);
        if (!uri || (uri.scheme !== 'sip' && uri.scheme !== 'sips')) throw new OriginateError('failed', `not a SIP address: ${target.address}`);
        return { uri: target.address, destination: endpointOf(uri), number: uri.user ?? uri.host, fromUri: ownUri };
      }
    }
  }

  #referTarget(target: string): string {
    if (/^sips?:/i.test(target)) return target;
    if (target.includes('@')) return `sip:${target}`;
    return `sip:${target}@${this.#cfg.domain}`;
  }

  // ------------------------------------------------------------------ bridges

  async bridge(a: Call, b: Call): Promise<Bridge> {
    const ca = this.#own(a);
    const cb = this.#own(b);
    if (ca.state !== 'answered' || cb.state !== 'answered') throw new Error('only answered calls can be bridged');
    const media = new MediaBridge(ca.leg, cb.leg);
    const bridge = new EmbeddedBridge(ca, cb, media, (done) => {
      this.#bridges.delete(done);
      ca.bridgeHold = undefined;
      cb.bridgeHold = undefined;
    });
    this.#bridges.add(bridge);
    const holdFor = (side: 'a' | 'b') => ({
      hold: (music: Prompt) => media.hold(side, music, this.#media.deps),
      unhold: () => media.unhold(side),
    });
    ca.bridgeHold = holdFor('a');
    cb.bridgeHold = holdFor('b');
    ca.log.info({ with: cb.id }, 'bridged');
    return bridge;
  }

  async monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor> {
    const ct = this.#own(target);
    const cl = this.#own(listener);
    const bridge = [...this.#bridges].find((b) => b.includes(ct));
    if (!bridge) throw new Error(`call ${ct.id} is not bridged`);
    const media = bridge.media.monitor(cl.leg, mode, bridge.a === ct ? 'a' : 'b');
    ct.log.info({ listener: cl.id, mode }, 'monitor joined');
    return new EmbeddedMonitor(media, cl);
  }

  #own(call: Call): EmbeddedCall {
    if (!(call instanceof EmbeddedCall) || this.#calls.get(call.id) !== call) throw new Error(`call ${call.id} does not belong to this driver or has ended`);
    return call;
  }

  // ------------------------------------------------------------------ requests

  #onRequest(req: SipRequest, tx: ServerTransaction, source: InboundSource): void {
    switch (req.method) {
      case 'INVITE':
        if (this.#stack?.findDialog(req)) this.#onReinvite(req, tx);
        else if (hasToTag(req)) tx.respond(481, 'Call/Transaction Does Not Exist');
        else {
          this.#onInvite(req, tx, source).catch((err: unknown) => {
            this.#log.error({ err, callId: getHeader(req, 'Call-ID') }, 'incoming INVITE failed');
            if (!tx.finalSent) tx.respond(500, 'Server Internal Error');
          });
        }
        return;
      case 'BYE':
        this.#onBye(req, tx);
        return;
      case 'INFO':
        this.#onInfo(req, tx);
        return;
      case 'OPTIONS':
        tx.respond(200, 'OK', [
          { name: 'Allow', value: ALLOW }, { name: 'Accept', value: ACCEPT }, { name: 'Supported', value: SUPPORTED },
        ]);
        return;
      case 'REGISTER':
        this.#onRegister(req, tx, source).catch((err: unknown) => {
          this.#log.error({ err }, 'REGISTER failed');
          if (!tx.finalSent) tx.respond(500, 'Server Internal Error');
        });
        return;
      case 'NOTIFY':
        // Progress of a REFER we sent: nothing to act on.
        tx.respond(this.#stack?.findDialog(req) ? 200 : 481);
        return;
      case 'REFER':
        // We do not let the far end move our calls elsewhere.
        tx.respond(this.#stack?.findDialog(req) ? 603 : 481);
        return;
      default:
        tx.respond(501, 'Not Implemented', [{ name: 'Allow', value: ALLOW }]);
    }
  }

  async #onRegister(req: SipRequest, tx: ServerTransaction, source: InboundSource): Promise<void> {
    if (!this.#registrar) {
      tx.respond(403, 'Forbidden');
      return;
    }
    const input = registerInputFromRequest(req, source);
    if (!input) {
      tx.respond(400, 'Bad Request');
      return;
    }
    const outcome = await this.#registrar.handle(input);
    if (outcome.status === 200) this.#log.info({ user: outcome.user, address: source.address }, 'REGISTER accepted');
    tx.send(responseForRegister(req, outcome, tx.localTag));
  }

  async #onInvite(req: SipRequest, tx: ServerTransaction, source: InboundSource): Promise<void> {
    const stack = this.#requireStack();
    const callId = getHeader(req, 'Call-ID') ?? newCallId(this.#cfg.publicAddress);
    const log = this.#log.child({ callId });
    if (this.#stopping || this.#refusing) {
      tx.respond(503, 'Service Unavailable');
      return;
    }
    const remote = req.body.length > 0 ? parseRemoteAudio(req.body.toString('utf8')) : undefined;
    const chosen = remote ? negotiate(remote) : undefined;
    if (!remote || !chosen) {
      log.info({ hasOffer: req.body.length > 0 }, 'INVITE refused: no usable audio offer');
      tx.respond(488, 'Not Acceptable Here', [{ name: 'Warning', value: '304 tenor "audio PCMU or PCMA required"' }]);
      return;
    }
    let fromAddr: NameAddr;
    let toAddr: NameAddr;
    try {
      fromAddr = parseNameAddr(getHeader(req, 'From') ?? '');
      toAddr = parseNameAddr(getHeader(req, 'To') ?? '');
    } catch {
      tx.respond(400, 'Bad Request');
      return;
    }
    const dialed = tryParseUri(req.uri)?.user ?? toAddr.uri.user ?? '';
    const from: CallParty = { number: fromAddr.uri.user ?? fromAddr.uri.host, ...(fromAddr.displayName ? { displayName: fromAddr.displayName } : {}) };
    const to: CallParty = { number: dialed, ...(toAddr.displayName ? { displayName: toAddr.displayName } : {}) };
    const callSource = this.#identify(source, from.number);
    log.info({ from: from.number, to: to.number, source: callSource }, 'incoming call');

    const isEcho = this.#cfg.echoNumber !== '' && dialed === this.#cfg.echoNumber;
    if (!isEcho && this.listenerCount('incoming') === 0) {
      tx.respond(480, 'Temporarily Unavailable');
      return;
    }
    const admitted = this.#admission.admit(source.address, callSource.kind === 'trunk');
    if (isRefusal(admitted)) {
      log.warn({ address: source.address, limit: admitted.limit, limits: this.#admission.limits }, 'INVITE refused: call limit reached');
      tx.respond(admitted.status, admitted.reason, [
        { name: 'Retry-After', value: String(admitted.retryAfter) },
        { name: 'Warning', value: `399 tenor "${admitted.warning}"` },
      ]);
      return;
    }
    const ticket = admitted;
    // Media only from the address the SDP names or the one the INVITE came from (a phone behind NAT).
    const trusted = [source.address];
    if (isEcho) {
      await this.#answerEcho(stack, tx, { chosen, remote, callId, trusted, ticket, log });
      return;
    }

    // The RTP port is bound only when the application accepts the call (ring
    // with early media, answer, or any media operation): an INVITE that is
    // never accepted, or never ACKed, holds no port.
    const openRtp = async (): Promise<CallRtp> => {
      this.#opening++;
      try {
        const { leg, port } = await this.#bindLeg(chosen, remote, callId, trusted);
        leg.once('closed', () => this.#ports.release(port));
        return { leg, sdp: this.#sdpFor(port, remote, chosen) };
      } finally {
        this.#opening--;
      }
    };
    const signaling = SipLeg.inbound(stack, tx, callId, log, (dialog) => {
      this.#byDialog.set(dialog.key, call);
      dialog.once('ack', () => ticket.confirmed());
    });
    const call: EmbeddedCall = new EmbeddedCall({
      id: callId, direction: 'inbound', from, to, state: 'ringing', signaling, rtp: openRtp,
      media: this.#media.ops, logger: log, mediaTimeoutMs: this.#cfg.mediaTimeoutMs,
      referTarget: (t) => this.#referTarget(t),
      ...(this.#cfg.holdMusic !== undefined ? { holdMusic: this.#cfg.holdMusic } : {}),
    });
    call.once('hangup', () => ticket.release());
    tx.once('cancelled', () => void call.remoteEnded('cancelled'));
    this.#track(call);
    this.emit('incoming', { call, source: callSource, headers: headersOfInterest(req.headers) });
  }

  #onReinvite(req: SipRequest, tx: ServerTransaction): void {
    const stack = this.#requireStack();
    const dialog = stack.findDialog(req);
    const call = dialog ? this.#byDialog.get(dialog.key) : undefined;
    const echo = dialog ? this.#echoes.get(dialog.key) : undefined;
    const remote = req.body.length > 0 ? parseRemoteAudio(req.body.toString('utf8')) : undefined;
    if (!remote || (!call && !echo)) {
      tx.respond(remote ? 481 : 488);
      return;
    }
    let answer: string;
    if (call) {
      call.remoteReoffer(remote);
      answer = call.sdpAnswerTo(remote);
    } else {
      const session = echo as EchoSession;
      if (remote.address !== '0.0.0.0') session.leg.setRemote({ address: remote.address, port: remote.port });
      answer = this.#sdpFor(session.leg.localPort, remote, negotiate(remote)).answer();
    }
    tx.respond(200, 'OK', [{ name: 'Contact', value: stack.contact(tx.source.transport) }, ...allowHeaders()], { contentType: 'application/sdp', body: answer });
  }

  #onBye(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#stack?.findDialog(req);
    if (!dialog) {
      tx.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    tx.respond(200, 'OK');
    const echo = this.#echoes.get(dialog.key);
    if (echo) {
      void this.#endEcho(echo, false);
      return;
    }
    void this.#byDialog.get(dialog.key)?.remoteEnded('normal');
  }

  #onInfo(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#stack?.findDialog(req);
    const call = dialog ? this.#byDialog.get(dialog.key) : undefined;
    if (!dialog) {
      tx.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    if (req.body.length === 0) {
      tx.respond(200, 'OK');
      return;
    }
    const digit = digitFromInfo(getHeader(req, 'Content-Type'), req.body.toString('utf8'));
    if (digit === undefined) {
      tx.respond(415, 'Unsupported Media Type', [{ name: 'Accept', value: 'application/dtmf-relay, application/dtmf' }]);
      return;
    }
    tx.respond(200, 'OK');
    call?.log.debug({ digit }, 'dtmf via INFO');
    call?.remoteDigit(digit);
  }

  #identify(source: InboundSource, fromUser: string): CallSource {
    const trunk = this.#trunks.fromAddress(source.address);
    if (trunk) return { kind: 'trunk', trunk: trunk.name };
    const device = this.#registrar?.lookup(fromUser)
      .find((b) => b.source.address === source.address && b.source.port === source.port);
    if (device) return { kind: 'device', user: device.user };
    return { kind: 'unknown' };
  }

  // ------------------------------------------------------------------ echo test

  /** The engine itself accepts an echo test at once, so its media is bound here (the admission caps bound how many). */
  async #answerEcho(stack: SipStack, tx: ServerTransaction, call: {
    chosen: NegotiatedAudio; remote: RemoteAudio; callId: string; trusted: string[]; ticket: AdmissionTicket; log: Logger;
  }): Promise<void> {
    const { log, ticket } = call;
    let leg: MediaLeg;
    let port: number;
    this.#opening++;
    try {
      ({ leg, port } = await this.#bindLeg(call.chosen, call.remote, call.callId, call.trusted));
      leg.once('closed', () => this.#ports.release(port));
    } catch (err) {
      ticket.release();
      log.error({ err }, 'no media port for the echo test');
      tx.respond(503, 'Service Unavailable', [{ name: 'Retry-After', value: '5' }]);
      return;
    } finally {
      this.#opening--;
    }
    if (tx.finalSent || this.#stopping) {
      // Cancelled while we opened the media, or shutting down.
      ticket.release();
      if (!tx.finalSent) tx.respond(503, 'Service Unavailable');
      await leg.close();
      return;
    }
    this.#startEcho(stack, tx, leg, this.#sdpFor(port, call.remote, call.chosen), ticket, log);
  }

  #startEcho(stack: SipStack, tx: ServerTransaction, leg: MediaLeg, sdp: CallSdp, ticket: AdmissionTicket, log: Logger): void {
    const dialog = stack.acceptInvite(tx, { body: { contentType: 'application/sdp', body: sdp.answer() }, headers: allowHeaders() });
    dialog.once('ack', () => ticket.confirmed());
    const session: EchoSession = { dialog, leg, echo: new MediaEcho(leg), ticket };
    this.#echoes.set(dialog.key, session);
    log.info('echo test answered');
    leg.session.setMediaTimeout(this.#cfg.mediaTimeoutMs);
    leg.once('mediaTimeout', () => void this.#endEcho(session, true));
    dialog.once('ack-timeout', () => void this.#endEcho(session, false));
  }

  async #endEcho(session: EchoSession, sendBye: boolean): Promise<void> {
    if (!this.#echoes.delete(session.dialog.key)) return;
    session.ticket.release();
    session.echo.stop();
    if (sendBye && !session.dialog.terminated && this.#stack) this.#stack.sendInDialog(session.dialog, 'BYE');
    if (!session.dialog.terminated) session.dialog.terminate('echo ended');
    await session.leg.close();
  }

  // ------------------------------------------------------------------ helpers

  #track(call: EmbeddedCall, dialog?: Dialog): void {
    this.#calls.set(call.id, call);
    if (dialog) {
      this.#byDialog.set(dialog.key, call);
    }
    const onAckTimeout = (): void => void call.remoteEnded('failed');
    call.once('hangup', () => {
      this.#calls.delete(call.id);
      const d = call.signaling instanceof SipLeg ? call.signaling.dialog : undefined;
      if (d) {
        this.#byDialog.delete(d.key);
        d.off('ack-timeout', onAckTimeout);
      }
    });
    dialog?.once('ack-timeout', onAckTimeout);
  }

  /** Opens a media leg on the given port. The caller releases the port when the leg closes. */
  async #openLeg(port: number, chosen: NegotiatedAudio, remote: RemoteAudio | undefined, callId: string, trusted: readonly string[]): Promise<MediaLeg> {
    const leg = await MediaLeg.open({
      trustedAddresses: trusted,
      payloadType: STATIC_PT[chosen.codec],
      ...(chosen.telephoneEventPt !== undefined ? { telephoneEventPayloadType: chosen.telephoneEventPt } : {}),
      ...(remote ? { remote: { address: remote.address, port: remote.port } } : {}),
      localAddress: this.#cfg.bindAddress,
      localPort: port,
      // The call arms the timeout once answered (ringing calls have no media yet).
      mediaTimeoutMs: 0,
      logger: this.#log,
      callId,
    });
    this.#openLegs.add(leg);
    leg.once('closed', () => {
      this.#openLegs.delete(leg);
      this.#strangerPacketsOfClosedLegs += leg.stats().packetsFromStrangers;
    });
    return leg;
  }

  /** Allocates a port and opens a leg on it, skipping ports another program holds. */
  async #bindLeg(chosen: NegotiatedAudio, remote: RemoteAudio | undefined, callId: string, trusted: readonly string[]): Promise<{ leg: MediaLeg; port: number }> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = this.#ports.allocate();
      try {
        return { leg: await this.#openLeg(port, chosen, remote, callId, trusted), port };
      } catch (err) {
        this.#ports.release(port);
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('could not bind an RTP port');
  }

  /** SDP for one call on one local port: a stable session id and a version that goes up with each description. */
  #sdpFor(port: number, initialRemote?: RemoteAudio, initialChoice?: NegotiatedAudio): CallSdp {
    const sessionId = Math.floor(Math.random() * 2 ** 31);
    let version = 0;
    const base = (direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive') => ({
      address: this.#cfg.publicAddress, port, direction, sessionId, version: ++version,
    });
    let firstAnswer: string | undefined;
    return {
      offer: (direction) => createOffer(base(direction)),
      answer: () => {
        if (!initialRemote || !initialChoice) throw new Error('no offer to answer');
        firstAnswer ??= createAnswer(base(answerDirection(initialRemote.direction, 'sendrecv')), initialChoice);
        return firstAnswer;
      },
      answerTo: (remote, ours) => {
        const choice = negotiate(remote) ?? initialChoice ?? { codec: 'PCMU', pt: 0 };
        return createAnswer(base(answerDirection(remote.direction, ours)), choice);
      },
    };
  }

  #requireStack(): SipStack {
    if (!this.#stack) throw new Error('embedded driver is not started');
    return this.#stack;
  }
}

/** The addresses a trunk's calls come from (its host unless it lists them). */
function trunkAddresses(trunks: readonly TrunkConfig[]): string[] {
  return trunks.flatMap((t) => t.inboundAddresses ?? [t.host]);
}

function hasToTag(req: SipRequest): boolean {
  return /;\s*tag=/i.test(getHeader(req, 'To') ?? '');
}

function headersOfInterest(headers: HeaderField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if ((name.startsWith('x-') || HEADERS_OF_INTEREST.has(name)) && out[name] === undefined) out[name] = h.value;
  }
  return out;
}

function formatParty(party: CallParty, uri: string): string {
  const display = party.displayName ? `"${party.displayName.replace(/(["\\])/g, '\\$1')}" ` : '';
  return `${display}<${uri}>`;
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
