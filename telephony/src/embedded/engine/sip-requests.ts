// Every SIP request the stack hands the engine, sent where it belongs: new
// INVITEs to InboundCalls, requests within a dialog (re-INVITE, BYE, INFO) to
// the call or echo test of that dialog, REGISTER to the registrar.
import type { Logger } from 'pino';
import type { Registrar } from '../registrar/registrar.js';
import { registerInputFromRequest, responseForRegister } from '../registrar/sip-register.js';
import { getHeader } from '../sip/headers.js';
import type { SipRequest } from '../sip/message.js';
import type { ServerTransaction } from '../sip/transaction/server.js';
import type { InboundSource } from '../sip/transport/common.js';
import type { CallRegistry } from './call-registry.js';
import { digitFromInfo } from './dtmf-info.js';
import type { EchoTests } from './echo-tests.js';
import type { EngineState } from './engine-state.js';
import type { InboundCalls } from './inbound-calls.js';
import { parseRemoteAudio } from './sdp.js';
import { encryptionRefusal } from './encryption-policy.js';
import { ACCEPT, ALLOW, SUPPORTED, allowHeaders } from './sip-leg.js';

export interface SipRequestsDeps {
  log: Logger;
  engine: EngineState;
  calls: CallRegistry;
  echoes: EchoTests;
  inbound: InboundCalls;
  registrar: Registrar | undefined;
  /** Whether a SIP user must use TLS and SRTP (site-wide or the device's own setting). */
  requireEncryption(user: string): boolean;
}

export class SipRequests {
  readonly #deps: SipRequestsDeps;

  constructor(deps: SipRequestsDeps) {
    this.#deps = deps;
  }

  handle(req: SipRequest, tx: ServerTransaction, source: InboundSource): void {
    const stack = this.#deps.engine.stack;
    switch (req.method) {
      case 'INVITE':
        if (stack?.findDialog(req)) this.#onReinvite(req, tx);
        else if (hasToTag(req)) tx.respond(481, 'Call/Transaction Does Not Exist');
        else {
          this.#deps.inbound.onInvite(req, tx, source).catch((err: unknown) => {
            this.#deps.log.error({ err, callId: getHeader(req, 'Call-ID') }, 'incoming INVITE failed');
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
          this.#deps.log.error({ err }, 'REGISTER failed');
          if (!tx.finalSent) tx.respond(500, 'Server Internal Error');
        });
        return;
      case 'NOTIFY':
        // Progress of a REFER we sent: nothing to act on.
        tx.respond(stack?.findDialog(req) ? 200 : 481);
        return;
      case 'REFER':
        // We do not let the far end move our calls elsewhere.
        tx.respond(stack?.findDialog(req) ? 603 : 481);
        return;
      default:
        tx.respond(501, 'Not Implemented', [{ name: 'Allow', value: ALLOW }]);
    }
  }

  async #onRegister(req: SipRequest, tx: ServerTransaction, source: InboundSource): Promise<void> {
    const registrar = this.#deps.registrar;
    if (!registrar) {
      tx.respond(403, 'Forbidden');
      return;
    }
    const input = registerInputFromRequest(req, source);
    if (!input) {
      tx.respond(400, 'Bad Request');
      return;
    }
    // Before the digest: a device that must use TLS is told so without learning whether its password is right.
    const refusal = encryptionRefusal(this.#deps.requireEncryption(input.user ?? ''), source.transport);
    if (refusal) {
      this.#deps.log.info({ user: input.user, address: source.address, transport: source.transport, callId: input.callId }, 'REGISTER refused: encryption required');
      tx.respond(refusal.status, refusal.reason, [{ name: 'Warning', value: `399 tenor "${refusal.warning}"` }]);
      return;
    }
    const outcome = await registrar.handle(input);
    if (outcome.status === 200) this.#deps.log.info({ user: outcome.user, address: source.address }, 'REGISTER accepted');
    tx.send(responseForRegister(req, outcome, tx.localTag));
  }

  #onReinvite(req: SipRequest, tx: ServerTransaction): void {
    const stack = this.#deps.engine.requireStack();
    const dialog = stack.findDialog(req);
    const call = dialog ? this.#deps.calls.byDialog(dialog) : undefined;
    const isEcho = dialog ? this.#deps.echoes.has(dialog) : false;
    const remote = req.body.length > 0 ? parseRemoteAudio(req.body.toString('utf8')) : undefined;
    if (!remote || !dialog || (!call && !isEcho)) {
      tx.respond(remote ? 481 : 488);
      return;
    }
    let answer: string | undefined;
    if (call) {
      call.remoteReoffer(remote);
      answer = call.sdpAnswerTo(remote);
    } else {
      answer = this.#deps.echoes.reoffer(dialog, remote);
    }
    if (answer === undefined) {
      tx.respond(481);
      return;
    }
    tx.respond(200, 'OK', [{ name: 'Contact', value: stack.contact(tx.source.transport) }, ...allowHeaders()], { contentType: 'application/sdp', body: answer });
  }

  #onBye(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#deps.engine.stack?.findDialog(req);
    if (!dialog) {
      tx.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    tx.respond(200, 'OK');
    if (this.#deps.echoes.remoteEnded(dialog)) return;
    void this.#deps.calls.byDialog(dialog)?.remoteEnded('normal');
  }

  #onInfo(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.#deps.engine.stack?.findDialog(req);
    const call = dialog ? this.#deps.calls.byDialog(dialog) : undefined;
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
    // The digit itself is never logged: it may be part of a card number or a PIN.
    call?.log.debug('dtmf via INFO');
    call?.remoteDigit(digit);
  }
}

function hasToTag(req: SipRequest): boolean {
  return /;\s*tag=/i.test(getHeader(req, 'To') ?? '');
}
