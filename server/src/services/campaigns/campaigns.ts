// The campaigns as one object: lists and their import, the do-not-call list,
// campaign definitions and their life (start, pause, stop), one live dialer
// per running campaign, preview dialing, callbacks scheduled by agents,
// dispositions, results and figures. Recovers from a crash at start.

import type { Logger } from 'pino';
import type { TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import type { Database } from '../../store/database.js';
import type { AcdService, Clock, TimerHandle } from '../acd/index.js';
import { normalizePhone, type CrmService } from '../crm/index.js';
import { CampaignDialer } from './dialer.js';
import type { CampaignFigures } from './events.js';
import type { LiveCampaign } from '../live-events/index.js';
import { liveCampaigns } from './live.js';
import { ListImporter, type ImportOptions, type ImportReport } from './lists/import.js';
import { zoneOfNumber } from './lists/zones.js';
import { abandonWindowMs, campaignFromInput, type CampaignDefinition } from './model.js';
import { PreviewDesk, type PreviewCallRecorder } from './preview.js';
import { CampaignReportReader } from './report-reader.js';
import { nextStep } from './retry.js';
import { AttemptsRepository, type Attempt } from './store/attempts.js';
import { CampaignsRepository, type CampaignRecord, type CampaignStatus, type StoredCampaign } from './store/campaigns.js';
import { DncRepository } from './store/dnc.js';
import { ListsRepository } from './store/lists.js';

export interface CampaignsDeps {
  db: Database;
  crm: CrmService;
  acd: AcdService;
  driver: TelephonyDriver;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  defaultCountry: string;
  /** Where "today" of the live figures starts (default: the server's time zone). */
  timeZone?: string;
}

export interface CampaignView {
  name: string;
  status: CampaignStatus;
  conservative: boolean;
  definition: CampaignDefinition;
}

const FIGURES_MIN_INTERVAL_MS = 1000;

export class CampaignsService {
  readonly lists: ListsRepository;
  readonly dnc: DncRepository;
  /** What the reports read of the stored attempts. */
  readonly reportReader: CampaignReportReader;
  readonly #campaigns: CampaignsRepository;
  readonly #attempts: AttemptsRepository;
  readonly #importer: ListImporter;
  readonly #preview: PreviewDesk;
  readonly #dialers = new Map<string, CampaignDialer>();
  readonly #figureTimers = new Map<string, { last: number; timer: TimerHandle | undefined }>();
  readonly #d: CampaignsDeps;
  readonly #log: Logger;
  #stopped = false;

  private constructor(deps: CampaignsDeps) {
    this.#d = deps;
    this.#log = deps.logger;
    this.lists = new ListsRepository(deps.db);
    this.dnc = new DncRepository(deps.db);
    this.reportReader = new CampaignReportReader(deps.db);
    this.#campaigns = new CampaignsRepository(deps.db);
    this.#attempts = new AttemptsRepository(deps.db);
    this.#importer = new ListImporter({ crm: deps.crm, lists: this.lists });
    this.#preview = new PreviewDesk({
      campaigns: this.#campaigns, attempts: this.#attempts, dnc: this.dnc, driver: deps.driver, acd: deps.acd, bus: deps.bus, clock: deps.clock, logger: deps.logger,
      onAttemptEnded: (c) => this.#figuresSoon(c),
    });
  }

  /** Start on a migrated database: close attempts a crash left 'dialing', resume running campaigns at a conservative pace. */
  static async start(deps: CampaignsDeps): Promise<CampaignsService> {
    const service = new CampaignsService(deps);
    await service.#recover();
    for (const c of await service.#campaigns.list()) {
      if (c.status === 'running') service.#run(c.definition, c.conservative);
    }
    return service;
  }

  async #recover(): Promise<void> {
    const now = this.#d.clock.now();
    const left = await this.#attempts.dialing();
    for (const a of left) {
      const stored = await this.#campaigns.get(a.campaign);
      // We cannot know whether the call was answered: 'unknown', and the number waits for its retry delay.
      await this.#attempts.update(a.id, { status: 'ended', outcome: 'unknown', endedAt: now, durationMs: now - a.startedAt });
      if (!stored) continue;
      const step = nextStep(stored.definition, 'unknown', a.attempt, a.startedAt);
      await this.#campaigns.updateRecord(a.campaign, a.phone, step.state === 'done'
        ? { state: 'done', lastOutcome: 'unknown', previewAgent: undefined }
        : { state: 'pending', nextDueAt: Math.max(step.nextDueAt, now), lastOutcome: 'unknown', previewAgent: undefined });
    }
    let conservative = 0;
    for (const c of await this.#campaigns.list()) {
      if (c.status !== 'running') continue;
      await this.#campaigns.setStatus(c.definition.name, 'running', true, now);
      conservative++;
    }
    if (left.length > 0 || conservative > 0) {
      this.#log.warn({ attemptsClosedAsUnknown: left.length, campaignsResumed: conservative }, 'recovered campaigns after a restart; pacing conservative');
    }
  }

  /** The event bus was replaced: running dialers listen to the new one. */
  busReplaced(): void {
    for (const d of this.#dialers.values()) d.busReplaced();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const d of this.#dialers.values()) d.stop();
    for (const d of this.#dialers.values()) await d.settle(5000);
    this.#dialers.clear();
    for (const f of this.#figureTimers.values()) f.timer?.cancel();
  }

  // ---- lists, DNC ----

  importList(source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>, opts: Omit<ImportOptions, 'country'> & { country?: string }): Promise<ImportReport> {
    return this.#importer.import(source, { ...opts, country: opts.country ?? this.#d.defaultCountry, now: () => this.#d.clock.now() });
  }

  /** Add numbers to the do-not-call list (normalized to E.164); returns how many were new and which were not numbers. */
  async addDnc(numbers: readonly string[], source: string, reason?: string): Promise<{ added: number; invalid: string[] }> {
    const valid: { phone: string; source: string; reason?: string }[] = [];
    const invalid: string[] = [];
    for (const n of numbers) {
      const phone = normalizePhone(n, this.#d.defaultCountry);
      if (phone) valid.push({ phone, source, ...(reason !== undefined ? { reason } : {}) });
      else invalid.push(n);
    }
    return { added: await this.dnc.add(valid, this.#d.clock.now()), invalid };
  }

  // ---- campaigns ----

  async list(): Promise<CampaignView[]> {
    return (await this.#campaigns.list()).map((c) => this.#view(c));
  }

  async get(name: string): Promise<CampaignView> {
    return this.#view(await this.#require(name));
  }

  async save(name: string, input: unknown): Promise<CampaignView> {
    const def = campaignFromInput(name, input);
    const existing = await this.#campaigns.get(name);
    if (existing?.status === 'running') throw new TenorError('TENOR_ERR_CAMPAIGN_STATE', [name, 'be changed', 'running; pause it first']);
    if (!this.#d.acd.queue(def.queue)) throw new TenorError('TENOR_ERR_VALIDATION', [`queue '${def.queue}' does not exist`]);
    await this.#campaigns.save(def, this.#d.clock.now());
    return this.get(name);
  }

  async remove(name: string): Promise<boolean> {
    const existing = await this.#campaigns.get(name);
    if (existing?.status === 'running') throw new TenorError('TENOR_ERR_CAMPAIGN_STATE', [name, 'be deleted', 'running']);
    return this.#campaigns.delete(name);
  }

  /** Load the target's numbers (new ones only) and start dialing. */
  async start(name: string): Promise<CampaignView> {
    const c = await this.#require(name);
    if (c.status === 'running') return this.#view(c);
    const added = await this.#loadTarget(c.definition);
    await this.#campaigns.setStatus(name, 'running', c.conservative, this.#d.clock.now());
    this.#log.info({ campaign: name, added, mode: c.definition.mode }, 'campaign started');
    this.#run(c.definition, c.conservative);
    this.#d.bus.publish('campaign_changed', { campaign: name, status: 'running' });
    return this.get(name);
  }

  async pause(name: string): Promise<CampaignView> {
    const c = await this.#require(name);
    if (c.status !== 'running') throw new TenorError('TENOR_ERR_CAMPAIGN_STATE', [name, 'pause', c.status]);
    this.#dialers.get(name)?.pause();
    this.#dialers.delete(name);
    await this.#campaigns.setStatus(name, 'paused', c.conservative, this.#d.clock.now());
    this.#d.bus.publish('campaign_changed', { campaign: name, status: 'paused' });
    return this.get(name);
  }

  async stopCampaign(name: string): Promise<CampaignView> {
    const c = await this.#require(name);
    this.#dialers.get(name)?.stop();
    this.#dialers.delete(name);
    await this.#campaigns.setStatus(name, 'stopped', false, this.#d.clock.now());
    this.#d.bus.publish('campaign_changed', { campaign: name, status: 'stopped' });
    return this.get(name);
  }

  /** The running dialer of a campaign (tests and the preview API use it). */
  dialer(name: string): CampaignDialer | undefined {
    return this.#dialers.get(name);
  }

  records(name: string): Promise<CampaignRecord[]> {
    return this.#campaigns.records(name);
  }

  attempts(name: string, opts: { since?: number; limit?: number; offset?: number } = {}): Promise<Attempt[]> {
    return this.#attempts.list(name, opts);
  }

  attempt(id: string): Promise<Attempt | undefined> {
    return this.#attempts.get(id);
  }

  /** Whether the agent took a call of this campaign to this number (in any form it may be typed). */
  async workedBy(name: string, phone: string, agent: string): Promise<boolean> {
    const normalized = normalizePhone(phone, this.#d.defaultCountry);
    return normalized !== undefined && this.#attempts.workedBy(name, normalized, agent);
  }

  /** The agent's disposition of a call (after it, in wrap-up). */
  async setDisposition(name: string, attemptId: string, disposition: string): Promise<Attempt> {
    const a = await this.#attempts.get(attemptId);
    if (!a || a.campaign !== name) throw new TenorError('TENOR_ERR_NOT_FOUND', [`attempt ${attemptId} of campaign '${name}'`]);
    await this.#attempts.setDisposition(attemptId, disposition);
    this.#figuresSoon(name);
    return { ...a, disposition };
  }

  /** An agent schedules a callback: at `at` the number is called and connected to an agent of the campaign (the 72-hour block does not apply). */
  async scheduleCallback(name: string, opts: { phone: string; at: number; agent?: string }): Promise<CampaignRecord> {
    const c = await this.#require(name);
    const phone = normalizePhone(opts.phone, this.#d.defaultCountry);
    if (!phone) throw new TenorError('TENOR_ERR_VALIDATION', [`phone '${opts.phone}' is not a phone number`]);
    const existing = await this.#campaigns.record(name, phone);
    if (!existing) {
      const zone = zoneOfNumber(phone);
      const [customer] = await this.#d.crm.findCustomersByPhone(phone);
      await this.#campaigns.addRecords(name, [{ phone, customerId: customer?.id, name: typeof customer?.['name'] === 'string' ? customer['name'] : undefined, timeZone: zone.zone ?? 'UTC' }]);
    }
    await this.#campaigns.updateRecord(name, phone, { state: 'callback', callbackAt: opts.at, callbackAgent: opts.agent });
    this.#dialers.get(c.definition.name)?.poke();
    const record = await this.#campaigns.record(name, phone);
    if (!record) throw new TenorError('TENOR_ERR_INTERNAL', [`callback record ${phone} vanished`]);
    return record;
  }

  // ---- preview ----

  async previewNext(name: string, agent: string): Promise<CampaignRecord | undefined> {
    return this.#preview.next(this.#previewDialer(name), agent);
  }

  async previewDial(name: string, agent: string, phone: string, recorder?: PreviewCallRecorder): Promise<{ attemptId: string }> {
    return this.#preview.dial(this.#previewDialer(name).definition, agent, phone, recorder);
  }

  async previewSkip(name: string, agent: string, phone: string): Promise<void> {
    return this.#preview.skip(this.#previewDialer(name).definition, agent, phone);
  }

  #previewDialer(name: string): CampaignDialer {
    const d = this.#dialers.get(name);
    if (!d) throw new TenorError('TENOR_ERR_CAMPAIGN_STATE', [name, 'preview records', 'not running']);
    if (d.definition.mode !== 'preview') throw new TenorError('TENOR_ERR_CAMPAIGN_STATE', [name, 'preview records', `in ${d.definition.mode} mode`]);
    return d;
  }

  // ---- figures ----

  async figures(name: string): Promise<CampaignFigures> {
    const c = await this.#require(name);
    const def = c.definition;
    const now = this.#d.clock.now();
    const all = await this.#attempts.list(name, { limit: 1_000_000 });
    const window = await this.#attempts.abandonWindow(name, now - abandonWindowMs(def.abandonWindow));
    const dispositions: Record<string, number> = {};
    let dialed = 0, connected = 0, abandoned = 0, machines = 0, talkLastHourMs = 0;
    for (const a of all) {
      if (a.outcome !== 'dnc-blocked' && a.outcome !== 'skipped') dialed++;
      if (a.outcome === 'answered-human') connected++;
      if (a.outcome === 'abandoned') abandoned++;
      if (a.outcome === 'machine') machines++;
      if (a.disposition) dispositions[a.disposition] = (dispositions[a.disposition] ?? 0) + 1;
      if (a.talkMs && (a.endedAt ?? 0) >= now - 3_600_000) talkLastHourMs += a.talkMs;
    }
    const agents = Math.max(1, this.#d.acd.queueAgents(def.queue).length);
    const remaining = (await this.#campaigns.records(name)).filter((r) => r.state !== 'done').length;
    return {
      campaign: name, status: c.status, mode: def.mode, dialed, connected, abandoned,
      abandonedPercent: window.liveAnswered > 0 ? Math.round((window.abandoned / window.liveAnswered) * 10_000) / 100 : 0,
      abandonWindow: def.abandonWindow, machines, contacts: connected, dispositions,
      agentTalkMinutesPerHour: Math.round((talkLastHourMs / 60_000 / agents) * 10) / 10,
      remaining, pacing: this.#dialers.get(name)?.lastReason ?? c.status,
    };
  }

  /** Every campaign for the live monitor, active ones (running, paused) first. */
  async live(): Promise<LiveCampaign[]> {
    return liveCampaigns({
      db: this.#d.db, attempts: this.#attempts, acd: this.#d.acd, campaigns: await this.#campaigns.list(), now: this.#d.clock.now(),
      timeZone: this.#d.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  }

  /** Publish figures now, or once a second has passed since the last time (at most once per second per campaign). */
  #figuresSoon(name: string): void {
    if (this.#stopped) return;
    let f = this.#figureTimers.get(name);
    if (!f) this.#figureTimers.set(name, (f = { last: 0, timer: undefined }));
    if (f.timer) return;
    const state = f;
    const wait = Math.max(0, state.last + FIGURES_MIN_INTERVAL_MS - Date.now());
    state.timer = this.#d.clock.setTimer(wait, () => {
      state.timer = undefined;
      state.last = Date.now();
      if (this.#stopped) return;
      this.figures(name).then(
        (figures) => this.#d.bus.publish('campaign_figures', figures),
        (err: unknown) => this.#log.error({ err, campaign: name }, 'campaign figures failed'),
      );
    });
  }

  // ---- internals ----

  #run(def: CampaignDefinition, conservative: boolean): void {
    if (this.#stopped) return;
    const dialer = new CampaignDialer(def, {
      db: this.#d.db, campaigns: this.#campaigns, attempts: this.#attempts, dnc: this.dnc, driver: this.#d.driver, acd: this.#d.acd,
      bus: this.#d.bus, clock: this.#d.clock, logger: this.#log, onAttemptEnded: (c) => this.#figuresSoon(c),
    }, { conservative });
    this.#dialers.set(def.name, dialer);
    void dialer.learnFromHistory().then(
      (n) => {
        if (n > 0) this.#log.info({ campaign: def.name, attempts: n }, 'pacing stats learned from recent attempts');
      },
      (err: unknown) => this.#log.error({ err, campaign: def.name }, 'reading recent attempts failed; pacing learns afresh'),
    ).finally(() => {
      if (this.#dialers.get(def.name) === dialer && !this.#stopped) dialer.start();
    });
  }

  async #loadTarget(def: CampaignDefinition): Promise<number> {
    if ('list' in def.target) {
      const entries = await this.lists.entries(def.target.list);
      if (entries.length === 0) this.#log.warn({ campaign: def.name, list: def.target.list }, 'campaign list is empty or unknown');
      return this.#campaigns.addRecords(def.name, entries);
    }
    // A CRM segment: every customer of the segment, their first number.
    const customers = this.#d.crm.entity('Customer');
    const rows: { phone: string; customerId: number; name: string | undefined; timeZone: string }[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await customers.list({ where: { segment: def.target.segment }, limit: 500, offset });
      for (const c of page.items) {
        const phones = Array.isArray(c['phones']) ? (c['phones'] as unknown[]).map(String) : [];
        const phone = phones[0];
        if (!phone) continue;
        const zone = zoneOfNumber(phone);
        if (zone.zone === undefined) {
          this.#log.warn({ campaign: def.name, customer: c.id, phone, reason: zone.reason }, 'customer left out: time zone unknown');
          continue;
        }
        rows.push({ phone, customerId: c.id, name: typeof c['name'] === 'string' ? c['name'] : undefined, timeZone: zone.zone });
      }
      if (page.items.length < 500) break;
    }
    return this.#campaigns.addRecords(def.name, rows);
  }

  async #require(name: string): Promise<StoredCampaign> {
    const c = await this.#campaigns.get(name);
    if (!c) throw new TenorError('TENOR_ERR_NOT_FOUND', [`campaign '${name}'`]);
    return c;
  }

  #view(c: StoredCampaign): CampaignView {
    const dialer = this.#dialers.get(c.definition.name);
    return { name: c.definition.name, status: c.status, conservative: dialer?.conservative ?? c.conservative, definition: c.definition };
  }
}
