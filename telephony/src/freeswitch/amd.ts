// Answering-machine detection on a FreeSWITCH call with Tenor's own detector
// (embedded/media/amd/detector.ts), so both engines decide alike: FreeSWITCH
// records what the far end says (uuid_record, read leg only) to a raw 16-bit
// 8 kHz file, and this module reads the file as it grows and feeds the
// detector frame by frame. A stall in the file (no audio written) is covered
// by the wall clock after a slack, and frames FreeSWITCH fills without audio
// count as time without audio, as absent packets do on the embedded engine.
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AmdOptions, AmdResult } from '../driver.js';
import { AMD_FRAME_MS, AMD_FRAME_SAMPLES, AmdDetector } from '../embedded/media/amd/detector.js';
import { apiLogged, type FsChannel } from './channel.js';

const CLOCK_SLACK_MS = 300;
const FRAME_BYTES = AMD_FRAME_SAMPLES * 2;
let sequence = 0;

/**
 * A frame FreeSWITCH wrote with no audio from the far end behind it (before
 * the first RTP packet, or in a gap: one value, -1, throughout). Fed as time
 * without audio, as the embedded engine does for absent packets, so it does
 * not pull the noise floor down to nothing and make line noise pass for speech.
 */
function isFill(pcm: Int16Array): boolean {
  const first = pcm[0];
  return pcm.every((v) => v === first);
}

async function openWhenWritten(file: string, deadline: number): Promise<FileHandle | undefined> {
  while (Date.now() < deadline) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle) return handle;
    await new Promise((r) => setTimeout(r, AMD_FRAME_MS));
  }
  return undefined;
}

export async function detectAnsweringMachine(ch: FsChannel, folder: string, opts: AmdOptions = {}): Promise<AmdResult> {
  const { signal, ...thresholds } = opts;
  const detector = new AmdDetector(thresholds);
  if (ch.ended) return detector.stop('hangup');
  if (signal?.aborted) return detector.stop('stopped');
  const file = join(folder, `amd-${ch.uuid}-${++sequence}.raw`);
  const started = Date.now();
  let decision: AmdResult | undefined;
  const offEnded = ch.onEnded(() => { decision ??= detector.stop('hangup'); });
  const onAbort = (): void => { decision ??= detector.stop('stopped'); };
  signal?.addEventListener('abort', onAbort, { once: true });
  // Only what the far end says, written frame by frame: no file write buffer
  // (64 KB, 4 s of audio, by default) and no media-bug pre-buffer (25 frames).
  await apiLogged(ch, `uuid_setvar_multi ${ch.uuid} RECORD_READ_ONLY=true;enable_file_write_buffering=false;RECORD_PRE_BUFFER_FRAMES=1`);
  await apiLogged(ch, `uuid_record ${ch.uuid} start ${file}`);
  const handle = decision === undefined ? await openWhenWritten(file, started + 2000) : undefined;
  let offset = 0;
  const buffer = Buffer.alloc(FRAME_BYTES * 50);
  try {
    while (decision === undefined) {
      if (ch.ended) decision = detector.stop('hangup');
      else if (signal?.aborted) decision = detector.stop('stopped');
      else if (handle) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length - (buffer.length % FRAME_BYTES), offset);
        const whole = bytesRead - (bytesRead % FRAME_BYTES);
        for (let at = 0; at < whole && decision === undefined; at += FRAME_BYTES) {
          const pcm = new Int16Array(AMD_FRAME_SAMPLES);
          for (let i = 0; i < AMD_FRAME_SAMPLES; i++) pcm[i] = buffer.readInt16LE(at + i * 2);
          decision = isFill(pcm) ? detector.pushGap(AMD_FRAME_MS) : detector.push(pcm);
        }
        offset += whole;
        if (whole > 0) continue;
      }
      if (decision !== undefined) break;
      decision = detector.advanceTo(Date.now() - started - CLOCK_SLACK_MS);
      if (decision === undefined) await new Promise((r) => setTimeout(r, AMD_FRAME_MS));
    }
  } finally {
    offEnded();
    signal?.removeEventListener('abort', onAbort);
    await handle?.close();
    if (!ch.ended) {
      await apiLogged(ch, `uuid_record ${ch.uuid} stop ${file}`);
      await apiLogged(ch, `uuid_setvar_multi ${ch.uuid} RECORD_READ_ONLY=false;enable_file_write_buffering=true;RECORD_PRE_BUFFER_FRAMES=25`);
    }
    await rm(file, { force: true });
  }
  return { ...decision, durationMs: Date.now() - started };
}
