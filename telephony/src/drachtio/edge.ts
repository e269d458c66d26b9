// What the edge decides about a request before it becomes a call: who is
// calling (a trunk by address, a registered phone by its binding, or unknown),
// which headers the application sees, and where a call Tenor places goes (an
// address, a registered phone's contact, a carrier with its digest account).
import type Srf from 'drachtio-srf';
import { OriginateError, type CallSource, type DialTarget } from '../driver.js';
import { trunkInboundAddresses, type TrunkConfig } from '../embedded/engine/trunks.js';
import type { Registrar } from '../embedded/registrar/index.js';

/** A carrier behind the edge: the embedded engine's trunk settings (host, port, account, register, inbound addresses). */
export type DrachtioTrunk = TrunkConfig;

/** Where a call Tenor places goes, once it has passed FreeSWITCH and reached the edge. */
export interface Destination {
  uri: string;
  /** The user part FreeSWITCH dials at the edge (what the call's `to` shows). */
  user: string;
  auth?: { username: string; password: string };
}

/** The header that pairs a leg at the edge with its FreeSWITCH channel; never passed beyond. */
export const LEG_HEADER = 'X-Tenor-Leg';

const INTERESTING = new Set(['diversion', 'p-asserted-identity']);

/** Headers of interest for the application (Diversion, P-Asserted-Identity, X-*), names lower-cased. */
export function headersOfInterest(req: Srf.SrfRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === LEG_HEADER.toLowerCase()) continue;
    if (INTERESTING.has(lower) || lower.startsWith('x-')) out[lower] = value;
  }
  return out;
}

/** The user part of a From header ("Alice" <sip:alice@host>;tag=…). */
function fromUser(req: Srf.SrfRequest): string | undefined {
  const from = req.get('From') ?? '';
  const m = /sips?:([^@;>]+)@/.exec(from);
  return m?.[1] !== undefined ? decodeURIComponent(m[1]) : undefined;
}

export function identify(req: Srf.SrfRequest, trunks: readonly DrachtioTrunk[], registrar: Registrar | undefined): CallSource {
  const trunk = trunks.find((t) => trunkInboundAddresses(t).includes(req.source_address));
  if (trunk) return { kind: 'trunk', trunk: trunk.name };
  const user = fromUser(req);
  const port = Number(req.source_port);
  const device = user === undefined ? undefined
    : registrar?.lookup(user).find((b) => b.source.address === req.source_address && b.source.port === port);
  if (device) return { kind: 'device', user: device.user };
  return { kind: 'unknown' };
}

function userOf(uri: string): string {
  return /^sips?:([^@;>]+)@/.exec(uri)?.[1] ?? 'tenor';
}

export function destinationOf(target: DialTarget, trunks: readonly DrachtioTrunk[], registrar: Registrar | undefined): Destination {
  switch (target.kind) {
    case 'address': {
      const uri = /^sips?:/.test(target.address) ? target.address : `sip:${target.address}`;
      return { uri, user: userOf(uri) };
    }
    case 'device': {
      const binding = registrar?.lookup(target.user)[0];
      if (!binding) throw new OriginateError('unreachable', `device ${target.user} is not registered`);
      return { uri: binding.contact, user: target.user };
    }
    case 'number': {
      const trunk = target.trunk !== undefined ? trunks.find((t) => t.name === target.trunk) : trunks[0];
      if (!trunk) throw new OriginateError('unreachable', `no trunk ${target.trunk ?? ''} to dial a number through`.replace('  ', ' '));
      const transport = trunk.transport === 'tcp' ? ';transport=tcp' : '';
      return {
        uri: `sip:${target.number}@${trunk.host}:${trunk.port}${transport}`,
        user: target.number,
        ...(trunk.username !== undefined && trunk.password !== undefined
          ? { auth: { username: trunk.username, password: trunk.password } } : {}),
      };
    }
  }
}
