// A small scripted SIP user agent for tests, built on the engine's own SIP
// stack and media leg: it calls the driver, answers the driver's calls as told,
// sends digits and tones, and reports what it heard and how calls ended.
import pino from 'pino';
import type { PeerAnswerMode, PeerCall, PeerEnd } from '../../src/contract/harness.js';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { newCallId, newRequest, newTag } from '../../src/embedded/engine/outbound.js';
import { answerDirection, createAnswer, createOffer, negotiate, parseRemoteAudio } from '../../src/embedded/engine/sdp.js';
import { getHeader } from '../../src/embedded/sip/headers.js';
import type { Dialog } from '../../src/embedded/sip/dialog.js';
import type { HeaderField, SipEndpoint, SipRequest, SipResponse } from '../../src/embedded/sip/message.js';
import { SipStack } from '../../src/embedded/sip/stack.js';
import type { ClientTransaction } from '../../src/embedded/sip/transaction/client.js';
import type { ServerTransaction } from '../../src/embedded/sip/transaction/server.js';
import { tryParseUri } from '../../src/embedded/sip/uri.js';
import { PeerMedia } from './peer-media.js';

const silent = pino({ level: 'silent' });
export const TEST_TIMERS = { t1: 50, t2: 400, t4: 500 };

/** A random 100-port RTP range, so parallel test files rarely meet (the engine skips ports taken anyway). */
export function rtpRange(): { min: number; max: number } {
  const min = 30000 + Math.floor(Math.random() * 250) * 100;
  return { min, max: min + 99 };
}

function refusedFor(status: number): NonNullable<Extract<PeerEnd, { by: 'driver' }>['refused']> {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603 || status === 403) return 'rejected';
  if (status === 404 || status === 604 || status === 503) return 'unreachable';
  if (status === 480 || status === 408) return 'no-answer';
  if (status === 487) return 'cancelled';
  return 'failed';
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    p.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

export class SipPeerCall implements PeerCall {
  readonly peer: SipPeer;
  readonly callId: string;
  media: PeerMedia | undefined;
  dialog: Dialog | undefined;
  inviteTx: ClientTransaction | undefined;
  serverTx: ServerTransaction | undefined;
  #answered = false;
  #ringing = false;
  #ended: PeerEnd | undefined;
  #held = false;
  #transferTarget: string | undefined;
  #waiters: Array<() => void> = [];
  localPort = 0;
  sdpVersion = 1;
  /** The far end's latest SDP, for tests that inspect it. */
  remoteSdp = '';

  constructor(peer: SipPeer, callId: string) {
    this.peer = peer;
    this.callId = callId;
  }

  get answered(): boolean {
    return this.#answered;
  }

  get heldByDriver(): boolean {
    return this.#held;
  }

  get transferTarget(): string | undefined {
    return this.#transferTarget;
  }

  get ended(): PeerEnd | undefined {
    return this.#ended;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #until(check: () => boolean, ms: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return timeout(new Promise<void>((resolve) => {
      const wait = (): void => {
        if (check()) resolve();
        else this.#waiters.push(wait);
      };
      this.#waiters.push(wait);
    }), ms, what);
  }

  markRinging(): void {
    this.#ringing = true;
    this.#notify();
  }

  markAnswered(): void {
    this.#answered = true;
    this.#notify();
  }

  markHeld(held: boolean): void {
    this.#held = held;
    this.#notify();
  }

  markTransfer(target: string): void {
    this.#transferTarget = target;
    this.#notify();
  }

  end(how: PeerEnd): void {
    if (this.#ended) return;
    this.#ended = how;
    this.peer.forget(this);
    void this.media?.leg.close();
    this.media?.stop();
    this.#notify();
  }

  async waitAnswered(ms = 10_000): Promise<void> {
    await this.#until(() => this.#answered || this.#ended !== undefined, ms, 'answer');
    if (!this.#answered) throw new Error(`call ended before answer: ${JSON.stringify(this.#ended)}`);
  }

  async waitRinging(ms = 10_000): Promise<void> {
    await this.#until(() => this.#ringing || this.#answered || this.#ended !== undefined, ms, 'ringing');
  }

  async waitEnded(ms = 10_000): Promise<PeerEnd> {
    await this.#until(() => this.#ended !== undefined, ms, 'end of call');
    return this.#ended as PeerEnd;
  }

  async answer(): Promise<void> {
    const tx = this.serverTx;
    if (!tx || tx.finalSent) throw new Error('nothing to answer');
    this.dialog = this.peer.stack.acceptInvite(tx, { body: { contentType: 'application/sdp', body: this.peer.answerFor(this) } });
    this.peer.byDialog.set(this.dialog.key, this);
    this.markAnswered();
  }

  async hangup(): Promise<void> {
    if (this.#ended) return;
    if (this.#answered && this.dialog) {
      this.peer.stack.sendInDialog(this.dialog, 'BYE');
    } else if (this.inviteTx) {
      this.inviteTx.cancel();
    } else if (this.serverTx && !this.serverTx.finalSent) {
      this.serverTx.respond(486, 'Busy Here');
    }
    this.end({ by: 'peer' });
  }

  async sendDigits(digits: string): Promise<void> {
    await this.media?.leg.sendDigits(digits);
  }

  /** Sends digits as SIP INFO (application/dtmf-relay), one request each. */
  async sendInfoDigits(digits: string): Promise<number[]> {
    const statuses: number[] = [];
    for (const d of digits) {
      if (!this.dialog) break;
      const tx = this.peer.stack.sendInDialog(this.dialog, 'INFO', { body: `Signal=${d}\r\nDuration=160\r\n`, contentType: 'application/dtmf-relay' });
      statuses.push((await tx.response).status);
    }
    return statuses;
  }

  /** Puts the driver on hold (or resumes) with a re-INVITE; resolves with the status. */
  async reinvite(direction: 'sendonly' | 'sendrecv', address?: string): Promise<number> {
    if (!this.dialog) throw new Error('no dialog');
    const sdp = createOffer({ address: address ?? this.peer.address, port: this.localPort, direction, sessionId: 7, version: ++this.sdpVersion });
    const tx = this.peer.stack.sendInDialog(this.dialog, 'INVITE', { body: sdp, contentType: 'application/sdp' });
    const response = await tx.response;
    if (response.status >= 200 && response.status < 300) {
      this.remoteSdp = response.body.toString('utf8');
      this.peer.stack.sendAck(this.dialog);
    }
    return response.status;
  }

  startTone(frequencyHz = 440): void {
    if (this.media) this.media.tone = frequencyHz;
  }

  stopTone(): void {
    if (this.media) this.media.tone = undefined;
  }

  setMediaFlowing(flowing: boolean): void {
    if (this.media) this.media.flowing = flowing;
  }

  heardToneMs(): number {
    return this.media?.heardMs ?? 0;
  }
}

export interface SipPeerOptions {
  address: string;
  /** Listen on TCP instead of UDP. */
  transport?: 'udp' | 'tcp';
  /** The local SIP port (a free one unless told): a phone calling from where it registered. */
  port?: number;
  /** How calls to each user are handled; by default the user part names the mode ('answer', 'busy', 'decline', 'ring'). */
  modeFor?: (user: string) => PeerAnswerMode;
  /** Custom request handling before the defaults (return true when handled). */
  onRequest?: (req: SipRequest, tx: ServerTransaction) => boolean;
}

export class SipPeer {
  readonly stack: SipStack;
  readonly address: string;
  readonly byDialog = new Map<string, SipPeerCall>();
  readonly #calls = new Set<SipPeerCall>();
  readonly #incoming: SipPeerCall[] = [];
  #incomingWaiters: Array<(c: SipPeerCall) => void> = [];
  readonly #opts: SipPeerOptions;

  private constructor(opts: SipPeerOptions) {
    this.#opts = opts;
    this.address = opts.address;
    this.stack = new SipStack({
      logger: silent,
      udp: opts.transport === 'tcp' ? false : { address: opts.address, port: opts.port ?? 0 },
      tcp: opts.transport === 'tcp' ? { address: opts.address, port: opts.port ?? 0 } : false,
      timers: TEST_TIMERS, rateLimit: false,
    });
    this.stack.onRequest((req, tx) => this.#onRequest(req, tx));
  }

  static async start(opts: SipPeerOptions): Promise<SipPeer> {
    const peer = new SipPeer(opts);
    await peer.stack.start();
    return peer;
  }

  get port(): number {
    return this.stack.ports.udp ?? this.stack.ports.tcp ?? 0;
  }

  get transport(): 'udp' | 'tcp' {
    return this.#opts.transport ?? 'udp';
  }

  get openCalls(): number {
    return this.#calls.size;
  }

  forget(call: SipPeerCall): void {
    this.#calls.delete(call);
    if (call.dialog) this.byDialog.delete(call.dialog.key);
  }

  async #openMedia(call: SipPeerCall): Promise<void> {
    const leg = await MediaLeg.open({ payloadType: 0, telephoneEventPayloadType: 101, localAddress: this.address, logger: silent, callId: call.callId });
    call.localPort = leg.localPort;
    call.media = new PeerMedia(leg);
  }

  answerFor(call: SipPeerCall): string {
    const remote = parseRemoteAudio(call.remoteSdp);
    const chosen = (remote && negotiate(remote)) ?? { codec: 'PCMU' as const, pt: 0 };
    return createAnswer({
      address: this.address, port: call.localPort,
      direction: answerDirection(remote?.direction ?? 'sendrecv', 'sendrecv'), sessionId: 9, version: ++call.sdpVersion,
    }, { ...chosen, telephoneEventPt: remote?.telephoneEventPt ?? 101 });
  }

  /** Calls `uri` at `destination`. */
  async call(opts: { uri: string; destination: SipEndpoint; from: string; headers?: HeaderField[]; sdp?: string }): Promise<SipPeerCall> {
    const callId = newCallId(this.address);
    const call = new SipPeerCall(this, callId);
    this.#calls.add(call);
    await this.#openMedia(call);
    const request = newRequest({
      method: 'INVITE', uri: opts.uri,
      from: `<sip:${opts.from}@${this.address}>;tag=${newTag()}`, to: `<${opts.uri}>`,
      callId, cseq: 1, contact: this.stack.contact(this.transport, 'peer'), headers: opts.headers ?? [],
      body: { contentType: 'application/sdp', text: opts.sdp ?? createOffer({ address: this.address, port: call.localPort, direction: 'sendrecv', sessionId: 9, version: 1 }) },
    });
    const tx = this.stack.sendRequest(request, opts.destination);
    call.inviteTx = tx;
    tx.on('provisional', () => call.markRinging());
    void tx.response.then((response) => this.#onFinal(call, tx, response));
    return call;
  }

  #onFinal(call: SipPeerCall, tx: ClientTransaction, response: SipResponse): void {
    call.inviteTx = undefined;
    if (response.status >= 300) {
      call.end({ by: 'driver', refused: refusedFor(response.status) });
      return;
    }
    const dialog = this.stack.createUacDialog(tx, response);
    call.dialog = dialog;
    this.byDialog.set(dialog.key, call);
    if (call.ended) {
      // We hung up while the answer was on its way.
      this.stack.sendInDialog(dialog, 'BYE');
      return;
    }
    call.remoteSdp = response.body.toString('utf8');
    const remote = parseRemoteAudio(call.remoteSdp);
    if (remote) call.media?.leg.setRemote({ address: remote.address, port: remote.port });
    call.markAnswered();
  }

  /** Sends one out-of-dialog request and resolves with the final response. */
  async request(method: string, uri: string, destination: SipEndpoint, headers: HeaderField[] = [], opts: { aor?: string; callId?: string; cseq?: number } = {}): Promise<SipResponse> {
    const to = opts.aor ?? uri;
    const from = opts.aor ?? `sip:peer@${this.address}`;
    const req = newRequest({
      method, uri, from: `<${from}>;tag=${newTag()}`, to: `<${to}>`, callId: opts.callId ?? newCallId(this.address), cseq: opts.cseq ?? 1, headers,
    });
    return this.stack.sendRequest(req, destination).response;
  }

  nextCall(ms = 10_000): Promise<SipPeerCall> {
    const ready = this.#incoming.shift();
    if (ready) return Promise.resolve(ready);
    return timeout(new Promise<SipPeerCall>((resolve) => this.#incomingWaiters.push(resolve)), ms, 'incoming call at peer');
  }

  #onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (this.#opts.onRequest?.(req, tx)) return;
    const dialog = this.stack.findDialog(req);
    const call = dialog ? this.byDialog.get(dialog.key) : undefined;
    switch (req.method) {
      case 'INVITE':
        if (dialog) {
          if (!call) {
            tx.respond(481);
            return;
          }
          call.remoteSdp = req.body.toString('utf8');
          const remote = parseRemoteAudio(call.remoteSdp);
          if (remote) {
            call.markHeld(remote.holding);
            if (remote.address !== '0.0.0.0') call.media?.leg.setRemote({ address: remote.address, port: remote.port });
          }
          tx.respond(200, 'OK', [{ name: 'Contact', value: this.stack.contact(this.transport, 'peer') }], { contentType: 'application/sdp', body: this.answerFor(call) });
          return;
        }
        void this.#onInvite(req, tx);
        return;
      case 'BYE':
        tx.respond(call ? 200 : 481);
        call?.end({ by: 'driver' });
        return;
      case 'REFER': {
        const target = getHeader(req, 'Refer-To') ?? '';
        tx.respond(call ? 202 : 481);
        call?.markTransfer(target.replace(/^<|>$/g, ''));
        return;
      }
      default:
        tx.respond(200);
    }
  }

  async #onInvite(req: SipRequest, tx: ServerTransaction): Promise<void> {
    const user = tryParseUri(req.uri)?.user ?? 'answer';
    const mode = this.#opts.modeFor?.(user) ?? modeFromUser(user);
    const call = new SipPeerCall(this, getHeader(req, 'Call-ID') ?? 'unknown');
    call.serverTx = tx;
    call.remoteSdp = req.body.toString('utf8');
    this.#calls.add(call);
    tx.once('cancelled', () => call.end({ by: 'driver', refused: 'cancelled' }));
    if (mode.kind === 'busy' || mode.kind === 'decline') {
      tx.respond(mode.kind === 'busy' ? 486 : 603);
      call.end({ by: 'peer' });
    } else {
      await this.#openMedia(call);
      const remote = parseRemoteAudio(call.remoteSdp);
      if (remote) call.media?.leg.setRemote({ address: remote.address, port: remote.port });
      if (!tx.finalSent) tx.respond(180, 'Ringing', [{ name: 'Contact', value: this.stack.contact(this.transport, 'peer') }]);
      call.markRinging();
      if (mode.kind === 'answer') {
        if (mode.afterMs) await new Promise((r) => setTimeout(r, mode.afterMs));
        if (!call.ended) await call.answer();
      }
    }
    const waiter = this.#incomingWaiters.shift();
    if (waiter) waiter(call);
    else this.#incoming.push(call);
  }

  async close(): Promise<void> {
    for (const call of [...this.#calls]) {
      call.media?.stop();
      await call.media?.leg.close();
    }
    await this.stack.stop();
  }
}

function modeFromUser(user: string): PeerAnswerMode {
  if (user === 'busy') return { kind: 'busy' };
  if (user === 'decline') return { kind: 'decline' };
  if (user === 'ring') return { kind: 'ring' };
  return { kind: 'answer' };
}
