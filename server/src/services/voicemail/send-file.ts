// Streams a WAV file to the client, honouring a single byte Range (browsers'
// <audio> elements seek with it).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TenorError } from '../../core/errors.js';

export async function sendWav(request: FastifyRequest, reply: FastifyReply, file: string, downloadName: string): Promise<FastifyReply> {
  const size = await stat(file).then((s) => s.size, () => undefined);
  if (size === undefined) throw new TenorError('TENOR_ERR_NOT_FOUND', [`recording ${downloadName}`]);
  const disposition = (request.query as { download?: unknown } | undefined)?.download === 'true' ? 'attachment' : 'inline';
  reply.type('audio/wav').header('accept-ranges', 'bytes').header('content-disposition', `${disposition}; filename="${downloadName}"`);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  if (range && (range[1] !== '' || range[2] !== '')) {
    // "bytes=a-b", "bytes=a-" or the last n bytes "bytes=-n"
    const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
    if (start > end || start >= size) return reply.status(416).header('content-range', `bytes */${size}`).send();
    return reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', end - start + 1).send(createReadStream(file, { start, end }));
  }
  return reply.header('content-length', size).send(createReadStream(file));
}
