// Sending requests with drachtio-srf, typed as it runs them. Its own types
// ask Dialog#request for a whole request object (it reads the method, headers
// and body) and give Srf#request a (uri, opts, method, [body]) signature it does
// not have (it takes uri, opts and an optional callback): the two calls below
// are the only places those types are set aside.
import type Srf from 'drachtio-srf';

export interface RequestOptions {
  method: Srf.SipMethod;
  headers: Record<string, string>;
  body?: string;
}

/** A request inside a dialog (re-INVITE aside: Dialog#modify does those); resolves with the final response. */
export function inDialogRequest(dialog: Srf.Dialog, opts: RequestOptions): Promise<Srf.SrfResponse> {
  return dialog.request(opts as Srf.SrfRequest);
}

type OutOfDialogRequest = (uri: string, opts: RequestOptions & { auth?: { username: string; password: string } }) => Promise<Srf.SrfRequest>;

/**
 * A request outside any dialog (a REGISTER to a carrier); resolves with the
 * final response. With `auth`, drachtio-srf answers a 401/407 challenge itself
 * and the response is the one to the authenticated request.
 */
export async function outOfDialogRequest(
  srf: Srf, uri: string, opts: RequestOptions & { auth?: { username: string; password: string } }, timeoutMs = 32_000,
): Promise<Srf.SrfResponse> {
  const send = (srf.request as unknown as OutOfDialogRequest).bind(srf);
  const req = await send(uri, opts);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no final response to ${opts.method} ${uri}`)), timeoutMs);
    req.on('response', (res) => {
      if (!res || res.status < 200) return;
      clearTimeout(timer);
      resolve(res);
    });
  });
}
