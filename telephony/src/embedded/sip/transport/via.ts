// The top Via: reading it, rewriting it, and RFC 3581 stamping on receipt.
// A Via header line may carry several comma-separated values; these helpers only
// ever touch the first value of the first Via line.

import type { SipEndpoint, SipMessage, SipRequest, Via } from '../message.js';
import { formatVia, parseVia } from '../headers.js';

/** The raw text of the top Via value, or undefined when the message has none. */
export function topViaText(message: SipMessage): string | undefined {
  const header = message.headers.find((h) => h.name === 'Via');
  if (!header) return undefined;
  const { first } = splitFirstValue(header.value);
  return first;
}

/** The parsed top Via, or undefined when absent or unreadable. */
export function topVia(message: SipMessage): Via | undefined {
  const text = topViaText(message);
  if (text === undefined) return undefined;
  try {
    return parseVia(text)[0];
  } catch {
    // Unreadable, as documented: the caller treats it like a missing Via.
    return undefined;
  }
}

export function replaceTopVia(message: SipMessage, via: Via): void {
  const header = message.headers.find((h) => h.name === 'Via');
  if (!header) return;
  const { rest } = splitFirstValue(header.value);
  const value = formatVia(via);
  header.value = rest === undefined ? value : `${value}, ${rest}`;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: note in the top Via where a request really
 * came from, so that the response can be routed back through NATs.
 */
export function stampReceived(request: SipRequest, source: SipEndpoint): void {
  const via = topVia(request);
  if (!via) return;
  let changed = false;
  if (via.host !== source.address) {
    via.params.received = source.address;
    changed = true;
  }
  if ('rport' in via.params && (via.params.rport === null || via.params.rport === '')) {
    via.params.rport = String(source.port);
    // RFC 3581 §4: with rport, received is added even when the host matches.
    via.params.received = source.address;
    changed = true;
  }
  if (changed) replaceTopVia(request, via);
}

/**
 * Where a response goes when it cannot simply follow its request's connection,
 * per RFC 3261 §18.2.2 and RFC 3581 §5 (maddr multicast is not supported): to
 * `received` (else the Via host), at `rport` for UDP, else at the sent-by port
 * (a new TCP connection goes to the sent-by port: the peer listens there).
 */
export function responseDestination(via: Via, fallback: SipEndpoint): SipEndpoint {
  const named = via.transport.toLowerCase();
  const transport = named === 'tcp' || named === 'tls' ? named : 'udp';
  const address = via.params.received ?? via.host;
  const rport = transport === 'udp' ? via.params.rport : undefined;
  const port = rport !== undefined && rport !== null && /^\d+$/.test(rport) ? Number(rport) : via.port ?? 5060;
  if (!address) return fallback;
  return { transport, address, port };
}

function splitFirstValue(value: string): { first: string; rest: string | undefined } {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === ',' && !quoted) return { first: value.slice(0, i).trim(), rest: value.slice(i + 1).trim() };
  }
  return { first: value.trim(), rest: undefined };
}
