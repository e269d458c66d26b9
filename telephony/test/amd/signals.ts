// Signals made in tests, where the truth is known to the frame: line noise,
// speech-like bursts (noise under a syllable envelope: loud, never tonal),
// tones and silence, as 16-bit PCM at 8 kHz. Deterministic.

const RATE = 8000;

/** Deterministic noise (a linear congruential generator), so runs are identical. */
export function noise(ms: number, rms: number, seed = 1): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = Math.round(((s / 0xffffffff) * 2 - 1) * rms * Math.sqrt(3));
  }
  return out;
}

/** Speech-like: noise shaped by a 4 Hz syllable envelope (loud, never tonal). */
export function speech(ms: number, rms = 3000, seed = 7): Int16Array {
  const out = noise(ms, rms, seed);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((out[i] as number) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 4 * i) / RATE)));
  return out;
}

export function tone(ms: number, hz: number, amplitude = 8000): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

export function silence(ms: number): Int16Array {
  return new Int16Array((RATE * ms) / 1000);
}

/** Mixes quiet line noise under a signal, as a phone line would. */
export function onLine(...parts: Int16Array[]): Int16Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = noise((total * 1000) / RATE, 60, 99);
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = Math.max(-32768, Math.min(32767, (out[at + i] as number) + (p[i] as number)));
    at += p.length;
  }
  return out;
}

