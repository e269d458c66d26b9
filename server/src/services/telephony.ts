// The telephony service: the engine that takes and places calls, seen by the
// rest of Tenor only through the driver contract. Today the embedded engine; a
// FreeSWITCH or drachtio driver will be another definition of this service.

import type { Logger } from 'pino';
import { EmbeddedDriver, type CredentialStore, type EmbeddedDriverConfig, type TelephonyDriver } from '@tenor/telephony';
import type { TenorConfig } from '../config/schema.js';
import { defineService, type ServiceDefinition } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';
import type { SipCredentialsService } from './sip-credentials/index.js';
import { engineTrunk, hasLiveTrunks } from './trunks/index.js';
import './dialing/index.js';

declare module '../core/service-manager.js' {
  interface ServiceMap {
    telephony: TelephonyDriver;
  }
}

/**
 * Phones register with their device secret, never a web password: the registrar checks digest
 * material from the SIP credentials service, which has none for a name without a device (admin's included).
 */
function credentialsFrom(devices: SipCredentialsService): CredentialStore {
  return {
    async lookup(user) {
      const material = devices.lookup(user);
      // A device marked 'md5' (an older phone that gives up when offered SHA-256) is offered MD5 alone.
      return material && { passwordHash: material, ...(devices.digest(user) === 'md5' ? { algorithms: ['MD5'] as const } : {}) };
    },
  };
}

/** The site's sip.limits in the engine's terms (what the file leaves out keeps the engine's default). */
export function engineLimits(limits: TenorConfig['sip']['limits']): Pick<EmbeddedDriverConfig, 'callLimits' | 'rateLimit' | 'userAuthLimit'> {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const seconds = (s: number | undefined): number | undefined => (s === undefined ? undefined : s * 1000);
  return {
    callLimits: defined({
      maxUnansweredPerSource: limits.unansweredCallsPerAddress,
      maxCallsPerSource: limits.callsPerAddress,
      maxCalls: limits.calls,
      trunkMaxUnansweredPerSource: limits.trunkUnansweredCallsPerAddress,
      trunkMaxCallsPerSource: limits.trunkCallsPerAddress,
    }),
    rateLimit: defined({
      maxRequests: limits.requestsPerAddress,
      trunkMaxRequests: limits.trunkRequestsPerAddress,
      maxAuthFailures: limits.authFailuresPerAddress,
    }),
    userAuthLimit: defined({
      maxFailures: limits.authFailuresPerUser,
      lockMs: seconds(limits.userLockSeconds),
      maxLockMs: seconds(limits.userLockMaxSeconds),
    }),
  };
}

export function createEmbeddedDriver(config: TenorConfig, devices: SipCredentialsService, logger: Logger): EmbeddedDriver {
  return new EmbeddedDriver({
    bindAddress: config.sip.bind,
    publicAddress: config.sip.publicAddress,
    sipPort: config.sip.port,
    rtpPorts: { min: config.rtp.portMin, max: config.rtp.portMax },
    domain: devices.realm,
    digestAlgorithms: config.sip.digestAlgorithms,
    credentials: credentialsFrom(devices),
    ...engineLimits(config.sip.limits),
    // The site file's trunks; the trunks service then applies those edited through the API.
    trunks: config.site.trunks.map(engineTrunk),
    logger,
  });
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

export function telephonyService(config: TenorConfig) {
  return withDialingPolicy(defineService<TelephonyDriver>({
    name: 'telephony',
    version: '1.0.0',
    description: 'Embedded SIP/RTP engine (driver contract)',
    dependsOn: ['sipCredentials'],
    // Two engines cannot listen on the same SIP port: a new one starts once this one has stopped.
    stopBeforeReplace: true,
    async start(ctx) {
      const driver = createEmbeddedDriver(config, ctx.get('sipCredentials'), ctx.logger);
      await driver.start();
      return driver;
    },
    async drain(driver, graceMs) {
      driver.refuseNewCalls();
      const deadline = Date.now() + graceMs;
      while (driver.stats().activeCalls > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    },
    stop: (driver) => driver.stop(),
    health(driver) {
      const stats = driver.stats();
      const counts = `${stats.activeCalls} calls, ${stats.activeBridges} bridges`;
      // An engine in another process (FreeSWITCH) reports its link; calls go on there while it reconnects.
      if (stats.link === 'down') return { status: 'down', detail: `link to the ${driver.name} engine lost, reconnecting; ${counts}` };
      return { status: 'ok', detail: counts };
    },
  }));
}
