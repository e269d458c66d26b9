// An uploaded WAV brought to what calls play: 8 kHz, 16-bit, mono. Used for
// prompts and for voicemail greetings alike.

import { TenorError } from '../../core/errors.js';
import { TELEPHONY_RATE, WavError, decodeWav, downmix, encodeWav, readWavHeader, resampleYielding, toInt16 } from '@tenor/telephony';

export const SUPPORTED_RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000] as const;

export interface ConvertedAudio {
  /** The 8 kHz 16-bit mono WAV file's bytes. */
  wav: Buffer;
  durationMs: number;
  /** What was uploaded, for the log. */
  source: { sampleRate: number; channels: number; bitsPerSample: number; encoding: string };
}

/**
 * Converts or refuses with TENOR_ERR_PROMPT_INVALID naming the problem:
 * not a WAV, an encoding or rate we do not read, empty, or longer than maxSeconds.
 * Yields to the event loop while resampling (a long upload must not stall calls).
 */
export async function convertToTelephony(bytes: Uint8Array, opts: { maxSeconds: number; what?: string }): Promise<ConvertedAudio> {
  const what = opts.what ?? 'the file';
  try {
    const header = readWavHeader(bytes);
    if (!(SUPPORTED_RATES as readonly number[]).includes(header.sampleRate)) {
      throw new WavError(`unsupported sample rate ${header.sampleRate} Hz (use ${SUPPORTED_RATES.join(', ')})`);
    }
    if (header.frames === 0) throw new WavError('the file holds no audio');
    if (header.durationMs > opts.maxSeconds * 1000) {
      throw new WavError(`it lasts ${(header.durationMs / 1000).toFixed(1)} s, more than the ${opts.maxSeconds} s allowed`);
    }
    const decoded = decodeWav(bytes);
    const mono = downmix(decoded.samples, decoded.channels);
    const pcm = toInt16(await resampleYielding(mono, decoded.sampleRate, TELEPHONY_RATE));
    return {
      wav: encodeWav(pcm),
      durationMs: Math.round((pcm.length * 1000) / TELEPHONY_RATE),
      source: { sampleRate: header.sampleRate, channels: header.channels, bitsPerSample: header.bitsPerSample, encoding: header.encoding },
    };
  } catch (err) {
    if (err instanceof WavError) throw new TenorError('TENOR_ERR_PROMPT_INVALID', [what, err.message]);
    throw err;
  }
}
