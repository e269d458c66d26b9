// Bridges and monitors as the contract sees them, over the media layer's
// MediaBridge. A bridge ends when either call ends.
import type { Bridge, Monitor, MonitorMode } from '../../driver.js';
import type { MediaBridge, MediaMonitor } from '../media/bridge.js';
import type { EmbeddedCall } from './call.js';
import type { MediaReanchor } from './media-reanchor.js';

export class EmbeddedBridge implements Bridge {
  readonly a: EmbeddedCall;
  readonly b: EmbeddedCall;
  readonly media: MediaBridge;
  /** Where the bridge's audio flows (Tenor's relay, direct, an external relay) and the moves between them. */
  readonly anchor: MediaReanchor;
  readonly #onRelease: (bridge: EmbeddedBridge) => void;
  readonly #onHangup = (): void => {
    void this.unbridge();
  };
  #done = false;

  constructor(a: EmbeddedCall, b: EmbeddedCall, media: MediaBridge, anchor: MediaReanchor, onRelease: (bridge: EmbeddedBridge) => void) {
    this.a = a;
    this.b = b;
    this.media = media;
    this.anchor = anchor;
    this.#onRelease = onRelease;
    a.once('hangup', this.#onHangup);
    b.once('hangup', this.#onHangup);
  }

  get active(): boolean {
    return !this.#done;
  }

  /** 'tenor', 'direct' or the external relay's name. */
  get mediaPath(): string {
    return this.anchor.pathName;
  }

  includes(call: EmbeddedCall): boolean {
    return this.a === call || this.b === call;
  }

  async unbridge(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.a.off('hangup', this.#onHangup);
    this.b.off('hangup', this.#onHangup);
    // Both legs hear Tenor again before the bridge is gone (back to a queue, a transfer...).
    await this.anchor.end();
    this.media.unbridge();
    this.a.log.info({ with: this.b.id }, 'unbridged');
    this.#onRelease(this);
  }
}

export class EmbeddedMonitor implements Monitor {
  readonly #media: MediaMonitor;
  readonly #listener: EmbeddedCall;
  /** Lets the bridge's audio leave Tenor again once the monitor stops. */
  readonly #release: () => void;
  readonly #onHangup = (): void => {
    void this.stop();
  };

  constructor(media: MediaMonitor, listener: EmbeddedCall, release: () => void) {
    this.#media = media;
    this.#listener = listener;
    this.#release = release;
    listener.once('hangup', this.#onHangup);
  }

  get mode(): MonitorMode {
    return this.#media.mode;
  }

  async setMode(mode: MonitorMode): Promise<void> {
    this.#media.setMode(mode);
  }

  async stop(): Promise<void> {
    this.#listener.off('hangup', this.#onHangup);
    this.#media.stop();
    this.#release();
  }
}
