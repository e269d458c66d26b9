// Every error leaves the API in one shape: { error: { code, message, details? } }
// with the HTTP status of its catalogue entry.

import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyBaseLogger, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TenorError } from '../core/errors.js';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A TENOR_ERR_* code, see docs/reference/errors.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse', description: 'Any error' },
);

export function installErrorHandling<P extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, P>,
): void {
  app.setErrorHandler((err: FastifyError | TenorError | Error, request, reply) => {
    if (err instanceof TenorError) {
      if (err.status >= 500) request.log.error({ err }, err.message);
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const where = fe.validationContext ?? 'request';
      const details = fe.validation.map((v) => ({ field: `${where}${v.instancePath || ''}`, problem: v.message ?? 'is invalid', params: v.params }));
      const e = new TenorError('TENOR_ERR_VALIDATION', [details.map((d) => `${d.field} ${d.problem}`).join('; ')], { details });
      return reply.status(400).send({ error: { code: e.code, message: e.message, details } });
    }
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors (bad JSON, body too large, unsupported type).
      const e = new TenorError('TENOR_ERR_VALIDATION', [fe.message]);
      return reply.status(fe.statusCode).send({ error: { code: e.code, message: e.message } });
    }
    request.log.error({ err }, 'unhandled error');
    const e = new TenorError('TENOR_ERR_INTERNAL', ['see the server log']);
    return reply.status(500).send({ error: { code: e.code, message: e.message } });
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new TenorError('TENOR_ERR_NOT_FOUND', [`${request.method} ${request.url}`]);
    return reply.status(404).send({ error: { code: e.code, message: e.message } });
  });
}
