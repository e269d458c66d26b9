// The entry numbers admin API (admins only): where each dialed number leads.
// A change is persisted and taken by the next call.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import './service.js';

const Number_ = Type.String({ minLength: 1, maxLength: 64, pattern: '^[+0-9A-Za-z*#._-]+$', description: 'the number (SIP user part) callers dial' });
const Target = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

const EntryNumberBody = Type.Union([
  Type.Object({ flow: Target }, { additionalProperties: false }),
  Type.Object({ queue: Target }, { additionalProperties: false }),
], { description: 'exactly one of flow and queue' });

export const EntryNumberView = Type.Object({
  number: Type.String(),
  flow: Type.Union([Type.String(), Type.Null()]),
  queue: Type.Union([Type.String(), Type.Null()]),
  origin: Type.Union([Type.Literal('config'), Type.Literal('api')]),
});

export function entryNumberRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const numbers = () => opts.services.get('entryNumbers');
    const admins = requireRole(opts.services.get('users'), 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    app.get('/api/entry-numbers', { onRequest: admins, schema: { summary: 'Entry numbers and the flow or queue each leads to', tags: ['entry-numbers'], security, response: { 200: Type.Array(EntryNumberView), ...errors } } },
      async () => numbers().list());

    app.put('/api/entry-numbers/:number', {
      onRequest: admins,
      schema: {
        summary: 'Point a number at a flow or a queue (it must exist); taken by the next call, persisted', tags: ['entry-numbers'], security,
        params: Type.Object({ number: Number_ }), body: EntryNumberBody, response: { 200: EntryNumberView, ...errors },
      },
    }, async (request) => {
      const { number } = request.params;
      const body = request.body;
      return numbers().save('flow' in body ? { number, flow: body.flow } : { number, queue: body.queue });
    });

    app.delete('/api/entry-numbers/:number', {
      onRequest: admins,
      schema: { summary: 'Stop taking calls to a number (they are refused from now on)', tags: ['entry-numbers'], security, params: Type.Object({ number: Type.String() }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await numbers().remove(request.params.number))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`entry number '${request.params.number}'`]);
      return reply.status(204).send(null);
    });
  };
}
