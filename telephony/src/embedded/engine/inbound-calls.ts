// Incoming INVITEs: the checks before a call is offered to the application
// (shutting down, a usable audio offer, someone listening, the admission
// caps), who is calling (a trunk, a registered device, unknown), and the call
// handed out ringing. The echo test number is answered by the engine itself.
import type { EventEmitter } from 'node:events';
import type { CallParty, CallSource, DriverEvents } from '../../driver.js';
import { getHeader, parseNameAddr } from '../sip/headers.js';
import type { HeaderField, NameAddr, SipRequest } from '../sip/message.js';
import type { ServerTransaction } from '../sip/transaction/server.js';
import type { InboundSource } from '../sip/transport/common.js';
import { tryParseUri } from '../sip/uri.js';
import { isRefusal, type CallAdmission } from './admission.js';
import { EmbeddedCall, type CallRtp } from './call.js';
import type { CallDeps } from './call-deps.js';
import type { EchoTests } from './echo-tests.js';
import { newCallId } from './outbound.js';
import { negotiate, parseRemoteAudio } from './sdp.js';
import { encryptionRefusal } from './encryption-policy.js';
import { SipLeg } from './sip-leg.js';

/** Headers handed to the application with an incoming call (besides every X- header). */
const HEADERS_OF_INTEREST = new Set(['diversion', 'p-asserted-identity', 'remote-party-id', 'referred-by', 'subject', 'user-agent', 'history-info']);

export interface InboundCallsDeps extends CallDeps {
  admission: CallAdmission;
  echoes: EchoTests;
  /** The driver: incoming calls are emitted on it, and refused when nobody listens. */
  events: EventEmitter<DriverEvents>;
}

export class InboundCalls {
  readonly #deps: InboundCallsDeps;

  constructor(deps: InboundCallsDeps) {
    this.#deps = deps;
  }

  async onInvite(req: SipRequest, tx: ServerTransaction, source: InboundSource): Promise<void> {
    const { cfg, engine, legs, admission } = this.#deps;
    const stack = engine.requireStack();
    const callId = getHeader(req, 'Call-ID') ?? newCallId(cfg.publicAddress);
    const log = this.#deps.log.child({ callId });
    if (engine.stopping || engine.refusing) {
      tx.respond(503, 'Service Unavailable');
      return;
    }
    const remote = req.body.length > 0 ? parseRemoteAudio(req.body.toString('utf8')) : undefined;
    const chosen = remote ? negotiate(remote) : undefined;
    if (!remote || !chosen) {
      log.info({ hasOffer: req.body.length > 0, secure: remote?.secure }, 'INVITE refused: no usable audio offer');
      const what = remote?.secure ? 'SRTP with AES_CM_128_HMAC_SHA1_80 or _32 (SDES, no MKI)' : 'audio PCMU or PCMA';
      tx.respond(488, 'Not Acceptable Here', [{ name: 'Warning', value: `304 tenor "${what} required"` }]);
      return;
    }
    let fromAddr: NameAddr;
    let toAddr: NameAddr;
    try {
      fromAddr = parseNameAddr(getHeader(req, 'From') ?? '');
      toAddr = parseNameAddr(getHeader(req, 'To') ?? '');
    } catch (err) {
      log.info({ err }, 'INVITE refused: unreadable From or To');
      tx.respond(400, 'Bad Request');
      return;
    }
    const dialed = tryParseUri(req.uri)?.user ?? toAddr.uri.user ?? '';
    const from: CallParty = { number: fromAddr.uri.user ?? fromAddr.uri.host, ...(fromAddr.displayName ? { displayName: fromAddr.displayName } : {}) };
    const to: CallParty = { number: dialed, ...(toAddr.displayName ? { displayName: toAddr.displayName } : {}) };
    const callSource = this.#identify(source, from.number);
    // SRTP keyed by SDES, or by DTLS on a WebRTC offer.
    const srtp = chosen.crypto !== undefined || remote.webrtc !== undefined;
    log.info({ from: from.number, to: to.number, source: callSource, transport: source.transport, srtp }, 'incoming call');
    const refusal = callSource.kind === 'trunk' ? undefined : encryptionRefusal(cfg.requireEncryption(from.number), source.transport, srtp);
    if (refusal) {
      log.info({ from: from.number, status: refusal.status, reason: refusal.warning }, 'INVITE refused: encryption required');
      tx.respond(refusal.status, refusal.reason, [{ name: 'Warning', value: `399 tenor "${refusal.warning}"` }]);
      return;
    }

    const isEcho = cfg.echoNumber !== '' && dialed === cfg.echoNumber;
    if (!isEcho && this.#deps.events.listenerCount('incoming') === 0) {
      tx.respond(480, 'Temporarily Unavailable');
      return;
    }
    const admitted = admission.admit(source.address, callSource.kind === 'trunk');
    if (isRefusal(admitted)) {
      log.warn({ address: source.address, limit: admitted.limit, limits: admission.limits }, 'INVITE refused: call limit reached');
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
      await this.#deps.echoes.answer(stack, tx, { chosen, remote, callId, trusted, ticket, log });
      return;
    }

    // The RTP port is bound only when the application accepts the call (ring
    // with early media, answer, or any media operation): an INVITE that is
    // never accepted, or never ACKed, holds no port.
    const openRtp = async (): Promise<CallRtp> => {
      const { leg, port } = await legs.bindIncoming(chosen, remote, callId, trusted);
      return { leg, sdp: legs.sdpFor(port, remote, chosen, legs.answerSrtp(leg, chosen)) };
    };
    const signaling = SipLeg.inbound(stack, tx, callId, log, (dialog) => {
      this.#deps.calls.addDialog(dialog, call);
      dialog.once('ack', () => ticket.confirmed());
    });
    const call: EmbeddedCall = new EmbeddedCall({
      id: callId, direction: 'inbound', from, to, state: 'ringing', signaling, rtp: openRtp,
      logger: log, ...this.#deps.settings,
      directMedia: { allowed: this.#directMediaAllowed(callSource), signalledFrom: source.address, remote },
    });
    call.once('hangup', () => ticket.release());
    tx.once('cancelled', () => void call.remoteEnded('cancelled'));
    this.#deps.calls.track(call);
    this.#deps.events.emit('incoming', { call, source: callSource, headers: headersOfInterest(req.headers) });
  }

  /** The trunk's or the device's own direct-media setting; never for a caller Tenor does not know. */
  #directMediaAllowed(source: CallSource): boolean {
    if (source.kind === 'trunk') return this.#deps.trunks.table.get(source.trunk)?.directMedia === true;
    if (source.kind === 'device') return this.#deps.cfg.directMedia(source.user);
    return false;
  }

  #identify(source: InboundSource, fromUser: string): CallSource {
    // A WebSocket carries the web login it was opened with: the call is from that user, whatever From says.
    if (source.identity !== undefined) return { kind: 'device', user: source.identity };
    const trunk = this.#deps.trunks.table.fromAddress(source.address);
    if (trunk) return { kind: 'trunk', trunk: trunk.name };
    const device = this.#deps.registrar?.lookup(fromUser)
      .find((b) => b.source.address === source.address && b.source.port === source.port);
    if (device) return { kind: 'device', user: device.user };
    return { kind: 'unknown' };
  }
}

function headersOfInterest(headers: HeaderField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if ((name.startsWith('x-') || HEADERS_OF_INTEREST.has(name)) && out[name] === undefined) out[name] = h.value;
  }
  return out;
}
