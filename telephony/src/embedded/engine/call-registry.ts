// The calls in progress, by id and by SIP dialog: requests within a dialog
// (BYE, INFO, re-INVITE) find their call here, and a call leaves when it hangs up.
import type { Call } from '../../driver.js';
import type { Dialog } from '../sip/dialog.js';
import { EmbeddedCall } from './call.js';
import { SipLeg } from './sip-leg.js';

export class CallRegistry {
  readonly #calls = new Map<string, EmbeddedCall>();
  readonly #byDialog = new Map<string, EmbeddedCall>();
  #inboundTracked = 0;

  /** Incoming calls tracked since start (the originator counts the calls it places, answered or not). */
  get inboundTracked(): number {
    return this.#inboundTracked;
  }

  get size(): number {
    return this.#calls.size;
  }

  all(): EmbeddedCall[] {
    return [...this.#calls.values()];
  }

  byDialog(dialog: Dialog): EmbeddedCall | undefined {
    return this.#byDialog.get(dialog.key);
  }

  /** An incoming call gets its dialog when answered (or ringing with early media). */
  addDialog(dialog: Dialog, call: EmbeddedCall): void {
    this.#byDialog.set(dialog.key, call);
  }

  track(call: EmbeddedCall, dialog?: Dialog): void {
    this.#calls.set(call.id, call);
    if (call.direction === 'inbound') this.#inboundTracked++;
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

  /** The call as this engine's own, refusing one of another driver or one that has ended. */
  own(call: Call): EmbeddedCall {
    if (!(call instanceof EmbeddedCall) || this.#calls.get(call.id) !== call) throw new Error(`call ${call.id} does not belong to this driver or has ended`);
    return call;
  }
}
