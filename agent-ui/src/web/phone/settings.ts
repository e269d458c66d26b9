// What the server says about the signed-in user's browser phone (GET /api/phone,
// docs/web-client.md "The phone in the desktop"), and the WebSocket URL it implies.
import { api } from '../api.js';
import type { PhoneInfo } from '../wire.js';

/** GET /api/phone: `enabled` only for an agent whose device type is `webrtc`; the type is the server's. */
export type PhoneSettings = PhoneInfo;

export function readPhoneSettings(): Promise<PhoneSettings> {
  return api.get<PhoneSettings>('/api/phone');
}

/** ws(s)://<this page's host><wsPath>: same origin, so the session cookie goes with the upgrade. */
export function webSocketUrl(wsPath: string, where: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${where.protocol === 'https:' ? 'wss' : 'ws'}://${where.host}${wsPath}`;
}

/** The realm of a SIP URI (sip:ann@tenor.example → tenor.example), for dialing numbers. */
export function realmOf(uri: string): string {
  const at = uri.lastIndexOf('@');
  return at < 0 ? '' : uri.slice(at + 1).replace(/[;>].*$/, '');
}
