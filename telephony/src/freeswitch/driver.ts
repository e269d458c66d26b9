// FreeSwitchDriver: the telephony driver contract over FreeSWITCH's event
// socket, inbound mode: one connection to FreeSWITCH carries every call's
// events and every command. FreeSWITCH's dialplan parks each call arriving on
// the profile (config-xml.ts); the driver sees CHANNEL_PARK, raises `incoming`
// and from then on drives the channel by its UUID. Outbound calls are placed
// with bgapi originate to &park() under a UUID chosen here. When Tenor serves
// FreeSWITCH's directory (xml-curl-server.ts, `domain` set), phones register
// there, their calls arrive authenticated, and the trunks are gateways that
// setTrunks changes while running (trunk-gateways.ts).
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import {
  OriginateError, type Bridge, type Call, type CallSource, type DialTarget, type DriverEvents, type DriverStats,
  type Monitor, type MonitorMode, type OriginateOptions, type Prompt, type TelephonyDriver,
  type SipWebSocketPeer, type SipWebSocketSink,
} from '../driver.js';
import { PromptLibrary } from '../embedded/media/prompts.js';
import { FreeSwitchCall, type CallContext } from './call.js';
import { causeFromFreeSwitch } from './causes.js';
import { EslConnection, type EslEndpoint, type FsEvent } from './esl-connection.js';
import { FsBridge, FsMonitor } from './joins.js';
import { originate, type OriginateRoute } from './originate.js';
import { USER_NAME } from './directory-xml.js';
import { GATEWAY_EVENTS, TrunkGateways, type FsTrunk } from './trunk-gateways.js';
import type { RelayDirectory } from './relay-directory.js';
import { SipWsRelay } from './sip-ws-relay.js';
import type { TrunkConfig, TrunkRegistrationState } from '../embedded/engine/trunks.js';

const EVENTS = [
  'CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'DTMF',
  'CHANNEL_EXECUTE_COMPLETE', 'BACKGROUND_JOB', 'RECORD_STOP', ...GATEWAY_EVENTS,
];

export interface FreeSwitchDriverConfig {
  eventSocket: EslEndpoint;
  /** The sofia profile calls arrive on and leave by (its dialplan context parks them). */
  profile: string;
  /** FreeSWITCH's SIP address and port, for transfer targets given as a bare number. */
  sipAddress: string;
  sipPort: number;
  /**
   * Carriers: calls from their addresses are 'trunk' calls; numbers are dialed
   * through their gateway. With `domain`, whole trunks are the profile's
   * gateways, served by Tenor's directory and changed by setTrunks.
   */
  trunks?: FsTrunk[];
  /**
   * Tenor's SIP domain when Tenor serves FreeSWITCH's directory (startFreeSwitch
   * with `xmlCurl`): phones are found registered there, a call authenticated by
   * a phone's digest is a 'device' call, and the trunks are managed as gateways.
   */
  domain?: string;
  /** Where FreeSWITCH can write temporary audio that Tenor reads (AMD). Default: the OS temp folder. */
  workDir?: string;
  promptsDir?: string;
  /** Music for hold() without `music`. Default: a soft tone FreeSWITCH generates. */
  holdMusic?: string;
  originateTimeoutMs?: number;
  /**
   * How long calls outlive a lost event socket. FreeSWITCH keeps its channels
   * while the driver reconnects, and a reconnect reconciles them; if the link is
   * not back by then, the driver ends its calls ('failed') so no agent is left on
   * a call nobody can see. Default 30000.
   */
  linkLostGraceMs?: number;
  /**
   * Browser phones: the profile's WebSocket binding (startFreeSwitch with
   * `webSocket`) that attachSipWebSocket relays each /sip connection to, and
   * the directory whose secrets the relay answers FreeSWITCH's challenges with
   * (the same one Tenor's xml_curl server serves). Without it the driver takes
   * no SIP WebSockets.
   */
  webSocket?: { url: string; directory: RelayDirectory };
  /** How long a call outlives the WebSocket it was signalled over before it ends with 'line-lost'. Default 3000, as on the embedded engine. */
  lineLostGraceMs?: number;
  logger?: Logger;
}

/** Reconnect attempts wait this long, doubling up to the maximum. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5000;

export class FreeSwitchDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'freeswitch';
  readonly #cfg: FreeSwitchDriverConfig;
  readonly #logger: Logger;
  #esl: EslConnection | undefined;
  readonly #calls = new Map<string, FreeSwitchCall>();
  /** UUIDs of originates not answered yet: their events are the originate job's, not a call's. */
  readonly #placing = new Set<string>();
  readonly #bridges = new Set<FsBridge>();
  #refusing = false;
  #stopping = false;
  #prompts: PromptLibrary | undefined;
  readonly #trunks: TrunkGateways;
  /** Set while the event socket is lost: when it was lost, and the timer that ends the calls if it stays lost. */
  #linkLost: { at: number; grace: NodeJS.Timeout } | undefined;
  readonly #relay: SipWsRelay | undefined;
  /** Line-lost timers of calls whose browser's WebSocket closed. */
  readonly #lineLost = new Set<NodeJS.Timeout>();
  /**
   * SIP Call-IDs of calls whose browser's WebSocket closed, until the grace is over: a leg
   * FreeSWITCH ends meanwhile (a re-INVITE it cannot send any more) ends as 'line-lost' too.
   */
  readonly #lostSipCallIds = new Set<string>();

  constructor(cfg: FreeSwitchDriverConfig) {
    super();
    this.#cfg = cfg;
    this.#logger = cfg.logger ?? pino({ level: 'silent' });
    this.#trunks = new TrunkGateways(cfg.trunks ?? [], cfg.profile, cfg.domain !== undefined, this.#logger);
    this.#relay = cfg.webSocket && new SipWsRelay({
      url: cfg.webSocket.url, directory: cfg.webSocket.directory, logger: this.#logger,
      onClosed: (user, callIds) => this.#onLineLost(user, callIds),
    });
  }

  async start(): Promise<void> {
    const esl = await EslConnection.connect(this.#cfg.eventSocket, EVENTS);
    this.#attach(esl);
    await this.#trunks.sync(esl).catch((err: unknown) => {
      // A driver that did not start holds no connection.
      this.#stopping = true;
      esl.close();
      throw err;
    });
    this.#logger.info({ eventSocket: `${this.#cfg.eventSocket.host}:${this.#cfg.eventSocket.port}` }, 'FreeSWITCH driver connected');
  }

  #attach(esl: EslConnection): void {
    this.#esl = esl;
    esl.on('event', (e) => this.#onEvent(e));
    esl.on('closed', (reason) => this.#onLinkLost(reason));
  }

  #requireEsl(): EslConnection {
    if (!this.#esl) throw new Error('FreeSwitchDriver is not started');
    return this.#esl;
  }

  #context(): CallContext {
    const driver = this;
    return {
      // Read on each use: after a reconnect the calls go on over the new connection.
      get esl() { return driver.#requireEsl(); },
      logger: this.#logger,
      promptFile: (p) => this.#promptFile(p),
      holdMusic: this.#cfg.holdMusic ?? 'tone_stream://%(1000,3000,440)',
      transferDomain: `${this.#cfg.sipAddress}:${this.#cfg.sipPort}`,
      workDir: this.#cfg.workDir ?? process.env['TMPDIR'] ?? '/tmp',
      rebridge: async (a, b) => { await this.#join(a, b); },
    };
  }

  #promptFile(prompt: Prompt): string {
    if (typeof prompt === 'string' && (prompt.includes('/') || prompt.toLowerCase().endsWith('.wav'))) return prompt;
    if (typeof prompt === 'object' && 'file' in prompt) return prompt.file;
    this.#prompts ??= new PromptLibrary(this.#cfg.promptsDir !== undefined ? { dir: this.#cfg.promptsDir } : {});
    return this.#prompts.resolve(prompt);
  }

  #onEvent(e: FsEvent): void {
    if (e.name === 'CUSTOM') {
      this.#trunks.onEvent(e);
      return;
    }
    const uuid = e.uuid;
    if (!uuid) return;
    const call = this.#calls.get(uuid);
    switch (e.name) {
      case 'CHANNEL_PARK':
        if (!call && !this.#placing.has(uuid) && e.header('Call-Direction') === 'inbound') this.#onInbound(uuid, e);
        return;
      case 'CHANNEL_ANSWER':
        call?.markAnswered();
        return;
      case 'DTMF': {
        const digit = e.header('DTMF-Digit');
        if (call && digit) call.markDigit(digit);
        return;
      }
      case 'CHANNEL_HANGUP':
      case 'CHANNEL_HANGUP_COMPLETE':
        if (call) {
          this.#calls.delete(uuid);
          const sipCallId = e.header('variable_sip_call_id');
          const lineLost = sipCallId !== undefined && this.#lostSipCallIds.has(sipCallId);
          call.markEnded(lineLost ? 'line-lost' : causeFromFreeSwitch(e.header('Hangup-Cause')));
        }
        return;
      default:
    }
  }

  #sourceOf(e: FsEvent): CallSource {
    const address = e.header('variable_sip_network_ip') ?? e.header('Caller-Network-Addr');
    const trunk = this.#trunks.fromAddress(address);
    if (trunk) return { kind: 'trunk', trunk: trunk.name };
    // A phone: FreeSWITCH challenged the INVITE and checked the answer against Tenor's directory
    // (a call let in by the ACL carries sip_acl_authed_by instead).
    const user = e.header('variable_sip_auth_username');
    if (this.#cfg.domain !== undefined && user && e.header('variable_sip_authorized') === 'true'
      && e.header('variable_sip_acl_authed_by') === undefined && e.header('variable_sip_auth_realm') === this.#cfg.domain) {
      return { kind: 'device', user };
    }
    return { kind: 'unknown' };
  }

  /** The trunks in use now (LiveTrunkControl). */
  get trunks(): TrunkConfig[] {
    return this.#trunks.all;
  }

  /**
   * Replaces the trunks while running: the next call uses the new ones. With
   * Tenor's directory, gateways of removed or changed trunks are killed (and
   * unregistered), new ones added by a profile rescan, and the ACL reloaded.
   * Throws, changing nothing, when two trunks share a name.
   */
  async setTrunks(trunks: TrunkConfig[]): Promise<void> {
    await this.#trunks.replace(this.#esl && !this.#esl.closed ? this.#esl : undefined, trunks);
  }

  /** Where the registration to a trunk stands; undefined for a trunk without `register: true` (or unknown). */
  trunkRegistration(name: string): TrunkRegistrationState | undefined {
    return this.#trunks.registration(name);
  }

  #onInbound(uuid: string, e: FsEvent): void {
    const logger = this.#logger.child({ callId: uuid });
    if (this.#refusing || this.#stopping) {
      logger.info('incoming call refused: not taking new calls');
      void this.#requireEsl().api(`uuid_kill ${uuid} NORMAL_TEMPORARY_FAILURE`).then((r) => {
        if (!r.ok) logger.debug({ reply: r.text }, 'refusing the call failed');
      });
      return;
    }
    const displayName = e.header('Caller-Caller-ID-Name');
    const call = new FreeSwitchCall(this.#context(), {
      uuid, direction: 'inbound', state: 'ringing',
      from: { number: e.header('Caller-Caller-ID-Number') ?? '', ...(displayName && displayName !== 'unknown' ? { displayName } : {}) },
      to: { number: e.header('Caller-Destination-Number') ?? '' },
    });
    this.#calls.set(uuid, call);
    const headers: Record<string, string> = {};
    for (const name of ['Diversion', 'P-Asserted-Identity']) {
      const value = e.header(`variable_sip_h_${name}`) ?? e.header(`variable_sip_${name.toLowerCase().replace(/-/g, '_')}`);
      if (value) headers[name.toLowerCase()] = value;
    }
    const raw = e.raw();
    for (const [key, value] of Object.entries(raw)) {
      if (key.startsWith('variable_sip_h_')) headers[key.slice('variable_sip_h_'.length).toLowerCase()] = value;
    }
    logger.info({ from: call.from.number, to: call.to.number }, 'incoming call');
    this.emit('incoming', { call, source: this.#sourceOf(e), headers });
  }

  #onLinkLost(reason: string): void {
    if (this.#stopping || this.#linkLost) return;
    const graceMs = this.#cfg.linkLostGraceMs ?? 30_000;
    this.#logger.error({ calls: this.#calls.size, reason, graceMs }, 'FreeSWITCH event socket lost: reconnecting');
    const grace = setTimeout(() => this.#endCalls('failed', 'the event socket stayed lost: calls ended here'), graceMs);
    this.#linkLost = { at: Date.now(), grace };
    void this.#reconnect();
  }

  /** Tries again with a doubling wait until connected or stopped, then reconciles the calls. */
  async #reconnect(): Promise<void> {
    let waitMs = RECONNECT_FIRST_MS;
    while (!this.#stopping) {
      await new Promise((r) => setTimeout(r, waitMs));
      if (this.#stopping) return;
      const esl = await EslConnection.connect(this.#cfg.eventSocket, EVENTS).catch((err: unknown) => {
        this.#logger.debug({ err, waitMs }, 'event socket reconnect failed');
        return undefined;
      });
      if (esl) {
        this.#attach(esl);
        const lost = this.#linkLost;
        this.#linkLost = undefined;
        if (lost) clearTimeout(lost.grace);
        this.#logger.info({ downMs: lost ? Date.now() - lost.at : 0 }, 'FreeSWITCH event socket back');
        await this.#reconcile(esl);
        await this.#trunks.sync(esl).catch((err: unknown) => this.#logger.warn({ err }, 'trunks not brought in line after the reconnect'));
        return;
      }
      waitMs = Math.min(waitMs * 2, RECONNECT_MAX_MS);
    }
  }

  /**
   * After a reconnect: calls whose channel ended while the link was down end
   * here too; channels that arrived meanwhile (parked, nobody took them) are
   * refused, since the events that would have introduced them are gone.
   */
  async #reconcile(esl: EslConnection): Promise<void> {
    const listing = await esl.api('show channels as json');
    let rows: Array<{ uuid?: unknown }> = [];
    try {
      const parsed: unknown = JSON.parse(listing.text);
      if (parsed && typeof parsed === 'object' && 'rows' in parsed && Array.isArray(parsed.rows)) rows = parsed.rows as Array<{ uuid?: unknown }>;
    } catch (err) {
      this.#logger.warn({ err, reply: listing.text.slice(0, 200) }, 'channel list unreadable after reconnect: calls kept as they are');
      return;
    }
    const alive = new Set(rows.flatMap((r) => (typeof r.uuid === 'string' ? [r.uuid] : [])));
    for (const call of [...this.#calls.values()]) {
      if (alive.has(call.uuid)) continue;
      this.#calls.delete(call.uuid);
      this.#logger.info({ callId: call.uuid }, 'call ended while the event socket was down');
      call.markEnded('failed');
    }
    for (const uuid of alive) {
      if (this.#calls.has(uuid) || this.#placing.has(uuid)) continue;
      this.#logger.warn({ callId: uuid }, 'channel that arrived while the event socket was down: refused');
      const r = await esl.api(`uuid_kill ${uuid} NORMAL_TEMPORARY_FAILURE`);
      if (!r.ok) this.#logger.debug({ callId: uuid, reply: r.text }, 'refusing the channel failed');
    }
  }

  #endCalls(cause: 'failed' | 'server-shutdown', why: string): void {
    if (this.#calls.size > 0) this.#logger[cause === 'failed' ? 'error' : 'warn']({ calls: this.#calls.size }, why);
    for (const call of [...this.#calls.values()]) {
      this.#calls.delete(call.uuid);
      call.markEnded(cause);
    }
  }

  /** Relays a browser's /sip connection to FreeSWITCH's WebSocket binding (sip-ws-relay.ts). */
  attachSipWebSocket(peer: SipWebSocketPeer): SipWebSocketSink {
    if (!this.#relay) throw new Error(`SIP over WebSocket needs the FreeSWITCH profile's WebSocket binding (webSocket), which this ${this.name} driver was not given`);
    if (this.#refusing || this.#stopping) {
      peer.close(1001, 'server shutting down');
      return { receive: () => undefined, closed: () => undefined };
    }
    return this.#relay.attach(peer);
  }

  /**
   * A browser's WebSocket closed: FreeSWITCH already dropped its registration;
   * the calls signalled over it (found by their SIP Call-ID) end with
   * 'line-lost' after the grace, as on the embedded engine, so the ACD can give
   * the caller to someone else, or sooner when FreeSWITCH ends the leg itself
   * (it cannot send a re-INVITE or refresh over the closed socket).
   */
  #onLineLost(user: string, callIds: readonly string[]): void {
    if (callIds.length === 0 || this.#stopping) return;
    const graceMs = this.#cfg.lineLostGraceMs ?? 3000;
    const wanted = new Set(callIds);
    for (const id of wanted) this.#lostSipCallIds.add(id);
    const timer = setTimeout(() => {
      this.#lineLost.delete(timer);
      void this.#endLostCalls(user, wanted)
        .catch((err: unknown) => this.#logger.error({ err, user }, 'ending the calls of a lost line failed'))
        .finally(() => { for (const id of wanted) this.#lostSipCallIds.delete(id); });
    }, graceMs);
    timer.unref();
    this.#lineLost.add(timer);
    this.#logger.warn({ user, graceMs, sipCallIds: callIds.length }, 'websocket of a browser phone closed: its calls end with line-lost after the grace');
  }

  async #endLostCalls(user: string, sipCallIds: ReadonlySet<string>): Promise<void> {
    const esl = this.#esl;
    if (!esl || esl.closed || this.#stopping) return;
    for (const call of [...this.#calls.values()]) {
      if (call.ended) continue;
      const reply = await esl.api(`uuid_getvar ${call.uuid} sip_call_id`);
      if (!reply.ok || !sipCallIds.has(reply.text.trim())) continue;
      this.#logger.warn({ callId: call.uuid, user }, 'line lost: call ended');
      await call.hangup('line-lost');
    }
  }

  refuseNewCalls(): void {
    this.#refusing = true;
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const ending = [...this.#calls.values()].map((c) => c.hangup('server-shutdown').catch((err: unknown) => {
      this.#logger.warn({ callId: c.uuid, err }, 'hang-up at shutdown failed');
    }));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(ending), new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
    this.#endCalls('server-shutdown', 'calls still up at shutdown: ended here');
    for (const timer of this.#lineLost) clearTimeout(timer);
    this.#lineLost.clear();
    this.#lostSipCallIds.clear();
    this.#relay?.close();
    if (this.#linkLost) clearTimeout(this.#linkLost.grace);
    await this.#trunks.stop(this.#esl).catch((err: unknown) => this.#logger.warn({ err }, 'gateways not removed at stop'));
    this.#esl?.close();
  }

  #route(target: DialTarget): OriginateRoute {
    switch (target.kind) {
      case 'address':
        // The call's `to` is the address's user (its host when it has none), as on the embedded engine.
        return {
          dial: `sofia/${this.#cfg.profile}/${target.address.replace(/^sips?:/, '')}`,
          to: /^(?:sips?:)?([^@;>]+)@/.exec(target.address)?.[1] ?? target.address.replace(/^sips?:/, '').split(/[;:]/)[0] ?? target.address,
        };
      case 'number': {
        const trunk = target.trunk ?? this.#trunks.first;
        if (!trunk) throw new OriginateError('unreachable', 'no trunk to dial a number through');
        return { dial: `sofia/gateway/${trunk}/${target.number}`, to: target.number };
      }
      case 'device':
        if (!USER_NAME.test(target.user)) throw new OriginateError('unreachable', `${JSON.stringify(target.user)} is not a SIP user name`);
        return { device: this.#cfg.domain !== undefined ? `${target.user}@${this.#cfg.domain}` : target.user, profile: this.#cfg.profile, to: target.user };
    }
  }

  async originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    if (this.#refusing || this.#stopping) throw new OriginateError('unreachable', 'not placing new calls');
    const esl = this.#requireEsl();
    const uuid = randomUUID();
    const route = this.#route(target);
    this.#placing.add(uuid);
    try {
      const answered = await originate(esl, this.#logger, {
        uuid, route, timeoutMs: opts.timeoutMs ?? this.#cfg.originateTimeoutMs ?? 60_000,
        callerId: opts.callerId, headers: opts.headers, signal: opts.signal,
      });
      const call = new FreeSwitchCall(this.#context(), {
        uuid, direction: 'outbound', state: 'answered',
        from: opts.callerId ?? { number: '' }, to: { number: route.to },
      });
      this.#calls.set(uuid, call);
      // The channel may have hung up between the job's reply and now.
      const alive = await esl.api(`uuid_exists ${uuid}`);
      if (!answered || alive.text !== 'true') {
        this.#calls.delete(uuid);
        call.markEnded('normal');
      }
      return call;
    } finally {
      this.#placing.delete(uuid);
    }
  }

  async #join(a: FreeSwitchCall, b: FreeSwitchCall): Promise<void> {
    const r = await this.#requireEsl().api(`uuid_bridge ${a.uuid} ${b.uuid}`);
    if (!r.ok) throw new Error(`bridge refused: ${r.text}`);
  }

  async bridge(a: Call, b: Call): Promise<Bridge> {
    const ca = this.#own(a);
    const cb = this.#own(b);
    if (ca.state !== 'answered' || cb.state !== 'answered') throw new Error('only answered calls can be bridged');
    await this.#join(ca, cb);
    const bridge = new FsBridge(ca, cb, (done) => this.#bridges.delete(done));
    this.#bridges.add(bridge);
    return bridge;
  }

  async monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor> {
    const t = this.#own(target);
    const l = this.#own(listener);
    if (!t.partner) throw new Error('only a bridged call can be monitored');
    return FsMonitor.start(t, l, mode);
  }

  #own(call: Call): FreeSwitchCall {
    const own = this.#calls.get(call.id);
    if (!own || own !== call) throw new Error(`call ${call.id} is not a live call of this driver`);
    return own;
  }

  stats(): DriverStats {
    return {
      activeCalls: this.#calls.size,
      activeBridges: this.#bridges.size,
      resources: { channels: this.#calls.size + this.#placing.size, placing: this.#placing.size },
      link: this.#linkLost ? 'down' : 'up',
    };
  }
}
