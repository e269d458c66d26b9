// The ringing sound, made with WebAudio (no sound file): the two tones of a North
// American ring (440 + 480 Hz), 2 s on and 4 s off, until stopped.

const cadence = { onMs: 2000, offMs: 4000 };
const tones = [440, 480];
const level = 0.12;

export class Ringer {
  #context: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  get ringing(): boolean {
    return this.#timer !== undefined;
  }

  /** Start ringing on `output` ('' = default); a second start while ringing does nothing. */
  start(output: string): void {
    if (this.#timer !== undefined) return;
    const context = new AudioContext();
    this.#context = context;
    const withSink = context as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (output !== '' && withSink.setSinkId !== undefined) {
      withSink.setSinkId(output).catch((err: unknown) => console.debug('tenor: ringing on the chosen output failed', err));
    }
    const burst = (): void => {
      const start = context.currentTime;
      const end = start + cadence.onMs / 1000;
      const gain = context.createGain();
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(level, start + 0.02);
      gain.gain.setValueAtTime(level, end - 0.02);
      gain.gain.linearRampToValueAtTime(0, end);
      gain.connect(context.destination);
      for (const frequency of tones) {
        const oscillator = context.createOscillator();
        oscillator.frequency.value = frequency;
        oscillator.connect(gain);
        oscillator.start(start);
        oscillator.stop(end);
      }
    };
    burst();
    this.#timer = setInterval(burst, cadence.onMs + cadence.offMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const context = this.#context;
    this.#context = undefined;
    context?.close().catch((err: unknown) => console.debug('tenor: closing the ringer failed', err));
  }
}
