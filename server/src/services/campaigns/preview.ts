// Preview dialing: the agent sees the next record first, then dials or skips.
// Dialing rings the agent's own phone, then calls the customer (the DNC list
// read right before that INVITE) and connects the two. The ACD is told the agent
// is busy for the whole call (acd.outsideCall), so it offers them no queue call
// and refuses their own ready or break meanwhile, as on any call.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Call, TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import { causeOf, type AcdService, type Clock, type OutsideCall } from '../acd/index.js';
import type { CampaignDialer } from './dialer.js';
import { outcomeOfCause } from './dialer.js';
import type { AttemptOutcome, CampaignDefinition } from './model.js';
import { nextStep } from './retry.js';
import type { AttemptsRepository } from './store/attempts.js';
import type { CampaignRecord, CampaignsRepository } from './store/campaigns.js';
import type { DncRepository } from './store/dnc.js';
import type { RecordingsService } from '../recordings/index.js';

/** What a preview call needs of the recordings (when the site runs them): its call recorded by the campaign's policy. */
export type PreviewCallRecorder = Pick<RecordingsService, 'followOutsideCall'>;

export interface PreviewDeps {
  campaigns: CampaignsRepository;
  attempts: AttemptsRepository;
  dnc: DncRepository;
  driver: TelephonyDriver;
  acd: Pick<AcdService, 'outsideCall'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  onAttemptEnded: (campaign: string) => void;
}

export class PreviewDesk {
  constructor(private readonly d: PreviewDeps) {}

  /** Reserve the next callable record for `agent` (the one already reserved for them, if any). */
  async next(dialer: CampaignDialer, agent: string): Promise<CampaignRecord | undefined> {
    const def = dialer.definition;
    const mine = (await this.d.campaigns.records(def.name)).find((r) => r.previewAgent === agent && r.state === 'pending');
    if (mine) return mine;
    const [record] = await dialer.nextRecords(1, this.d.clock.now());
    if (!record) return undefined;
    await this.d.campaigns.updateRecord(def.name, record.phone, { previewAgent: agent });
    return { ...record, previewAgent: agent };
  }

  /** The agent passes on this record: it goes back to the list, due again after the no-answer delay. */
  async skip(def: CampaignDefinition, agent: string, phone: string): Promise<void> {
    const record = await this.#reserved(def, agent, phone);
    await this.d.campaigns.updateRecord(def.name, record.phone, { previewAgent: undefined, nextDueAt: this.d.clock.now() + def.retry['no-answer'].delayMinutes * 60_000, lastOutcome: 'skipped' });
  }

  /**
   * Ring the agent, then the customer; resolves once the attempt is written (the call goes on).
   * Refused while the agent has another call in hand (TENOR_ERR_AGENT_BUSY) or is logged out of the ACD.
   */
  async dial(def: CampaignDefinition, agent: string, phone: string, recorder?: PreviewCallRecorder): Promise<{ attemptId: string }> {
    const record = await this.#reserved(def, agent, phone);
    const id = randomUUID();
    const busy = this.d.acd.outsideCall(agent, id, def.queue);
    const attempt = record.attempts + 1;
    const startedAt = this.d.clock.now();
    const log = this.d.logger.child({ campaign: def.name, attemptId: id, phone, agent });
    try {
      await this.d.attempts.open({ id, campaign: def.name, phone, customerId: record.customerId, attempt, startedAt });
      await this.d.campaigns.updateRecord(def.name, phone, { state: 'in-progress', attempts: attempt, previewAgent: undefined });
    } catch (err) {
      busy?.ended();
      throw err;
    }
    void this.#run(def, record, id, attempt, startedAt, agent, busy, log, recorder).catch((err: unknown) => {
      log.error({ err }, 'preview call failed');
      busy?.ended();
      return this.#finish(def, record, id, attempt, startedAt, { outcome: 'failed' });
    }).catch((err: unknown) => log.error({ err }, 'preview attempt could not be closed'));
    return { attemptId: id };
  }

  async #reserved(def: CampaignDefinition, agent: string, phone: string): Promise<CampaignRecord> {
    const record = await this.d.campaigns.record(def.name, phone);
    if (!record || record.previewAgent !== agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`record ${phone} reserved for ${agent} in campaign '${def.name}'`]);
    return record;
  }

  async #run(def: CampaignDefinition, record: CampaignRecord, id: string, attempt: number, startedAt: number, agent: string,
    busy: OutsideCall | undefined, log: Logger, recorder: PreviewCallRecorder | undefined): Promise<void> {
    let agentLeg: Call;
    try {
      agentLeg = await this.d.driver.originate({ kind: 'device', user: agent }, { callerId: { number: record.phone, displayName: record.name ?? record.phone }, timeoutMs: 30_000 });
    } catch (err) {
      busy?.ended();
      // The agent did not pick up: the record goes back untouched (no call to the customer was made).
      log.warn({ cause: causeOf(err) }, 'agent phone not answered; preview call not placed');
      await this.d.attempts.update(id, { status: 'ended', outcome: 'skipped', endedAt: this.d.clock.now(), durationMs: 0 });
      await this.d.campaigns.updateRecord(def.name, record.phone, { state: 'pending', attempts: record.attempts });
      return;
    }
    busy?.answered(agentLeg.id);
    if (await this.d.dnc.blocked(record.phone)) {
      log.warn('number on the do-not-call list; not dialed');
      await agentLeg.hangup('normal');
      busy?.ended();
      await this.#finish(def, record, id, attempt, startedAt, { outcome: 'dnc-blocked' });
      return;
    }
    let customer: Call;
    try {
      customer = await this.d.driver.originate(
        { kind: 'number', number: record.phone, ...(def.trunk !== undefined ? { trunk: def.trunk } : {}) },
        { callerId: { number: def.callerId }, timeoutMs: def.ringTimeSeconds * 1000 },
      );
    } catch (err) {
      if (agentLeg.state !== 'ended') await agentLeg.hangup('normal');
      busy?.ended();
      await this.#finish(def, record, id, attempt, startedAt, { outcome: outcomeOfCause(causeOf(err)) });
      return;
    }
    const answeredAt = this.d.clock.now();
    log.info({ callId: customer.id }, 'preview call answered; connecting the agent');
    await this.d.attempts.update(id, { callId: customer.id, answeredAt });
    const bridge = await this.d.driver.bridge(agentLeg, customer);
    // Recorded from the moment the two talk, as an ACD call (the ACD connects no preview call, so it is told here).
    const endRecording = recorder?.followOutsideCall({
      customer, agent, queue: def.queue, campaign: def.name, customerId: record.customerId !== undefined ? String(record.customerId) : null, recording: def.recording,
    });
    await new Promise<void>((resolve) => {
      if (agentLeg.state === 'ended' || customer.state === 'ended') return resolve();
      agentLeg.once('hangup', () => resolve());
      customer.once('hangup', () => resolve());
    });
    endRecording?.();
    await bridge.unbridge();
    if (agentLeg.state !== 'ended') await agentLeg.hangup('normal');
    if (customer.state !== 'ended') await customer.hangup('normal');
    busy?.ended();
    await this.#finish(def, record, id, attempt, startedAt, { outcome: 'answered-human', agent, answeredAt, talkMs: this.d.clock.now() - answeredAt });
  }

  async #finish(def: CampaignDefinition, record: CampaignRecord, id: string, attempt: number, startedAt: number,
    fields: { outcome: AttemptOutcome; agent?: string; answeredAt?: number; talkMs?: number }): Promise<void> {
    const endedAt = this.d.clock.now();
    await this.d.attempts.update(id, { status: 'ended', outcome: fields.outcome, endedAt, durationMs: endedAt - startedAt,
      ...(fields.agent !== undefined ? { agent: fields.agent } : {}), ...(fields.talkMs !== undefined ? { talkMs: fields.talkMs } : {}) });
    const step = fields.outcome === 'dnc-blocked' ? { state: 'done' as const } : nextStep(def, fields.outcome, attempt, endedAt);
    await this.d.campaigns.updateRecord(def.name, record.phone, step.state === 'done' ? { state: 'done', lastOutcome: fields.outcome } : { state: 'pending', nextDueAt: step.nextDueAt, lastOutcome: fields.outcome });
    this.d.bus.publish('campaign_attempt', {
      campaign: def.name, attemptId: id, phone: record.phone, attempt, outcome: fields.outcome, amd: undefined, agent: fields.agent,
      callId: (await this.d.attempts.get(id))?.callId, identificationPlayed: false, durationMs: endedAt - startedAt,
    });
    this.d.onAttemptEnded(def.name);
  }
}
