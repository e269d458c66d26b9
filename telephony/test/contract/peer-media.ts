// The audio side of the scripted test peer: a media leg that sends silence
// (or a tone) every 20 ms, as a phone does, and counts how much non-silent
// audio it heard. Built on the media leg of the embedded engine.
import { FRAME_MS, FRAME_SAMPLES } from '../../src/embedded/media/output.js';
import { startPacer, type Pacer } from '../../src/embedded/media/pacer.js';
import type { MediaLeg } from '../../src/embedded/media/leg.js';
import { frameRms } from '../../src/embedded/media/recorder.js';

export function toneFrame(n: number, hz = 440, amplitude = 8000): Int16Array {
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    frame[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (n * FRAME_SAMPLES + i)) / 8000));
  }
  return frame;
}

export class PeerMedia {
  readonly leg: MediaLeg;
  #pacer: Pacer | undefined;
  /** The frequency sent, or undefined for silence. */
  #tone: number | undefined;
  #flowing = true;
  #heardMs = 0;

  constructor(leg: MediaLeg) {
    this.leg = leg;
    leg.on('audio', (f) => {
      if (frameRms(f.pcm) > 500) this.#heardMs += (f.pcm.length / 8000) * 1000;
    });
    const source = leg.output.attach('peer');
    this.#pacer = startPacer(FRAME_MS, (n) => {
      if (leg.closed) return false;
      if (this.#flowing) source.write(this.#tone !== undefined ? toneFrame(n, this.#tone) : new Int16Array(FRAME_SAMPLES));
      return true;
    });
    leg.once('closed', () => this.stop());
  }

  get heardMs(): number {
    return this.#heardMs;
  }

  set tone(hz: number | undefined) {
    this.#tone = hz;
  }

  set flowing(on: boolean) {
    this.#flowing = on;
  }

  stop(): void {
    this.#pacer?.stop();
    this.#pacer = undefined;
  }
}
