// Web self-service: a customer runs a dialogue script on a public page, with no
// agent. Access is by a signed link; a link made for anyone asks for the
// customer's phone number (an unknown number becomes a prospect). The run lives
// on the server, so actions run there and nothing the page sends is trusted
// beyond an answer to the current question.

import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { SessionView } from '../../services/scripts/sessions.js';

/** What the public page may see of a run: no answers log, no customer record, no action details. */
const PublicSession = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  step: Type.Unknown(),
  outcome: Type.Union([Type.String(), Type.Null()]),
});

function publicView(s: SessionView) {
  return { id: s.id, title: s.title, status: s.status, step: s.step, outcome: s.outcome };
}

export function selfServiceRoutes(opts: { services: ServiceManager; uiRoot: string | undefined }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const scripts = opts.services.get('scripts');
    const crm = opts.services.get('crm');
    const tags = ['self-service'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } };
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
      { schema: { summary: 'What a link opens: the script title and whether the phone number is asked', tags, params: Type.Object({ token: Type.String() }), response: { 200: Type.Object({ title: Type.String(), needsPhone: Type.Boolean() }), ...errors } } },
      async (request) => {
        const claims = scripts.verifyLink(request.params.token);
        return { title: scripts.library.info(claims.scriptId).title, needsPhone: claims.customerId === undefined };
      },
    );

    app.post(
      '/api/self-service/sessions',
      {
        schema: {
          summary: 'Start a self-service run from a signed link',
          tags,
          body: Type.Object({ token: Type.String({ minLength: 10 }), phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })) }, { additionalProperties: false }),
          response: { 201: PublicSession, ...errors },
        },
      },
      async (request, reply) => {
        const claims = scripts.verifyLink(request.body.token);
        let customerId = claims.customerId;
        if (customerId === undefined) {
          if (!request.body.phone) throw new TenorError('TENOR_ERR_VALIDATION', ['please give your phone number']);
          customerId = (await crm.customerForCaller(request.body.phone)).customer.id;
        }
        const session = await scripts.sessions.start({ scriptId: claims.scriptId, channel: 'web', customerId });
        return reply.status(201).send(publicView(session));
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
