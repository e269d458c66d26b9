// The dialing service: one policy for every outbound leg. It answers "may this
// be dialed?" where a request enters (routes, callback requests, transfers:
// purpose and role rights) and, through the guarded telephony driver, again
// at the engine's door (number class, prefixes, caps) whatever service dials.
// Every refusal is a coded error, logged, counted and published as
// `dialing_refused`. docs/dialing-policy.md is the contract.

import type { DialTarget, TelephonyDriver } from '@tenor/telephony';
import type { Logger } from '../../core/logger.js';
import type { TenorConfig } from '../../config/schema.js';
import { TenorError } from '../../core/errors.js';
import { defineService } from '../../core/service-manager.js';
import type { EventBus } from '../../core/events.js';
import { DialingCaps, resolveCaps, type CapsSnapshot, type Lease } from './caps.js';
import type { ClassifiedNumber } from './classify.js';
import { dialingDefaults, type DialingSettings, type NumberClass } from './config-schema.js';
import { DialingRefusedError, guardDriver } from './guard.js';
import { DialingPolicy, resolveDialingSettings, type DialPurpose, type Refusal, type ResolvedDialingSettings, type RightsRequest } from './policy.js';
import { RecentRefusals, type LiveDialing } from './recent.js';
import './events.js';
import { dialingRoutes } from './routes.js';

export interface AuthorizeRequest extends RightsRequest {
  trunk?: string;
  /** For the log and the event: the call the request came from, the agent asking. */
  callId?: string;
  agent?: string;
}

export interface DialingStats {
  refused: number;
  byReason: Record<string, number>;
  byClass: Record<string, number>;
  caps: CapsSnapshot;
}

export interface DialingPolicyView extends ResolvedDialingSettings {
  addressHosts: string[];
  caps: { site: { concurrent: number; perHour: number }; perTrunk: { concurrent: number; perHour: number }; trunks: Record<string, { concurrent: number; perHour: number }> };
}

export interface DialingService {
  readonly policy: DialingPolicy;
  /** Purpose and role rights, and the number's class: returns the number as classified, or throws TENOR_ERR_DIALING_REFUSED. */
  authorize(number: string, req: AuthorizeRequest): ClassifiedNumber;
  /** The same check without refusing: for a caller who is told and may try again. */
  decide(number: string, req: AuthorizeRequest): { allowed: true; number: ClassifiedNumber } | { allowed: false; error: TenorError };
  /** The telephony driver with every originate of a number or address checked (classes, prefixes, caps). */
  guard(driver: TelephonyDriver, defaultTrunk: () => string | undefined): TelephonyDriver;
  stats(): DialingStats;
  view(): DialingPolicyView;
  /** For the supervisors' live monitor: today's refusals (count, by reason) and the latest ones, newest first. */
  live(): LiveDialing;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    dialing: DialingService;
  }
}

export function createDialing(settings: DialingSettings, site: { defaultCountry: string; ownHosts: string[]; timeZone?: string }, bus: EventBus, logger: Logger, now: () => number = Date.now): DialingService {
  const policy = new DialingPolicy(resolveDialingSettings(settings, site.defaultCountry));
  const caps = new DialingCaps(resolveCaps(settings.site, settings.perTrunk, settings.trunks, dialingDefaults), now);
  const addressHosts = settings.addressHosts ?? [];
  const counts = { refused: 0, byReason: new Map<string, number>(), byClass: new Map<string, number>() };
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  const recent = new RecentRefusals(now, site.timeZone);

  const refuse = (number: string, cls: NumberClass | 'address', refusal: Refusal, req: { purpose: DialPurpose; trunk?: string | undefined; callId?: string | undefined; agent?: string | undefined }): TenorError => {
    counts.refused++;
    bump(counts.byReason, refusal.reason);
    bump(counts.byClass, cls);
    const payload = { number, class: cls, purpose: req.purpose, reason: refusal.reason, detail: refusal.detail, trunk: req.trunk ?? null, callId: req.callId ?? null, agent: req.agent ?? null };
    logger.warn(payload, 'outbound call refused by the dialing policy');
    recent.add(payload);
    bus.publish('dialing_refused', payload);
    return new TenorError('TENOR_ERR_DIALING_REFUSED', [number, refusal.detail], { details: { reason: refusal.reason, class: cls } });
  };

  const decide: DialingService['decide'] = (number, req) => {
    const d = policy.check(number, req);
    return d.allowed ? d : { allowed: false, error: refuse(d.number.e164, d.number.class, d.refusal, req) };
  };

  const admitLeg = (target: Exclude<DialTarget, { kind: 'device' }>, trunk: string | undefined): Lease => {
    const req = { purpose: 'unspecified' as const, trunk };
    let shown: string;
    let cls: NumberClass | 'address';
    if (target.kind === 'number') {
      const d = policy.checkNumber(target.number);
      shown = d.number.e164;
      cls = d.number.class;
      if (!d.allowed) throw new DialingRefusedError(refuse(shown, cls, d.refusal, req), d.refusal.reason);
    } else {
      shown = target.address;
      cls = 'address';
      const host = hostOf(target.address);
      if (host === undefined || (!site.ownHosts.includes(host) && !addressHosts.includes(host))) {
        throw new DialingRefusedError(refuse(shown, cls, { reason: 'address-not-allowed', detail: `${target.address} is not on this site's SIP domain nor in dialing.addressHosts` }, req), 'address-not-allowed');
      }
      if (site.ownHosts.includes(host)) return { release: () => undefined }; // stays on the site: no trunk is paid
    }
    // Numbers count on their trunk (the engine's default one when unnamed); SIP addresses off the site on their host.
    const scope = target.kind === 'number' ? trunk ?? DEFAULT_TRUNK : `sip:${hostOf(target.address) ?? target.address}`;
    const lease = caps.take(scope);
    if ('reason' in lease) throw new DialingRefusedError(refuse(shown, cls, lease, req), lease.reason);
    return lease;
  };

  return {
    policy,
    authorize(number, req) {
      const d = decide(number, req);
      if (!d.allowed) throw d.error;
      return d.number;
    },
    decide,
    guard: (driver, defaultTrunk) => guardDriver(driver, { admitLeg }, defaultTrunk),
    stats: () => ({ refused: counts.refused, byReason: Object.fromEntries(counts.byReason), byClass: Object.fromEntries(counts.byClass), caps: caps.snapshot() }),
    view: () => ({ ...policy.settings, addressHosts, caps: caps.config }),
    live: () => recent.live(),
  };
}

/** Where legs to a number without a trunk name are counted when the engine cannot say which trunk it uses. */
const DEFAULT_TRUNK = '(default)';

/** The host of a SIP URI (sip:user@host:port;params), lower-cased. */
function hostOf(address: string): string | undefined {
  const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;?>]+)/i.exec(address.trim());
  return m?.[1]?.toLowerCase();
}

export function dialingService(config: TenorConfig) {
  return defineService<DialingService>({
    name: 'dialing',
    version: '1.0.0',
    description: 'Dialing policy: where outbound calls may go, who may place them, how many (docs/dialing-policy.md)',
    dependsOn: ['events'],
    routes: { plugin: dialingRoutes },
    start(ctx) {
      const ownHosts = [...new Set([config.sip.realm, config.sip.publicAddress].filter((h): h is string => h !== undefined).map((h) => h.toLowerCase()))];
      const site = { defaultCountry: config.crm.defaultCountry, ownHosts, ...(config.reports.timeZone !== undefined ? { timeZone: config.reports.timeZone } : {}) };
      const dialing = createDialing(config.dialing, site, ctx.get('events'), ctx.logger);
      // Home phones and persistent lines are checked each time they are called; say now which ones never will be.
      for (const agent of config.site.agents) {
        const number = agent.device && 'number' in agent.device ? agent.device.number : undefined;
        const decision = number === undefined ? undefined : dialing.policy.checkNumber(number);
        if (decision && !decision.allowed) {
          ctx.logger.warn({ agent: agent.login, number: decision.number.e164, class: decision.number.class, reason: decision.refusal.reason }, `agent ${agent.login}'s phone cannot be called: ${decision.refusal.detail}`);
        }
      }
      return dialing;
    },
    health(dialing) {
      const s = dialing.stats();
      return { status: 'ok', detail: `${s.refused} refused, ${s.caps.site.active} outbound legs up, ${s.caps.site.lastHour} in the last hour` };
    },
  });
}
