// "Call this number" from anywhere on the desk: a DOM event the dial pad listens
// for (the agreed seam between desk components), so a component that offers a
// call never imports the one that places it.

export interface DialRequest {
  /** E.164, as the server keeps numbers. */
  number: string;
  customerId?: string;
  callbackId?: string;
}

export const DIAL_EVENT = 'tenor:dial';

export function requestDial(request: DialRequest): void {
  window.dispatchEvent(new CustomEvent<DialRequest>(DIAL_EVENT, { detail: request }));
}
