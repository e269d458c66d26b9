// Test audio for real peers, made with sox (and espeak-ng for speech).
// `sox -D` turns dither off: with dither on, the bytes change from run to run,
// and tests that compare files or counts would flake.
//
// baresip's aufile microphone wants 16-bit PCM WAV at 8 kHz, mono.
// SIPp's rtp_stream sends a raw file with no header parsing, so it gets raw µ-law.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stat, unlink } from 'node:fs/promises';

const run = promisify(execFile);

export interface ToneOptions {
  seconds: number;
  /** Hz; 440 unless told */
  frequency?: number;
  /** 0..1 linear gain; 0.5 unless told */
  volume?: number;
}

function synthArgs(opts: ToneOptions): string[] {
  return [
    'synth', String(opts.seconds), 'sine', String(opts.frequency ?? 440),
    'vol', String(opts.volume ?? 0.5),
  ];
}

/** An 8 kHz, 16-bit, mono WAV tone (baresip microphone, engine prompt). */
export async function makeToneWav(file: string, opts: ToneOptions): Promise<string> {
  await run('sox', ['-D', '-n', '-r', '8000', '-b', '16', '-c', '1', '-e', 'signed-integer',
    file, ...synthArgs(opts)]);
  return file;
}

/** Raw µ-law at 8 kHz (SIPp rtp_stream: 160 bytes per 20 ms packet). */
export async function makeToneUlaw(file: string, opts: ToneOptions): Promise<string> {
  await run('sox', ['-D', '-n', '-r', '8000', '-c', '1', '-t', 'ul', file, ...synthArgs(opts)]);
  return file;
}

/**
 * Spoken text, 8 kHz 16-bit mono WAV, padded with silence to exactly `seconds`
 * (baresip hangs up when its microphone file ends, so callers pad it long).
 */
export async function makeSpeechWav(file: string, text: string, seconds: number): Promise<string> {
  const raw = `${file}.espeak.wav`;
  try {
    await run('espeak-ng', ['-w', raw, text]);
    await run('sox', ['-D', raw, '-r', '8000', '-b', '16', '-c', '1', '-e', 'signed-integer',
      file, 'pad', '0', String(seconds), 'trim', '0', String(seconds)]);
  } finally {
    await unlink(raw).catch(() => undefined);
  }
  return file;
}

/** Convert any sox-readable audio to raw µ-law 8 kHz mono. */
export async function toUlaw(input: string, output: string): Promise<string> {
  await run('sox', ['-D', input, '-r', '8000', '-c', '1', '-t', 'ul', output]);
  return output;
}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  /** bits per sample as sox reports it */
  bits: number;
  /** duration in seconds */
  seconds: number;
  encoding: string;
}

/** What `sox --i` says about an audio file; rejects if sox cannot read it. */
export async function wavInfo(file: string): Promise<WavInfo> {
  const field = async (flag: string): Promise<string> =>
    (await run('sox', ['--i', flag, file])).stdout.trim();
  const [rate, chans, bits, secs, enc] = await Promise.all([
    field('-r'), field('-c'), field('-b'), field('-D'), field('-e'),
  ]);
  return {
    sampleRate: Number(rate),
    channels: Number(chans),
    bits: Number(bits),
    seconds: Number(secs),
    encoding: enc,
  };
}

/** Seconds of 8 kHz µ-law in a raw file (one byte per sample). */
export async function ulawSeconds(file: string): Promise<number> {
  return (await stat(file)).size / 8000;
}

/** RMS amplitude (0..1) of an audio file, from `sox stat`; near 0 means silence. */
export async function rmsAmplitude(file: string): Promise<number> {
  // sox writes the stat report to stderr
  const { stderr } = await run('sox', [file, '-n', 'stat']);
  const m = /RMS\s+amplitude:\s+([0-9.]+)/.exec(stderr);
  if (!m?.[1]) throw new Error(`no RMS in sox stat output: ${stderr}`);
  return Number(m[1]);
}
