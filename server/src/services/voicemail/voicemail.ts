// The voicemail service's behaviour, apart from how it is started: taking a
// message on a call, the life of a message (new → heard → handled), callbacks,
// greetings and retention. Everything it touches comes in as a dependency, so
// tests run it on a real database with a fixed clock.

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Call, Prompt } from '@tenor/telephony';
import { pathInside } from '../../core/paths.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, restrictFiles } from '../../core/private-files.js';
import { TenorError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { CrmService } from '../crm/index.js';
import { convertToTelephony, type PromptsService } from '../prompts/index.js';
import type { BoxDirectory } from './boxes.js';
import type { Notifier } from './notifier.js';
import type { VoicemailStore } from './store.js';
import { trimSilence } from './trim.js';
import type { LeaveMessageOptions, MessageFilter, VoicemailBox, VoicemailMessage, VoicemailService, VoicemailStatus } from './types.js';
import './events.js';

const DAY_MS = 86_400_000;
/** Shorter than this (after trimming silence) is a caller who said nothing: no message. */
export const MIN_MESSAGE_MS = 500;
/** Greetings are short; a long upload is a mistake (a whole prompt library, music). */
export const MAX_GREETING_SECONDS = 120;

/** Read afresh: a call's state changes while we await (TypeScript would keep an earlier narrowing). */
const hasEnded = (call: Call): boolean => call.state === 'ended';

const STATUS_ORDER: Record<VoicemailStatus, number> = { new: 0, heard: 1, handled: 2 };

/** What voicemail asks of the ACD: callbacks (the rest is in BoxDirectory's view). */
export interface CallbackTaker {
  requestCallback(opts: { queue: string; number: string; customerId?: string; priority?: number; reason?: string }): { entryId: string };
}

export interface VoicemailDeps {
  dataDir: string;
  store: VoicemailStore;
  boxes: BoxDirectory;
  prompts: PromptsService;
  bus: EventBus;
  acd: CallbackTaker;
  crm: CrmService | undefined;
  notifier: Notifier;
  logger: Logger;
  now(): number;
  retentionDays: number;
}

export function voicemailDir(dataDir: string): string {
  return path.join(dataDir, 'voicemail');
}

export function createVoicemail(d: VoicemailDeps): VoicemailService {
  const identify = async (number: string, log: Logger): Promise<string | undefined> => {
    if (!d.crm) return undefined;
    try {
      const [customer] = await d.crm.findCustomersByPhone(number);
      return customer ? String(customer.id) : undefined;
    } catch (err) {
      // An unidentified caller still leaves their message.
      log.warn({ err }, 'caller not identified');
      return undefined;
    }
  };

  const onTimeline = async (m: VoicemailMessage, box: VoicemailBox, log: Logger): Promise<void> => {
    const customer = Number(m.customerId);
    if (!d.crm?.hasContactHistory || !Number.isInteger(customer) || customer <= 0) return;
    try {
      await d.crm.recordInteraction({
        customer,
        channel: 'voicemail',
        direction: 'inbound',
        occurredAt: m.receivedAt,
        ...(box.queue !== undefined ? { queue: box.queue } : {}),
        ...(box.kind === 'agent' ? { agent: box.name.slice('agent:'.length) } : {}),
        durationSeconds: Math.round(m.durationMs / 1000),
        notes: `Voicemail left in ${box.name} (${(m.durationMs / 1000).toFixed(1)} s)`,
        recording: `/api/voicemail/messages/${m.id}/audio`,
        callId: m.callId,
      });
    } catch (err) {
      log.error({ err }, 'voicemail not put on the customer timeline');
    }
  };

  const requireMessage = async (id: string): Promise<VoicemailMessage> => {
    const m = await d.store.get(id);
    if (!m) throw new TenorError('TENOR_ERR_NOT_FOUND', [`voicemail message '${id}'`]);
    return m;
  };

  // A new name per upload: the engine decodes a prompt file once per path and keeps it, so a
  // greeting written over the old file would go unheard until a restart.
  const greetingFile = (box: string): string => pathInside(voicemailDir(d.dataDir), 'greetings', `${box}.${d.now()}.wav`);

  return {
    boxes: () => d.boxes.all(),
    box: (name) => d.boxes.get(name),
    boxesFor: (login) => d.boxes.visibleTo(login).map((n) => d.boxes.require(n)),

    async leaveMessage(call: Call, opts: LeaveMessageOptions): Promise<VoicemailMessage | undefined> {
      const box = d.boxes.require(opts.box);
      const log = d.logger.child({ callId: call.id, box: box.name });
      if (call.state === 'ended') return undefined;
      if (call.state === 'ringing' || call.state === 'early') await call.answer();
      const greeting: Prompt = box.greeting !== undefined ? { file: box.greeting } : d.prompts.resolve('leave-message', opts.language ?? box.language);
      // '#' skips the greeting straight to the beep, as callers expect.
      const played = await call.play({ prompts: [greeting], interruptOn: '#' });
      if (played.reason === 'hangup' || hasEnded(call)) {
        log.info('caller hung up during the greeting; no message');
        return undefined;
      }
      const id = randomUUID();
      const dir = pathInside(voicemailDir(d.dataDir), box.name);
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const file = path.join(dir, `${id}.wav`);
      const receivedAt = d.now();
      const recorded = await call.record({ file, maxSeconds: box.maxSeconds, silenceSeconds: box.silenceSeconds, stopKeys: '#', beep: true });
      // The engine writes with the default mode; a caller's message is private.
      restrictFiles(file);
      const durationMs = existsSync(file) ? await trimSilence(file) : 0;
      if (durationMs < MIN_MESSAGE_MS) {
        await rm(file, { force: true });
        log.info({ reason: recorded.reason, recordedMs: recorded.durationMs }, 'nothing said; no message kept');
        return undefined;
      }
      const customerId = opts.customerId ?? (await identify(call.from.number, log));
      const message = await d.store.insert({ id, box: box.name, callId: call.id, callerNumber: call.from.number, customerId, durationMs, receivedAt, file });
      log.info({ voicemail: id, from: call.from.number, customerId, durationMs, stoppedBy: recorded.reason }, 'voicemail received');
      d.bus.publish('voicemail_received', { id, box: box.name, callId: call.id, callerNumber: call.from.number, customerId, durationMs, receivedAt: message.receivedAt });
      await onTimeline(message, box, log);
      d.notifier.notify(id);
      return message;
    },

    messages: (filter: MessageFilter = {}) => d.store.list(filter),
    message: (id) => d.store.get(id),

    async setStatus(id, status, by) {
      const m = await requireMessage(id);
      if (STATUS_ORDER[status] < STATUS_ORDER[m.status]) throw new TenorError('TENOR_ERR_VOICEMAIL_STATUS', [id, m.status, status]);
      if (status === m.status) return m;
      await d.store.setStatus(id, status, d.now(), by);
      d.logger.info({ callId: m.callId, voicemail: id, box: m.box, from: m.status, to: status, by }, 'voicemail status changed');
      d.bus.publish('voicemail_status_changed', { id, box: m.box, from: m.status, to: status, by });
      return requireMessage(id);
    },

    async requestCallback(id, opts) {
      const m = await requireMessage(id);
      const box = d.boxes.get(m.box);
      const queue = opts.queue ?? box?.queue;
      if (queue === undefined) throw new TenorError('TENOR_ERR_VALIDATION', [`box '${m.box}' has no queue of its own: say which queue calls back (body.queue)`]);
      const { entryId } = d.acd.requestCallback({
        queue,
        number: m.callerNumber,
        ...(m.customerId !== undefined ? { customerId: m.customerId } : {}),
        ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
        reason: `voicemail ${m.id} in ${m.box}, asked by ${opts.by}`,
      });
      await d.store.setCallback(id, entryId);
      d.logger.info({ callId: m.callId, voicemail: id, queue, entryId, by: opts.by }, 'callback requested from a voicemail');
      return { entryId, queue };
    },

    async setGreeting(name, wav) {
      const box = d.boxes.require(name);
      const converted = await convertToTelephony(wav, { maxSeconds: MAX_GREETING_SECONDS, what: `the greeting of box '${box.name}'` });
      const file = greetingFile(box.name);
      await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, converted.wav, { mode: PRIVATE_FILE_MODE });
      await rename(tmp, file); // never half a file under the name
      await d.store.setGreeting(box.name, file, d.now());
      d.boxes.setGreeting(box.name, file);
      if (box.greeting !== undefined && box.greeting !== file) await rm(box.greeting, { force: true });
      d.logger.info({ box: box.name, durationMs: converted.durationMs, from: converted.source }, 'voicemail greeting uploaded');
      return d.boxes.require(box.name);
    },

    async clearGreeting(name) {
      const box = d.boxes.require(name);
      if (box.greeting !== undefined) await rm(box.greeting, { force: true });
      await d.store.setGreeting(box.name, undefined, d.now());
      d.boxes.setGreeting(box.name, undefined);
      return d.boxes.require(box.name);
    },

    async messagesForCalls(callIds) {
      const byCall = new Map<string, VoicemailMessage[]>();
      for (const m of await d.store.byCalls(callIds)) byCall.set(m.callId, [...(byCall.get(m.callId) ?? []), m]);
      return byCall;
    },

    notificationsSettled: () => d.notifier.settled(),

    async purgeExpired() {
      const cutoff = d.now() - d.retentionDays * DAY_MS;
      const expired = await d.store.receivedBefore(cutoff);
      for (const m of expired) {
        await rm(m.file, { force: true });
        await d.store.delete(m.id);
      }
      if (expired.length > 0) d.logger.info({ deleted: expired.length, retentionDays: d.retentionDays }, 'old voicemail deleted');
      return expired.length;
    },
  };
}
