// record on a FreeSWITCH channel: the record application writes the WAV where
// Tenor asks (FreeSWITCH runs on the same host, or shares the folder), with
// FreeSWITCH's own length limit, silence detection and stop keys
// (playback_terminators); the reason is read back from the DTMF seen and the
// completion event, the length from the file itself.
import { readFile } from 'node:fs/promises';
import type { RecordOptions, RecordResult } from '../driver.js';
import { readWavHeader } from '../audio/index.js';
import { apiLogged, type FsChannel } from './channel.js';

/** Energy under which FreeSWITCH's record counts a frame as silence (its usual setting). */
const SILENCE_THRESHOLD = 200;
const BEEP = 'tone_stream://%(300,0,1000)';

async function wavDurationMs(ch: FsChannel, file: string): Promise<number> {
  try {
    return Math.round(readWavHeader(await readFile(file)).durationMs);
  } catch (err) {
    ch.logger.warn({ callId: ch.uuid, file, err }, 'recording unreadable');
    return 0;
  }
}

export async function record(ch: FsChannel, opts: RecordOptions): Promise<RecordResult> {
  const ended = async (reason: 'hangup' | 'stopped', key?: string): Promise<RecordResult> => ({
    file: opts.file, durationMs: await wavDurationMs(ch, opts.file), reason, ...(key !== undefined ? { key } : {}),
  });
  if (ch.ended) return { file: opts.file, durationMs: 0, reason: 'hangup' };
  if (opts.signal?.aborted) return { file: opts.file, durationMs: 0, reason: 'stopped' };
  const stopKeys = opts.stopKeys ?? '';
  let key: string | undefined;
  let stopped = false;
  let atLimit = false;
  const offDigit = ch.onDigit((d) => {
    if (key === undefined && stopKeys.includes(d)) key = d;
  });
  const onAbort = (): void => {
    stopped = true;
    void apiLogged(ch, `uuid_break ${ch.uuid} all`);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.beep) await ch.esl.execute(ch.uuid, 'playback', BEEP);
    await apiLogged(ch, `uuid_setvar ${ch.uuid} playback_terminators ${stopKeys === '' ? 'none' : stopKeys}`);
    const silence = opts.silenceSeconds && opts.silenceSeconds > 0 ? ` ${SILENCE_THRESHOLD} ${opts.silenceSeconds}` : '';
    // FreeSWITCH checks its limit in whole seconds of wall clock (up to a second
    // late): Tenor's timer ends the recording on time, the limit is a backstop.
    const recording = ch.esl.execute(ch.uuid, 'record', `${opts.file} ${opts.maxSeconds + 1}${silence}`);
    const limit = setTimeout(() => {
      atLimit = true;
      void apiLogged(ch, `uuid_break ${ch.uuid} all`);
    }, opts.maxSeconds * 1000);
    const done = await recording.finally(() => clearTimeout(limit));
    if (stopped) return await ended('stopped');
    if (ch.ended || !done || done.header('Answer-State') === 'hangup') return await ended('hangup');
    const used = done.header('variable_playback_terminator_used');
    key ??= used && stopKeys.includes(used) ? used : undefined;
    const durationMs = await wavDurationMs(ch, opts.file);
    if (key !== undefined) return { file: opts.file, durationMs, reason: 'key', key };
    if (atLimit) return { file: opts.file, durationMs, reason: 'max-length' };
    const cause = done.header('variable_record_completion_cause') ?? '';
    const bySilence = cause.includes('silence') || silence !== '';
    return { file: opts.file, durationMs, reason: bySilence ? 'silence' : 'max-length' };
  } finally {
    offDigit();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
