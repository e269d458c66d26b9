// The two dialogs of one call through the edge (drachtio-srf's B2BUA): the far
// party's (a caller, a phone, a carrier) and FreeSWITCH's. The edge keeps them
// in step: a BYE on one ends the other, a re-INVITE (hold, a new codec or
// address) is offered to the other side and its answer relayed back, and a
// REFER or an INFO (DTMF some phones send that way) is relayed towards the far
// party or FreeSWITCH, whichever did not send it.
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { inDialogRequest } from './srf-requests.js';

type Dialog = Srf.Dialog;
type Request = Srf.SrfRequest;
type Response = Srf.SrfResponse;

/** drachtio-srf keeps `connected` on each dialog (false once a BYE ended it); its types leave it out. */
function isConnected(dialog: Dialog): boolean {
  return !('connected' in dialog) || dialog.connected !== false;
}

export class DialogPair {
  /** The far party's dialog, and FreeSWITCH's. */
  readonly far: Dialog;
  readonly media: Dialog;
  readonly #log: Logger;
  #ended = false;
  readonly #onEnded: (pair: DialogPair) => void;

  constructor(far: Dialog, media: Dialog, log: Logger, onEnded: (pair: DialogPair) => void) {
    this.far = far;
    this.media = media;
    this.#log = log;
    this.#onEnded = onEnded;
    for (const [from, to] of [[far, media], [media, far]] as const) {
      from.on('destroy', () => this.#end(to, from === far ? 'far party hung up' : 'FreeSWITCH hung up'));
      from.on('modify', (req: Request, res: Response) => void this.#relayReinvite(req, res, to));
      from.on('info', (req: Request, res: Response) => void this.#relayRequest('INFO', req, res, to));
    }
    // FreeSWITCH sends a REFER for a blind transfer (uuid_deflect): the far party is asked to call the target.
    media.on('refer', (req: Request, res: Response) => void this.#relayRequest('REFER', req, res, far));
    // A BYE can arrive between the 200 OK and these listeners (a caller hanging up at once): its 'destroy' is gone.
    if (!isConnected(far)) this.#end(media, 'far party hung up as the call connected');
    else if (!isConnected(media)) this.#end(far, 'FreeSWITCH hung up as the call connected');
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Ends both dialogs (a BYE to each), for shutdown. */
  async hangup(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnded(this);
    await Promise.all([this.far, this.media].map((d) => this.#destroy(d)));
  }

  #end(other: Dialog, why: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#log.info({ why }, 'call ended at the edge');
    this.#onEnded(this);
    void this.#destroy(other);
  }

  async #destroy(dialog: Dialog): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        dialog.destroy(undefined, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      });
    } catch (err) {
      this.#log.debug({ err }, 'BYE towards one side failed (it may have ended already)');
    }
  }

  async #relayReinvite(req: Request, res: Response, to: Dialog): Promise<void> {
    try {
      const answer = await to.modify(req.body);
      res.send(200, { body: answer, headers: { 'Content-Type': 'application/sdp' } });
    } catch (err) {
      this.#log.info({ err }, 're-INVITE refused by the other side');
      res.send(488);
    }
  }

  async #relayRequest(method: 'INFO' | 'REFER', req: Request, res: Response, to: Dialog): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of method === 'REFER' ? ['Refer-To', 'Referred-By'] : ['Content-Type']) {
      const value = req.get(name);
      if (value) headers[name] = value;
    }
    try {
      const reply = await inDialogRequest(to, { method, headers, ...(req.body ? { body: req.body } : {}) });
      res.send(reply.status);
    } catch (err) {
      this.#log.info({ err, method }, 'in-dialog request not relayed');
      res.send(500);
    }
  }
}
