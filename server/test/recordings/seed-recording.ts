// A finished recording put straight into a running server (no call needed):
// its WAV (a tone on the side asked for, silence elsewhere) stored through the
// service's vault, so it is encrypted when the site has a key file, or written
// as a plain file beside them; its row and its markers through the repository.
// For the tests of what is done with recordings afterwards: playback, waveform.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { wavHeader } from '@tenor/telephony';
import { ensurePrivateDir } from '../../src/core/private-files.js';
import type { ServiceManager } from '../../src/core/service-manager.js';
import type { Marker } from '../../src/services/recordings/repository.js';
import '../../src/services/recordings/service.js';

const RATE = 8000;

/** A tone on one channel between two times; silence elsewhere. */
export interface Tone {
  hz: number;
  /** Peak amplitude in 16-bit units. */
  amplitude: number;
  fromS: number;
  toS: number;
}

/** An 8 kHz 16-bit stereo WAV (customer left, agent right), as the engines write a recording. */
export function callWav(seconds: number, tones: { left?: Tone[]; right?: Tone[] }): Buffer {
  const frames = Math.round(seconds * RATE);
  const data = Buffer.alloc(frames * 4);
  const sampleAt = (list: Tone[] | undefined, i: number): number => {
    const s = i / RATE;
    const tone = list?.find((x) => s >= x.fromS && s < x.toS);
    return tone ? Math.round(tone.amplitude * Math.sin((2 * Math.PI * tone.hz * i) / RATE)) : 0;
  };
  for (let i = 0; i < frames; i++) {
    data.writeInt16LE(sampleAt(tones.left, i), i * 4);
    data.writeInt16LE(sampleAt(tones.right, i), i * 4 + 2);
  }
  return Buffer.concat([wavHeader({ channels: 2, sampleRate: RATE }, data.length), data]);
}

export interface SeededRecording {
  id: string;
  callId: string;
  queue?: string | null;
  campaign?: string | null;
  agent: string;
  customerId?: string | null;
  startedAt: string;
  wav: Buffer;
  markers?: Array<Omit<Marker, 'by' | 'reason' | 'detail'> & Partial<Pick<Marker, 'by' | 'reason' | 'detail'>>>;
  /** Written as a plain WAV even when the site encrypts (a file from before encryption was turned on). */
  plain?: boolean;
}

/** Stores the recording as finished ('stored'); returns the file's path on disk. */
export async function seedRecording(services: ServiceManager, dataDir: string, r: SeededRecording): Promise<string> {
  const { repo, vault } = services.get('recordings');
  const started = new Date(r.startedAt);
  const frames = (r.wav.length - 44) / 4;
  const durationMs = Math.round((frames * 1000) / RATE);
  let stored: { path: string; keyId: string | null; bytes: number };
  if (r.plain) {
    const day = started.toISOString().slice(0, 10).replaceAll('-', '/');
    ensurePrivateDir(path.join(dataDir, 'recordings', day));
    stored = { path: `${day}/${r.id}.wav`, keyId: null, bytes: r.wav.length };
    writeFileSync(path.join(dataDir, 'recordings', stored.path), r.wav);
  } else {
    writeFileSync(vault.incomingPath(r.id), r.wav);
    stored = await vault.store(r.id, started);
  }
  await repo.insert({
    id: r.id, callId: r.callId, queue: r.queue ?? null, campaign: r.campaign ?? null, agent: r.agent, customerId: r.customerId ?? null, startedAt: started.toISOString(), state: 'recording',
  });
  await repo.addMarker(r.id, { atMs: 0, kind: 'agent', by: null, reason: null, detail: r.agent });
  for (const m of r.markers ?? []) await repo.addMarker(r.id, { by: null, reason: null, detail: null, ...m });
  await repo.finish(r.id, {
    endedAt: new Date(started.getTime() + durationMs).toISOString(), durationMs, path: stored.path, keyId: stored.keyId, bytes: stored.bytes, state: 'stored', retainUntil: null,
  });
  return path.join(dataDir, 'recordings', stored.path);
}
