// Raw audio bodies for upload routes: `PUT` with Content-Type audio/wav (or
// application/octet-stream) carries the file's bytes as they are.

import type { FastifyInstance } from 'fastify';

export const AUDIO_CONTENT_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'] as const;

/** Upload routes accept a 48 kHz stereo 24-bit file of the longest allowed prompt. */
export const AUDIO_BODY_LIMIT = 128 * 1024 * 1024;

/** Adds buffer parsers for the audio types to this (encapsulated) plugin instance. */
export function acceptAudioBodies(app: Pick<FastifyInstance, 'hasContentTypeParser' | 'addContentTypeParser'>): void {
  for (const type of AUDIO_CONTENT_TYPES) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: AUDIO_BODY_LIMIT }, (_req, body, done) => done(null, body));
  }
}
