// What a waiting caller hears: music on hold, interrupted every N seconds by an
// announcement of their position and estimated wait. An announcement never
// delays a connection: the moment an agent is free for this caller it is cut
// off, and no new one starts while the offer is out.

import type { Call, Prompt } from '@tenor/telephony';
import type { Clock, TimerHandle } from './clock.js';

export interface HoldOptions {
  music: Prompt;
  /** Announce every intervalMs; `prompts` says what (nothing to say: skipped). */
  announcements: { intervalMs: number; prompts: () => Prompt[] } | undefined;
  clock: Clock;
  onError: (err: unknown) => void;
}

export class HoldExperience {
  readonly #call: Call;
  readonly #opts: HoldOptions;
  #music: AbortController | undefined;
  #announcement: AbortController | undefined;
  #timer: TimerHandle | undefined;
  #announceDue = false;
  /** An agent is being offered this caller: no announcements. */
  #suspended = false;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(call: Call, opts: HoldOptions) {
    this.#call = call;
    this.#opts = opts;
  }

  /** True while an announcement is being played. */
  get announcing(): boolean {
    return this.#announcement !== undefined;
  }

  start(): void {
    this.#schedule();
    this.#loop = this.#run().catch(this.#opts.onError);
  }

  /** An agent is free for this caller: cut the announcement now; music goes on until connected. */
  agentFree(): void {
    this.#suspended = true;
    this.#announceDue = false;
    this.#announcement?.abort();
  }

  /** The offer failed: announcements resume on their schedule. */
  resume(): void {
    this.#suspended = false;
  }

  /** Stop all sound (before connecting or when the caller leaves); resolves when playback has stopped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#announcement?.abort();
    this.#music?.abort();
    await this.#loop;
  }

  #schedule(): void {
    const a = this.#opts.announcements;
    if (!a || a.intervalMs <= 0) return;
    this.#timer = this.#opts.clock.setTimer(a.intervalMs, () => {
      if (this.#stopped) return;
      if (!this.#suspended) {
        this.#announceDue = true;
        this.#music?.abort();
      }
      this.#schedule();
    });
  }

  async #run(): Promise<void> {
    while (!this.#stopped && this.#call.state !== 'ended') {
      if (this.#announceDue && !this.#suspended) {
        this.#announceDue = false;
        const prompts = this.#opts.announcements?.prompts() ?? [];
        if (prompts.length > 0) {
          const ac = (this.#announcement = new AbortController());
          const r = await this.#call.play({ prompts, signal: ac.signal });
          this.#announcement = undefined;
          if (r.reason === 'hangup') return;
          continue;
        }
      }
      const ac = (this.#music = new AbortController());
      const r = await this.#call.play({ prompts: [this.#opts.music], loop: true, signal: ac.signal });
      this.#music = undefined;
      if (r.reason === 'hangup') return;
    }
  }
}
