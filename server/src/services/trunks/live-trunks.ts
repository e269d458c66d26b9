// Changing trunks while running is a capability of a telephony engine, not
// part of the driver contract: the embedded engine has it, and the FreeSWITCH
// driver when Tenor serves FreeSWITCH's directory (its gateways); an engine that
// has not takes its trunks from the site file at start.

import { readFileSync } from 'node:fs';
import type { TelephonyDriver, TrunkConfig as EngineTrunk, TrunkRegistrationState } from '@tenor/telephony';
import type { TrunkConfig } from '../../config/schema.js';

export interface LiveTrunkControl {
  /** The trunks in use now. */
  readonly trunks: EngineTrunk[];
  /** Replace the trunks in use; the next call uses the new ones. */
  setTrunks(trunks: EngineTrunk[]): Promise<void>;
  /** Where the registration to a trunk stands; undefined for a trunk that does not register. */
  trunkRegistration(name: string): TrunkRegistrationState | undefined;
}

export function hasLiveTrunks(driver: TelephonyDriver): driver is TelephonyDriver & LiveTrunkControl {
  const candidate = driver as Partial<LiveTrunkControl>;
  return typeof candidate.setTrunks === 'function' && typeof candidate.trunkRegistration === 'function';
}

/** A trunk as the site file (or the API) gives it, as the engine takes it: port and transport filled in. */
export function engineTrunk(t: TrunkConfig): EngineTrunk {
  return {
    name: t.name,
    host: t.host,
    port: t.port ?? (t.transport === 'tls' ? 5061 : 5060),
    transport: t.transport ?? 'udp',
    ...(t.ca !== undefined ? { ca: readFileSync(t.ca, 'utf8') } : {}),
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined && t.password !== '' ? { password: t.password } : {}),
    ...(t.register !== undefined ? { register: t.register } : {}),
    ...(t.fromDomain !== undefined ? { fromDomain: t.fromDomain } : {}),
    ...(t.inboundAddresses !== undefined ? { inboundAddresses: t.inboundAddresses } : {}),
    ...(t.directMedia !== undefined ? { directMedia: t.directMedia } : {}),
  };
}
