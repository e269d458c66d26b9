// E-mail for every new message, with the recording attached. The message is
// saved before anything is sent, so a mail failure never loses it: a failed
// send is logged and tried again with growing delays, and messages still
// pending when the server stops are picked up at the next start.

import path from 'node:path';
import type { Logger } from 'pino';
import type { MailService } from '../mail.js';
import type { VoicemailStore } from './store.js';
import type { VoicemailBox, VoicemailMessage } from './types.js';

/** Delays before the 2nd, 3rd, ... attempt. Five attempts over about 20 minutes. */
export const DEFAULT_RETRY_DELAYS_MS = [30_000, 2 * 60_000, 5 * 60_000, 15 * 60_000] as const;

/** Unsent notifications younger than this are resumed at start. */
export const RESUME_WITHIN_MS = 86_400_000;

export interface NotifierOptions {
  mail: MailService;
  store: VoicemailStore;
  logger: Logger;
  box(name: string): VoicemailBox | undefined;
  now(): number;
  retryDelaysMs?: readonly number[];
}

export function notificationText(m: VoicemailMessage, box: VoicemailBox): { subject: string; text: string } {
  const seconds = (m.durationMs / 1000).toFixed(1);
  return {
    subject: `New voicemail in ${box.name} from ${m.callerNumber} (${seconds} s)`,
    text: [
      `A caller left a message in the voicemail box ${box.name}.`,
      '',
      `From:      ${m.callerNumber}`,
      `Customer:  ${m.customerId ?? 'not identified'}`,
      `Received:  ${m.receivedAt}`,
      `Length:    ${seconds} s`,
      `Message:   ${m.id}`,
      `Call:      ${m.callId}`,
      '',
      'The recording is attached. Mark the message heard or handled, or ask for a callback, in Tenor.',
    ].join('\n'),
  };
}

export class Notifier {
  readonly #o: NotifierOptions;
  readonly #delays: readonly number[];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;

  constructor(opts: NotifierOptions) {
    this.#o = opts;
    this.#delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  get maxAttempts(): number {
    return this.#delays.length + 1;
  }

  /** Sends now (in the background); retries on failure. */
  notify(messageId: string, attempt = 0): void {
    if (this.#stopped || !this.#o.mail.configured) return;
    const job = this.#attempt(messageId, attempt).finally(() => this.#inflight.delete(job));
    this.#inflight.add(job);
  }

  /**
   * At start: notifications a previous run did not get out, for messages of
   * the last day (turning SMTP on, or adding addresses to a box, does not
   * mail out a backlog of old messages).
   */
  async resumePending(): Promise<number> {
    if (!this.#o.mail.configured) return 0;
    const pending = await this.#o.store.pendingNotifications(this.maxAttempts, this.#o.now() - RESUME_WITHIN_MS);
    for (const p of pending) this.notify(p.id, p.attempts);
    return pending.length;
  }

  /** Resolves when no send is in progress (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.settled();
  }

  async #attempt(messageId: string, attempt: number): Promise<void> {
    const message = await this.#o.store.get(messageId);
    if (!message || message.notifiedAt !== undefined) return; // deleted meanwhile, or already sent
    const box = this.#o.box(message.box);
    const log = this.#o.logger.child({ callId: message.callId, voicemail: message.id, box: message.box });
    if (!box || box.notify.length === 0) return;
    const { subject, text } = notificationText(message, box);
    try {
      const sent = await this.#o.mail.send({
        to: [...box.notify],
        subject,
        text,
        attachments: [{ filename: `voicemail-${message.id}${path.extname(message.file) || '.wav'}`, path: message.file, contentType: 'audio/wav' }],
      });
      await this.#o.store.markNotified(message.id, this.#o.now());
      log.info({ to: box.notify, messageId: sent.messageId, attempt: attempt + 1 }, 'voicemail notification sent');
    } catch (err) {
      await this.#o.store.markNotifyFailed(message.id, (err as Error).message);
      const delay = this.#delays[attempt];
      if (delay === undefined || this.#stopped) {
        log.error({ err, to: box.notify, attempts: attempt + 1 }, 'voicemail notification failed; giving up (the message is kept)');
        return;
      }
      log.warn({ err, to: box.notify, attempt: attempt + 1, retryInMs: delay }, 'voicemail notification failed; will retry');
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.notify(message.id, attempt + 1);
      }, delay);
      timer.unref();
      this.#timers.add(timer);
    }
  }
}
