// Audio files: the one WAV reader/writer and the resampler, shared by the
// embedded engine, the server's prompt uploads and voicemail, and tests.
export {
  TELEPHONY_RATE, WAVE_FORMAT_PCM, WAVE_FORMAT_FLOAT, WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW, WavError,
  readWavHeader, readWavFileHeader, decodeWav, decodeWav16, readWavFile, toTelephonyAudio, toTelephonyAudioYielding, downmix, toInt16, encodeWav, wavHeader, writeWavFile,
  type WavHeader, type DecodedWav, type WavAudio,
} from './wav.js';
export { WavFileWriter, type WavWriterOptions } from './wav-writer.js';
export { resample, resampleYielding, type ResampleOptions } from './resample.js';
