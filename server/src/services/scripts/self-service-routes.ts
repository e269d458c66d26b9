// Web self-service: a customer runs a dialogue script on a public page, with no
// agent. Access is by a signed link. A link made for anyone asks for the
// visitor's phone number and never binds the run to the customer behind it on
// that alone: the visitor proves the number is theirs with a one-time code sent
// to the contact on record, or goes on as a new unverified contact that sees
// nothing stored. The run lives on the server, so actions run there and nothing
// the page sends is trusted beyond an answer to the current question. Opening
// links and asking for codes are limited per client address.

import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TenorError, isTenorError } from '../../core/errors.js';
import type { SessionView } from './sessions.js';

/** What the public page may see of a run: no answers log, no customer record, no action details. */
const PublicSession = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  step: Type.Unknown(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  /** On the start answer only: true when the run is bound to a customer (a per-customer link or a proven code). */
  verified: Type.Optional(Type.Boolean()),
});

function publicView(s: SessionView, verified?: boolean) {
  return { id: s.id, title: s.title, status: s.status, step: s.step, outcome: s.outcome, ...(verified !== undefined ? { verified } : {}) };
}

export function selfServiceRoutes(opts: { services: ServiceManager; uiRoot: string | undefined }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const scripts = opts.services.get('scripts');
    const tags = ['self-service'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } };
    /** Counts a request from the client's address; beyond the hourly limit, 429 with Retry-After. */
    const countRequest = (kind: 'open' | 'code', request: FastifyRequest, reply: FastifyReply): void => {
      try {
        scripts.countRequest(kind, request.ip);
      } catch (err) {
        const seconds = isTenorError(err, 'TENOR_ERR_SELF_SERVICE_LIMIT') ? (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds : undefined;
        if (seconds !== undefined) void reply.header('retry-after', String(seconds));
        throw err;
      }
    };
    /** Public session ids are only those started through a link, as web sessions. */
    const webSession = async (id: string): Promise<SessionView> => {
      const session = await scripts.sessions.get(id);
      if (session.channel !== 'web') throw new TenorError('TENOR_ERR_NOT_FOUND', ['session']);
      return session;
    };

    if (opts.uiRoot) {
      const page = path.join(opts.uiRoot, 'self-service.html');
      app.get('/s/:token', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html').sendFile(path.basename(page), path.dirname(page)));
    }

    app.get(
      '/api/self-service/links/:token',
      {
        schema: {
          summary: 'What a link opens: the script title, and whether the visitor must give their phone number (a link for anyone)',
          tags,
          params: Type.Object({ token: Type.String() }),
          response: { 200: Type.Object({ title: Type.String(), needsPhone: Type.Boolean(), codeMinutes: Type.Integer() }), ...errors },
        },
      },
      async (request, reply) => {
        countRequest('open', request, reply);
        const claims = await scripts.verifyLink(request.params.token);
        return { title: scripts.library.info(claims.scriptId).title, needsPhone: claims.customerId === undefined, codeMinutes: scripts.limits.codeMinutes };
      },
    );

    app.post(
      '/api/self-service/codes',
      {
        schema: {
          summary: 'Send a one-time code to the contact on record for this number (a link for anyone)',
          description:
            'The answer is the same whether or not the number belongs to a customer; the code goes to the e-mail addresses on record and, where the site has an SMS hook, by text to the number. Give the challenge and the code to POST /api/self-service/sessions.',
          tags,
          body: Type.Object({ token: Type.String({ minLength: 10 }), phone: Type.String({ minLength: 3, maxLength: 40 }) }, { additionalProperties: false }),
          response: { 202: Type.Object({ challenge: Type.String(), expiresAt: Type.String() }), ...errors },
        },
      },
      async (request, reply) => {
        countRequest('code', request, reply);
        const claims = await scripts.verifyLink(request.body.token);
        if (claims.customerId !== undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['this link is for one customer already: no code is needed']);
        const sent = await scripts.codes.request({ scriptId: claims.scriptId, scriptTitle: scripts.library.info(claims.scriptId).title, phone: request.body.phone });
        return reply.status(202).send({ challenge: sent.challenge, expiresAt: new Date(sent.expiresAt).toISOString() });
      },
    );

    app.post(
      '/api/self-service/sessions',
      {
        schema: {
          summary: 'Start a self-service run from a signed link',
          description:
            'A link for one customer needs only the token. A link for anyone needs either the challenge and code from POST /api/self-service/codes (the run is then bound to the customer on record), or a phone number alone: the run then goes to a new unverified contact and sees nothing stored about the number.',
          tags,
          body: Type.Object(
            {
              token: Type.String({ minLength: 10 }),
              phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
              challenge: Type.Optional(Type.String({ minLength: 10, maxLength: 64 })),
              code: Type.Optional(Type.String({ minLength: 1, maxLength: 12 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: PublicSession, ...errors },
        },
      },
      async (request, reply) => {
        countRequest('open', request, reply);
        const b = request.body;
        const claims = await scripts.verifyLink(b.token);
        if (claims.customerId !== undefined) {
          const session = await scripts.sessions.start({ scriptId: claims.scriptId, channel: 'web', customerId: claims.customerId });
          return reply.status(201).send(publicView(session, true));
        }
        if (b.challenge !== undefined || b.code !== undefined) {
          if (b.challenge === undefined || b.code === undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['give both the challenge and the code']);
          const customerId = await scripts.codes.verify({ challenge: b.challenge, code: b.code, scriptId: claims.scriptId });
          const session = await scripts.sessions.start({ scriptId: claims.scriptId, channel: 'web', customerId });
          return reply.status(201).send(publicView(session, true));
        }
        if (!b.phone) throw new TenorError('TENOR_ERR_VALIDATION', ['please give your phone number']);
        const visitor = await scripts.unverifiedVisitor(b.phone);
        const session = await scripts.sessions.start({ scriptId: claims.scriptId, channel: 'web', customerId: visitor.customerId, customerContext: visitor.context });
        request.log.info({ session: session.id, contact: visitor.customerId }, 'self-service run for an unverified visitor');
        return reply.status(201).send(publicView(session, false));
      },
    );

    const Id = Type.Object({ id: Type.String({ minLength: 10, maxLength: 64 }) });
    app.get('/api/self-service/sessions/:id', { schema: { tags, params: Id, response: { 200: PublicSession, ...errors } } }, async (request) =>
      publicView(await webSession(request.params.id)),
    );
    app.post(
      '/api/self-service/sessions/:id/answer',
      {
        schema: {
          summary: 'Answer the current question',
          tags,
          params: Id,
          body: Type.Object({ value: Type.Unknown() }),
          response: { 200: Type.Object({ session: PublicSession, errors: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })) }), ...errors },
        },
      },
      async (request) => {
        await webSession(request.params.id);
        const result = await scripts.sessions.answer(request.params.id, request.body.value);
        return { session: publicView(result.session), errors: result.errors };
      },
    );
    for (const move of ['next', 'back'] as const) {
      app.post(`/api/self-service/sessions/:id/${move}`, { schema: { tags, params: Id, response: { 200: PublicSession, ...errors } } }, async (request) => {
        await webSession(request.params.id);
        return publicView(await scripts.sessions[move](request.params.id));
      });
    }
  };
}
