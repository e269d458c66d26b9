// The echo test number: the engine answers it itself and sends each caller's
// audio back, with no application involved. Its callers count as calls in
// progress (graceful shutdown waits for them).
import type { Logger } from 'pino';
import { MediaEcho } from '../media/bridge.js';
import type { MediaLeg } from '../media/leg.js';
import type { Dialog } from '../sip/dialog.js';
import type { SipStack } from '../sip/stack.js';
import type { ServerTransaction } from '../sip/transaction/server.js';
import type { AdmissionTicket } from './admission.js';
import type { CallSdp } from './call.js';
import type { EngineState } from './engine-state.js';
import type { MediaLegs } from './media-legs.js';
import { type NegotiatedAudio, type RemoteAudio } from './sdp.js';
import { allowHeaders } from './sip-leg.js';

interface EchoSession {
  dialog: Dialog;
  leg: MediaLeg;
  echo: MediaEcho;
  ticket: AdmissionTicket;
  /** The session's SDP: a re-offer is answered with its next version and the SRTP key in use. */
  sdp: CallSdp;
}

export interface EchoCall {
  chosen: NegotiatedAudio;
  remote: RemoteAudio;
  callId: string;
  trusted: string[];
  ticket: AdmissionTicket;
  log: Logger;
}

export class EchoTests {
  readonly #engine: EngineState;
  readonly #legs: MediaLegs;
  readonly #mediaTimeoutMs: number;
  readonly #sessions = new Map<string, EchoSession>();

  constructor(engine: EngineState, legs: MediaLegs, mediaTimeoutMs: number) {
    this.#engine = engine;
    this.#legs = legs;
    this.#mediaTimeoutMs = mediaTimeoutMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  has(dialog: Dialog): boolean {
    return this.#sessions.has(dialog.key);
  }

  /** The engine itself accepts an echo test at once, so its media is bound here (the admission caps bound how many). */
  async answer(stack: SipStack, tx: ServerTransaction, call: EchoCall): Promise<void> {
    const { log, ticket } = call;
    let leg: MediaLeg;
    let port: number;
    try {
      ({ leg, port } = await this.#legs.bindIncoming(call.chosen, call.remote, call.callId, call.trusted));
    } catch (err) {
      ticket.release();
      log.error({ err }, 'no media port for the echo test');
      tx.respond(503, 'Service Unavailable', [{ name: 'Retry-After', value: '5' }]);
      return;
    }
    if (tx.finalSent || this.#engine.stopping) {
      // Cancelled while we opened the media, or shutting down.
      ticket.release();
      if (!tx.finalSent) tx.respond(503, 'Service Unavailable');
      await leg.close();
      return;
    }
    this.#start(stack, tx, leg, this.#legs.sdpFor(port, call.remote, call.chosen, this.#legs.answerSrtp(leg, call.chosen)), ticket, log);
  }

  /** The SDP answer to a re-INVITE in an echo test's dialog. */
  reoffer(dialog: Dialog, remote: RemoteAudio): string | undefined {
    const session = this.#sessions.get(dialog.key);
    if (!session) return undefined;
    if (remote.address !== '0.0.0.0') session.leg.setRemote({ address: remote.address, port: remote.port });
    return session.sdp.answerTo(remote, 'sendrecv');
  }

  /** The caller hung up (BYE): true when the dialog was an echo test's. */
  remoteEnded(dialog: Dialog): boolean {
    const session = this.#sessions.get(dialog.key);
    if (!session) return false;
    void this.#end(session, false);
    return true;
  }

  async endAll(): Promise<void> {
    for (const session of [...this.#sessions.values()]) await this.#end(session, true);
  }

  #start(stack: SipStack, tx: ServerTransaction, leg: MediaLeg, sdp: CallSdp, ticket: AdmissionTicket, log: Logger): void {
    const dialog = stack.acceptInvite(tx, { body: { contentType: 'application/sdp', body: sdp.answer() }, headers: allowHeaders() });
    dialog.once('ack', () => ticket.confirmed());
    const session: EchoSession = { dialog, leg, echo: new MediaEcho(leg), ticket, sdp };
    this.#sessions.set(dialog.key, session);
    log.info('echo test answered');
    leg.session.setMediaTimeout(this.#mediaTimeoutMs);
    leg.once('mediaTimeout', () => void this.#end(session, true));
    dialog.once('ack-timeout', () => void this.#end(session, false));
  }

  async #end(session: EchoSession, sendBye: boolean): Promise<void> {
    if (!this.#sessions.delete(session.dialog.key)) return;
    session.ticket.release();
    session.echo.stop();
    if (sendBye && !session.dialog.terminated && this.#engine.stack) this.#engine.stack.sendInDialog(session.dialog, 'BYE');
    if (!session.dialog.terminated) session.dialog.terminate('echo ended');
    await session.leg.close();
  }
}
