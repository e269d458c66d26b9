// Bridges and monitors as the contract sees them, over the media layer's
// MediaBridge. A bridge ends when either call ends.
import type { Bridge, Monitor, MonitorMode } from '../../driver.js';
import type { MediaBridge, MediaMonitor } from '../media/bridge.js';
import type { EmbeddedCall } from './call.js';

export class EmbeddedBridge implements Bridge {
  readonly a: EmbeddedCall;
  readonly b: EmbeddedCall;
  readonly media: MediaBridge;
  readonly #onRelease: (bridge: EmbeddedBridge) => void;
  readonly #onHangup = (): void => {
    void this.unbridge();
  };
  #done = false;

  constructor(a: EmbeddedCall, b: EmbeddedCall, media: MediaBridge, onRelease: (bridge: EmbeddedBridge) => void) {
    this.a = a;
    this.b = b;
    this.media = media;
    this.#onRelease = onRelease;
    a.once('hangup', this.#onHangup);
    b.once('hangup', this.#onHangup);
  }

  get active(): boolean {
    return !this.#done;
  }

  includes(call: EmbeddedCall): boolean {
    return this.a === call || this.b === call;
  }

  async unbridge(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.a.off('hangup', this.#onHangup);
    this.b.off('hangup', this.#onHangup);
    this.media.unbridge();
    this.a.log.info({ with: this.b.id }, 'unbridged');
    this.#onRelease(this);
  }
}

export class EmbeddedMonitor implements Monitor {
  readonly #media: MediaMonitor;
  readonly #listener: EmbeddedCall;
  readonly #onHangup = (): void => {
    void this.stop();
  };

  constructor(media: MediaMonitor, listener: EmbeddedCall) {
    this.#media = media;
    this.#listener = listener;
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
  }
}
