// REGISTER at the edge: drachtio-server passes the request to Tenor, which
// answers it with the embedded engine's registrar (digest, expiries, bindings,
// throttling: telephony/src/embedded/registrar/), so phones authenticate with
// the same credentials and rules whichever engine carries the calls.
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { RegisterContact, RegisterInput, Registrar } from '../embedded/registrar/index.js';

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`bad expires ${text}`);
  return n;
}

/** The contacts of a REGISTER: '*', each <uri> with its own expires, or none (a query). */
function contactsOf(header: string | undefined): RegisterContact[] | '*' {
  if (header === undefined || header.trim() === '') return [];
  if (header.trim() === '*') return '*';
  const contacts: RegisterContact[] = [];
  // Contact: <sip:a@h:p>;expires=60, "Name" <sip:b@h>  (commas inside <> are part of the URI)
  for (const m of header.matchAll(/<([^>]*)>([^,]*)/g)) {
    const uri = m[1] ?? '';
    const expires = /;\s*expires\s*=\s*(\d+)/i.exec(m[2] ?? '')?.[1];
    contacts.push({ uri, ...(expires !== undefined ? { expires: Number(expires) } : {}) });
  }
  if (contacts.length === 0) {
    for (const part of header.split(',')) {
      const [uri, ...params] = part.trim().split(';');
      const expires = params.map((p) => /^\s*expires\s*=\s*(\d+)/i.exec(p)?.[1]).find((v) => v !== undefined);
      if (uri) contacts.push({ uri: uri.trim(), ...(expires !== undefined ? { expires: Number(expires) } : {}) });
    }
  }
  return contacts;
}

/** The registrar's input from a REGISTER drachtio passed on; undefined when it is unreadable. */
export function registerInput(req: Srf.SrfRequest): RegisterInput | undefined {
  try {
    const to = req.get('To');
    const callId = req.get('Call-ID');
    const cseq = Number.parseInt(req.get('CSeq') ?? '', 10);
    if (!to || !callId || !Number.isFinite(cseq)) return undefined;
    const user = /sips?:([^@;>]+)@/.exec(to)?.[1];
    const expires = seconds(req.has('Expires') ? req.get('Expires') : undefined);
    const authorization = req.has('Authorization') ? [req.get('Authorization')] : [];
    const userAgent = req.has('User-Agent') ? req.get('User-Agent') : undefined;
    return {
      user: user !== undefined ? decodeURIComponent(user) : undefined,
      contacts: contactsOf(req.has('Contact') ? req.get('Contact') : undefined),
      ...(expires !== undefined ? { expires } : {}),
      authorization, callId, cseq,
      source: { transport: /tcp/i.test(req.protocol) ? 'tcp' : 'udp', address: req.source_address, port: Number(req.source_port) },
      ...(userAgent !== undefined ? { userAgent } : {}),
    };
  } catch {
    // An unreadable REGISTER (a bad Expires): answered 400 Bad Request.
    return undefined;
  }
}

export async function answerRegister(registrar: Registrar, req: Srf.SrfRequest, res: Srf.SrfResponse, log: Logger): Promise<void> {
  const input = registerInput(req);
  if (!input) {
    log.info({ address: req.source_address }, 'unreadable REGISTER refused');
    res.send(400);
    return;
  }
  const outcome = await registrar.handle(input);
  const headers: Record<string, string> = {};
  for (const h of outcome.headers) headers[h.name] = headers[h.name] !== undefined ? `${headers[h.name]}, ${h.value}` : h.value;
  if (outcome.status === 200) log.info({ user: outcome.user, address: input.source.address }, 'REGISTER accepted');
  else if (outcome.status !== 401) log.info({ user: input.user, status: outcome.status, address: input.source.address }, 'REGISTER refused');
  res.send(outcome.status, outcome.reason, { headers });
}
