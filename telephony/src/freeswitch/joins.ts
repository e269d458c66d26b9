// Bridges and monitors on FreeSWITCH: uuid_bridge joins two parked channels,
// parking them again undoes it (both stay up: park_after_bridge), and a
// supervisor's leg runs the eavesdrop application on the monitored channel.
// Eavesdrop's own keys switch its mode (0 listen, 2 speak to the monitored
// channel, 3 speak to both), so setMode queues that digit on the listener.
import type { Bridge, Monitor, MonitorMode } from '../driver.js';
import { apiLogged } from './channel.js';
import type { FreeSwitchCall } from './call.js';

export class FsBridge implements Bridge {
  readonly a: FreeSwitchCall;
  readonly b: FreeSwitchCall;
  #done = false;
  readonly #onDone: (bridge: FsBridge) => void;

  constructor(a: FreeSwitchCall, b: FreeSwitchCall, onDone: (bridge: FsBridge) => void) {
    this.a = a;
    this.b = b;
    this.#onDone = onDone;
    a.partner = b;
    b.partner = a;
    a.onEnded(() => this.release());
    b.onEnded(() => this.release());
  }

  get done(): boolean {
    return this.#done;
  }

  /** Forgets the bridge without touching the channels (one of them ended). */
  release(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.a.partner === this.b) this.a.partner = undefined;
    if (this.b.partner === this.a) this.b.partner = undefined;
    this.#onDone(this);
  }

  async unbridge(): Promise<void> {
    if (this.#done) return;
    this.release();
    for (const call of [this.a, this.b]) {
      if (!call.ended) await apiLogged(call, `uuid_park ${call.uuid}`);
    }
  }
}

const MODE_KEY: Record<MonitorMode, string> = { listen: '0', whisper: '2', barge: '3' };

export class FsMonitor implements Monitor {
  #mode: MonitorMode;
  readonly #listener: FreeSwitchCall;
  #stopped = false;

  private constructor(listener: FreeSwitchCall, mode: MonitorMode) {
    this.#listener = listener;
    this.#mode = mode;
  }

  static async start(target: FreeSwitchCall, listener: FreeSwitchCall, mode: MonitorMode): Promise<FsMonitor> {
    const monitor = new FsMonitor(listener, 'listen');
    await apiLogged(listener, `uuid_setvar ${listener.uuid} eavesdrop_enable_dtmf true`);
    await apiLogged(listener, `uuid_setvar ${listener.uuid} eavesdrop_indicate_failed silence_stream://100`);
    void listener.esl.execute(listener.uuid, 'eavesdrop', target.uuid).then(() => { monitor.#stopped = true; });
    if (mode !== 'listen') {
      // Give eavesdrop time to attach before it reads the mode key.
      await new Promise((r) => setTimeout(r, 200));
      await monitor.setMode(mode);
    }
    return monitor;
  }

  get mode(): MonitorMode {
    return this.#mode;
  }

  async setMode(mode: MonitorMode): Promise<void> {
    if (this.#stopped || this.#listener.ended) throw new Error('the monitor has stopped');
    await apiLogged(this.#listener, `uuid_recv_dtmf ${this.#listener.uuid} ${MODE_KEY[mode]}`);
    this.#mode = mode;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (!this.#listener.ended) await apiLogged(this.#listener, `uuid_break ${this.#listener.uuid} all`);
  }
}
