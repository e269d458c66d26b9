// SignalingLeg over a SIP dialog on the shared SipStack: the UAS side of an
// incoming INVITE, or the UAC side of an INVITE we placed once it was answered.
import type { Logger } from 'pino';
import type { Dialog } from '../sip/dialog.js';
import type { SipStack } from '../sip/stack.js';
import type { ClientTransaction } from '../sip/transaction/client.js';
import type { ServerTransaction } from '../sip/transaction/server.js';
import type { SipResponse } from '../sip/message.js';
import type { Refusal, SignalingLeg } from './signaling.js';

/** We wait this long for the answer to a BYE before moving on (the transaction keeps retrying on its own). */
const BYE_WAIT_MS = 2000;
const SDP = 'application/sdp';

export class SipLeg implements SignalingLeg {
  readonly callId: string;
  readonly #stack: SipStack;
  readonly #log: Logger;
  readonly #invite: ServerTransaction | undefined;
  #dialog: Dialog | undefined;
  /** Called when this leg gets its dialog (so the engine can route in-dialog requests to the call). */
  readonly #onDialog: (dialog: Dialog) => void;

  private constructor(stack: SipStack, callId: string, log: Logger, onDialog: (d: Dialog) => void, invite?: ServerTransaction, dialog?: Dialog) {
    this.#stack = stack;
    this.callId = callId;
    this.#log = log;
    this.#onDialog = onDialog;
    this.#invite = invite;
    this.#dialog = dialog;
  }

  static inbound(stack: SipStack, invite: ServerTransaction, callId: string, log: Logger, onDialog: (d: Dialog) => void): SipLeg {
    return new SipLeg(stack, callId, log, onDialog, invite);
  }

  static outbound(stack: SipStack, dialog: Dialog, log: Logger): SipLeg {
    return new SipLeg(stack, dialog.callId, log, () => undefined, undefined, dialog);
  }

  get dialog(): Dialog | undefined {
    return this.#dialog;
  }

  async ring(earlyMediaSdp?: string): Promise<void> {
    const tx = this.#requireInvite();
    const contact = [{ name: 'Contact', value: this.#stack.contact(tx.source.transport) }];
    if (earlyMediaSdp !== undefined) tx.respond(183, 'Session Progress', contact, { contentType: SDP, body: earlyMediaSdp });
    else tx.respond(180, 'Ringing', contact);
  }

  async accept(sdp: string): Promise<void> {
    const tx = this.#requireInvite();
    if (tx.finalSent) throw new Error('the INVITE was already answered or cancelled');
    const dialog = this.#stack.acceptInvite(tx, { body: { contentType: SDP, body: sdp }, headers: allowHeaders() });
    this.#dialog = dialog;
    this.#onDialog(dialog);
  }

  async refuse(refusal: Refusal): Promise<void> {
    const tx = this.#requireInvite();
    if (tx.finalSent) return;
    tx.respond(refusal.status, refusal.reason);
  }

  async bye(): Promise<void> {
    const dialog = this.#dialog;
    if (!dialog || dialog.terminated) return;
    const tx = this.#stack.sendInDialog(dialog, 'BYE');
    const answer = await waitFinal(tx, BYE_WAIT_MS);
    // Common with a phone that vanished; the call is over for Tenor either way.
    if (answer === undefined) this.#log.debug({ callId: this.callId, waitedMs: BYE_WAIT_MS }, 'BYE not answered yet; its transaction keeps retrying');
  }

  async reinvite(sdp: string): Promise<string> {
    const dialog = this.#requireDialog();
    const tx = this.#stack.sendInDialog(dialog, 'INVITE', { body: sdp, contentType: SDP, headers: allowHeaders() });
    const response = await tx.response;
    if (response.status < 200 || response.status >= 300) throw new Error(`re-INVITE answered ${response.status}`);
    this.#stack.sendAck(dialog);
    return response.body.toString('utf8');
  }

  async refer(target: string): Promise<number> {
    const dialog = this.#requireDialog();
    const tx = this.#stack.sendInDialog(dialog, 'REFER', {
      headers: [{ name: 'Refer-To', value: `<${target}>` }, { name: 'Referred-By', value: dialog.local.replace(/;tag=[^;]*/, '') }],
    });
    return (await tx.response).status;
  }

  release(): void {
    // The dialog ends with the BYE (sent or received); one left over (e.g. refused call) ends here.
    if (this.#dialog && !this.#dialog.terminated) this.#dialog.terminate('call ended');
  }

  #requireInvite(): ServerTransaction {
    if (!this.#invite) throw new Error('not an incoming call');
    return this.#invite;
  }

  #requireDialog(): Dialog {
    if (!this.#dialog || this.#dialog.terminated) throw new Error('call has no dialog');
    return this.#dialog;
  }
}

export function allowHeaders(): Array<{ name: string; value: string }> {
  return [{ name: 'Allow', value: ALLOW }, { name: 'Supported', value: SUPPORTED }];
}

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY, REFER, REGISTER';
export const ACCEPT = 'application/sdp, application/dtmf-relay, application/dtmf';
// No SIP extensions are supported (no 100rel, timer, replaces): an empty list says so honestly.
export const SUPPORTED = '';

function waitFinal(tx: ClientTransaction, ms: number): Promise<SipResponse | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void tx.response.then((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
