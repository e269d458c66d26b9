// The resampler behind prompt uploads: tones keep their frequency and level,
// and what lies above the telephone band is removed rather than folded back.

import t from 'tap';
import { resample } from '../../src/audio/index.js';

function sine(rate: number, hz: number, seconds: number, amplitude: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** RMS of the middle, away from the filter's start-up at the edges. */
function rms(x: Float32Array): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let sum = 0;
  for (let i = from; i < to; i++) sum += (x[i] as number) ** 2;
  return Math.sqrt(sum / (to - from));
}

/** Level of one frequency (Goertzel), as the RMS of that component. */
function levelAt(x: Float32Array, rate: number, hz: number): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  const n = to - from;
  const w = (2 * Math.PI * hz) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    re += (x[from + i] as number) * Math.cos(w * i);
    im -= (x[from + i] as number) * Math.sin(w * i);
  }
  return (Math.sqrt(re * re + im * im) / n) * Math.SQRT2;
}

/** Frequency from rising zero crossings. */
function frequency(x: Float32Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1] as number;
    const b = x[i] as number;
    if (a < 0 && b >= 0) crossings.push(i - 1 + a / (a - b));
  }
  const inner = crossings.slice(5, -5);
  return ((inner.length - 1) * rate) / ((inner.at(-1) as number) - (inner[0] as number));
}

const dB = (ratio: number): number => 20 * Math.log10(ratio);

t.test('GIVEN a 1 kHz sine at 44.1 kHz WHEN brought to 8 kHz THEN it is still 1 kHz at the same level, and lasts as long', async (t) => {
  const input = sine(44100, 1000, 2, 0.5);
  const out = resample(input, 44100, 8000);
  t.equal(out.length, 16000, '2 s at 8 kHz');
  t.ok(Math.abs(frequency(out, 8000) - 1000) < 1, `frequency ${frequency(out, 8000).toFixed(2)} Hz`);
  const gain = dB(rms(out) / rms(input));
  t.ok(Math.abs(gain) < 0.1, `level kept within 0.1 dB (${gain.toFixed(3)} dB)`);
});

t.test('GIVEN tones across the telephone band at every common rate WHEN brought to 8 kHz THEN each keeps its level (flat to 3.2 kHz)', async (t) => {
  for (const rate of [11025, 16000, 22050, 32000, 44100, 48000]) {
    for (const hz of [300, 1000, 2000, 3200]) {
      const out = resample(sine(rate, hz, 1, 0.5), rate, 8000);
      const gain = dB(levelAt(out, 8000, hz) / (0.5 / Math.SQRT2));
      t.ok(Math.abs(gain) < 0.5, `${hz} Hz from ${rate} Hz: ${gain.toFixed(3)} dB`);
    }
  }
});

t.test('GIVEN a 6 kHz tone at 44.1 kHz WHEN brought to 8 kHz THEN it is gone, not aliased to 2 kHz', async (t) => {
  const input = sine(44100, 6000, 2, 0.5);
  const out = resample(input, 44100, 8000);
  const alias = dB(levelAt(out, 8000, 2000) / rms(input));
  const total = dB(rms(out) / rms(input));
  t.ok(alias < -60, `the 2 kHz alias is ${alias.toFixed(1)} dB (under -60 dB)`);
  t.ok(total < -60, `all that is left is ${total.toFixed(1)} dB`);
  // A naive decimator (take every 5.5th sample) would leave it at full level: the test can tell.
  const naive = new Float32Array(16000).map((_, i) => input[Math.floor((i * 44100) / 8000)] as number);
  t.ok(dB(levelAt(naive, 8000, 2000) / rms(input)) > -6, 'without the low-pass the alias would be loud');
});

t.test('GIVEN a mix of speech-band and ultrasonic tones at 48 kHz WHEN brought to 8 kHz THEN the speech-band tone stays and nothing folds into the band', async (t) => {
  const a = sine(48000, 1500, 1, 0.3);
  const b = sine(48000, 5000, 1, 0.3); // would alias to 3 kHz
  const c = sine(48000, 11000, 1, 0.3); // would alias to 3 kHz (11 − 8)
  const mix = a.map((v, i) => v + (b[i] as number) + (c[i] as number));
  const out = resample(mix, 48000, 8000);
  t.ok(Math.abs(dB(levelAt(out, 8000, 1500) / (0.3 / Math.SQRT2))) < 0.2, '1.5 kHz kept');
  t.ok(dB(levelAt(out, 8000, 3000) / (0.3 / Math.SQRT2)) < -60, 'no 3 kHz alias');
});

t.test('GIVEN audio already at 8 kHz THEN it is returned untouched', async (t) => {
  const x = sine(8000, 440, 0.1, 0.5);
  t.equal(resample(x, 8000, 8000), x);
});
