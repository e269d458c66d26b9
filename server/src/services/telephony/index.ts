// The telephony service: the engine that takes and places calls, seen by the
// rest of Tenor only through the driver contract. The site file chooses the
// engine (telephony.driver): the embedded one (embedded.ts, the default),
// FreeSWITCH (freeswitch.ts) or drachtio-server as the SIP edge with FreeSWITCH
// for the media (drachtio.ts). This is the service's public entry.

import { EmbeddedDriver, type TelephonyDriver } from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import { defineService, type ServiceDefinition, type ServiceHealth } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { hasLiveTrunks } from '../trunks/index.js';
import '../dialing/index.js';
import { drachtioMode, freeSwitchMode, type TelephonyDriverName } from './config-schema.js';
import { createDrachtioDriver } from './drachtio.js';
import { createEmbeddedDriver } from './embedded.js';
import { connectMediaRelay, type MediaRelayLink } from './media-relay.js';
import { sipTlsMaterial } from './sip-tls.js';
import { createFreeSwitchDriver } from './freeswitch.js';
import { CarriedRegistrations } from './registrations.js';

export { engineLimits, createEmbeddedDriver } from './embedded.js';
export { credentialsFrom } from './credentials.js';
export { telephonyConfigSection, telephonyProblems, TELEPHONY_DRIVERS } from './config-schema.js';
export type { TelephonySettings, FreeSwitchSettings, DrachtioSettings, TelephonyDriverName } from './config-schema.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    telephony: TelephonyDriver;
  }
}

/**
 * Any telephony definition (this one, or a replacement loaded through the
 * services API) with its driver behind the dialing policy: every originate of
 * a number or an address is checked, whichever service asks (docs/dialing-policy.md).
 */
export function withDialingPolicy<T extends object>(def: ServiceDefinition<T>): ServiceDefinition<T> {
  return {
    ...def,
    dependsOn: [...new Set([...(def.dependsOn ?? []), 'dialing'])],
    // Its own successor goes behind the policy too.
    prepareReplacement: withDialingPolicy,
    async start(ctx) {
      const instance = await def.start(ctx);
      if (typeof (instance as Partial<TelephonyDriver>).originate !== 'function') {
        throw new TenorError('TENOR_ERR_SERVICE_MODULE_INVALID', [def.name, 'a telephony service must provide originate()']);
      }
      const driver = instance as T & TelephonyDriver;
      // The engine's first trunk is the one a number without a trunk goes through.
      const defaultTrunk = (): string | undefined => (hasLiveTrunks(driver) ? driver.trunks[0]?.name : undefined);
      const dialing = ctx.get('dialing');
      let guarded = dialing.guard(driver, defaultTrunk);
      // A replaced dialing service checks from then on: the engine goes behind the new version's guard.
      ctx.whenReplaced('dialing', () => void (guarded = dialing.guard(driver, defaultTrunk)));
      return new Proxy(driver, { get: (_engine, prop) => Reflect.get(guarded, prop, guarded) as unknown }) as T & TelephonyDriver;
    },
  };
}

const DESCRIPTIONS: Record<TelephonyDriverName, string> = {
  embedded: 'Embedded SIP/RTP engine (driver contract)',
  freeswitch: 'FreeSWITCH over its event socket (driver contract)',
  drachtio: 'drachtio-server SIP edge with FreeSWITCH media (driver contract)',
};

function describe(config: TenorConfig, engine: TelephonyDriverName): string {
  const started = (managed: boolean): string => (managed ? 'started by Tenor' : 'external');
  const fsManaged = config.telephony.freeswitch?.prefix !== undefined;
  if (engine === 'freeswitch') return `${DESCRIPTIONS.freeswitch}, ${started(fsManaged)}`;
  if (engine === 'drachtio') {
    return `${DESCRIPTIONS.drachtio}, edge ${started(config.telephony.drachtio?.prefix !== undefined)}, FreeSWITCH ${started(fsManaged)}`;
  }
  const relay = config.rtp.relay;
  return relay ? `${DESCRIPTIONS.embedded}, media relay ${relay.engine} at ${relay.address}:${relay.port}` : DESCRIPTIONS.embedded;
}

/**
 * A telephony definition whose engine hands its phones' registrations to the next
 * version (registrations.ts): the one it is replaced by, loaded or the same again.
 */
function carryingRegistrations<T extends object>(def: ServiceDefinition<T>, carried: CarriedRegistrations): ServiceDefinition<T> {
  const prepare = def.prepareReplacement;
  return {
    ...def,
    prepareReplacement: (next) => carryingRegistrations(prepare ? prepare(next) : next, carried),
    async start(ctx) {
      const instance = await def.start(ctx);
      carried.handTo(instance, ctx.logger);
      const stop = def.stop;
      // Kept at this version's stop: the logger of the context it started with says which.
      stopping.set(instance, async () => {
        carried.keep(instance, ctx.logger);
        await stop?.(instance);
      });
      return instance;
    },
    stop: (instance) => stopping.get(instance)?.(),
  };
}
const stopping = new WeakMap<object, () => Promise<void>>();

export function telephonyService(config: TenorConfig) {
  // config/load.ts has checked the driver's settings (telephonyProblems).
  const engine: TelephonyDriverName = config.telephony.driver ?? 'embedded';
  const description = describe(config, engine);
  // The link to rtp.relay of the running engine. One per definition is enough: a
  // replacement stops this engine (stopBeforeReplace) before the next one starts.
  let mediaRelay: MediaRelayLink | undefined;
  return carryingRegistrations(withDialingPolicy(defineService<TelephonyDriver>({
    name: 'telephony',
    version: '1.0.0',
    description,
    dependsOn: ['sipCredentials'],
    // Two engines cannot listen on the same SIP port: a new one starts once this one has stopped.
    stopBeforeReplace: true,
    // A FreeSWITCH Tenor starts takes about 2 s to be ready, more on a loaded machine.
    ...(engine !== 'embedded' ? { startTimeoutMs: 60_000 } : {}),
    async start(ctx) {
      if (engine !== 'embedded' && config.sip.tls) ctx.logger.warn({ engine }, 'sip.tls is served by the embedded engine only: this engine listens without TLS');
      if (engine === 'freeswitch') return createFreeSwitchDriver(config, freeSwitchMode(config.telephony), ctx.get('sipCredentials'), ctx.logger);
      if (engine === 'drachtio') {
        return createDrachtioDriver(config, drachtioMode(config.telephony), freeSwitchMode(config.telephony), ctx.get('sipCredentials'), ctx.logger);
      }
      const relay = config.rtp.relay ? await connectMediaRelay(config.rtp.relay, ctx.logger) : undefined;
      try {
        const driver = createEmbeddedDriver(config, ctx.get('sipCredentials'), ctx.logger, await sipTlsMaterial(config, ctx.logger), relay?.path);
        await driver.start();
        mediaRelay = relay;
        return driver;
      } catch (err) {
        await relay?.close();
        throw err;
      }
    },
    async drain(driver, graceMs) {
      driver.refuseNewCalls();
      const deadline = Date.now() + graceMs;
      while (driver.stats().activeCalls > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    },
    async stop(driver) {
      await driver.stop();
      // After the engine: its stop moves the last bridges off the relay.
      await mediaRelay?.close();
      mediaRelay = undefined;
    },
    async health(driver) {
      const stats = driver.stats();
      const counts = `${stats.activeCalls} calls, ${stats.activeBridges} bridges`;
      // An engine in another process (FreeSWITCH, drachtio-server) reports its link; calls go on there while it reconnects.
      if (stats.link === 'down') return { status: 'down', detail: `link to the ${driver.name} engine lost, reconnecting; ${counts}` };
      const tlsPort = driver instanceof EmbeddedDriver ? driver.sipTlsPort : undefined;
      const tls = tlsPort !== undefined ? `; SIP over TLS on port ${tlsPort}` : '';
      const engine: ServiceHealth = { status: 'ok', detail: stats.link === 'up' ? `${driver.name} engine, link up; ${counts}` : `${counts}${tls}` };
      if (!mediaRelay) return engine;
      const relayHealth = await mediaRelay.health();
      return { status: relayHealth.status, detail: `${engine.detail ?? ''}; ${relayHealth.detail ?? ''}` };
    },
  })), new CarriedRegistrations());
}
