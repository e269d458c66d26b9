// The engine a whole-server test runs on. A scenario written once (a function
// of the test and the engine) runs on the embedded engine, on FreeSWITCH and on
// drachtio (drachtio-server's SIP edge, FreeSWITCH's media):
// the engine is chosen in the site file (`telephony.driver`), so every site
// harness (acd-sip, ivr-sip, monitor-sip, campaigns-sip) serves both, and the
// peers reach whichever engine listens on the site's SIP port and RTP range.

import t, { type Test } from 'tap';
import { findEngineBuild } from '../../../telephony/test/engine-build.js';

export interface TestEngine {
  readonly name: 'embedded' | 'freeswitch' | 'drachtio';
  /** tap options for a test on this engine: skipped, with the reason, when the engine is not here. */
  readonly options: { skip?: string };
  /** The site file with this engine chosen. */
  site<T extends Record<string, unknown>>(site: T): T;
}

/** Checks the server really runs its calls on `engine` (a site file that chose nothing would pass on the embedded one). */
export function runsOn(t: Test, engine: TestEngine, driverName: string): void {
  t.equal(driverName, engine.name, `the calls run on the ${engine.name} engine`);
}

export const embeddedEngine: TestEngine = {
  name: 'embedded',
  options: {},
  site: (site) => site,
};

/**
 * FreeSWITCH as the engine, managed by Tenor (started from the cached build).
 * Without the pinned sources the tests are skipped with the reason; under
 * CI=true that is a failure, as in the telephony contract suite.
 */
export async function freeSwitchEngine(): Promise<TestEngine> {
  const build = await findEngineBuild('freeswitch');
  if ('missing' in build) {
    if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH end-to-end tests must run in CI`);
    return { name: 'freeswitch', options: { skip: `skipped: ${build.missing}` }, site: (site) => site };
  }
  return {
    name: 'freeswitch',
    options: {},
    site: (site) => ({ ...site, telephony: { driver: 'freeswitch', freeswitch: { prefix: build.prefix } } }),
  };
}

/**
 * drachtio as the engine, both processes managed by Tenor (started from the
 * cached builds): drachtio-server on the site's SIP port, FreeSWITCH for the
 * media on the site's rtp range. Skipped without the pinned sources, a failure
 * under CI=true.
 */
export async function drachtioEngine(): Promise<TestEngine> {
  const [freeswitch, drachtio] = [await findEngineBuild('freeswitch'), await findEngineBuild('drachtio')];
  const missing = 'missing' in drachtio ? drachtio.missing : 'missing' in freeswitch ? freeswitch.missing : undefined;
  if (missing !== undefined || 'missing' in freeswitch || 'missing' in drachtio) {
    if (process.env['CI'] === 'true') t.fail(`${missing ?? ''}: the drachtio end-to-end tests must run in CI`);
    return { name: 'drachtio', options: { skip: `skipped: ${missing ?? ''}` }, site: (site) => site };
  }
  return {
    name: 'drachtio',
    options: {},
    site: (site) => ({ ...site, telephony: { driver: 'drachtio', drachtio: { prefix: drachtio.prefix }, freeswitch: { prefix: freeswitch.prefix } } }),
  };
}

/**
 * Where callers from the phone network come from: a carrier trunk's address.
 * FreeSWITCH with Tenor's directory challenges every INVITE except a trunk's
 * (docs/telephony/freeswitch.md), so the scenarios' callers call from here on
 * every engine.
 */
export const CARRIER_ADDRESS = '127.0.0.2';

/** The carrier trunk callers come in through (site file form). */
export const carrierTrunk = { name: 'carrier', host: CARRIER_ADDRESS, inboundAddresses: [CARRIER_ADDRESS] };
