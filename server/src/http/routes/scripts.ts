// Dialogue scripts over HTTP: the library (list, read, check, save, preview a draft) for admins,
// runs for agents, and signed self-service links.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { requireRole } from '../auth.js';
import { previewMove, type PreviewMove } from '../../services/scripts/preview.js';

const Problem = Type.Object({ line: Type.Integer(), column: Type.Integer(), message: Type.String() });
const ScriptInfo = Type.Object({
  id: Type.String(),
  version: Type.String(),
  title: Type.String(),
  description: Type.Optional(Type.String()),
  origin: Type.String({ description: "'example' (shipped) or 'site' (saved by an admin)" }),
});
export const SessionView = Type.Object(
  {
    id: Type.String(),
    scriptId: Type.String(),
    scriptVersion: Type.String(),
    title: Type.String(),
    channel: Type.String(),
    status: Type.String(),
    step: Type.Unknown({ description: 'the current step: info items, question, or end with outcome' }),
    outcome: Type.Union([Type.String(), Type.Null()]),
    disposition: Type.Union([Type.String(), Type.Null()]),
    answers: Type.Record(Type.String(), Type.Unknown()),
    customerId: Type.Union([Type.Integer(), Type.Null()]),
    interactionId: Type.Union([Type.Integer(), Type.Null()]),
    actions: Type.Array(Type.Object({ type: Type.String(), ok: Type.Boolean(), detail: Type.String(), at: Type.String() })),
  },
  { $id: 'ScriptSession' },
);

export function scriptRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const scripts = opts.services.get('scripts');
    const users = opts.services.get('users');
    const signedIn = requireRole(users, 'agent', 'supervisor', 'admin');
    const adminOnly = requireRole(users, 'admin');
    const security = [{ basicAuth: [] }];
    const tags = ['scripts'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } };

    // Scripts travel as XML text.
    for (const type of ['application/xml', 'text/xml']) {
      if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
    app.addSchema(SessionView);
    const XmlBody = Type.String({ minLength: 1, description: 'the script as XML (Content-Type: application/xml)' });

    app.get('/api/scripts', { onRequest: signedIn, schema: { summary: 'Scripts in the library', tags, security, response: { 200: Type.Array(ScriptInfo) } } }, async () =>
      scripts.library.list(),
    );

    app.get(
      '/api/scripts/:id',
      { onRequest: signedIn, schema: { summary: "A script's XML", tags, security, params: Type.Object({ id: Type.String() }), response: { 200: Type.Object({ info: ScriptInfo, xml: Type.String() }), ...errors } } },
      async (request) => ({ info: scripts.library.info(request.params.id), xml: scripts.library.source(request.params.id) }),
    );

    app.post(
      '/api/scripts/check',
      { onRequest: adminOnly, schema: { summary: 'Check a script without saving it', tags, security, body: XmlBody, response: { 200: Type.Object({ ok: Type.Boolean(), problems: Type.Array(Problem) }) } } },
      async (request) => {
        const problems = scripts.library.check(request.body);
        return { ok: problems.length === 0, problems };
      },
    );

    app.post(
      '/api/scripts/preview',
      {
        onRequest: adminOnly,
        schema: {
          summary: 'Walk through a draft script without saving it: nothing is stored and no action runs',
          description: 'Start with { xml }; then send each move with the snapshot of the previous answer. A draft with problems is refused with TENOR_ERR_SCRIPT_INVALID (details: the problems).',
          tags,
          security,
          body: Type.Object(
            {
              xml: Type.String({ minLength: 1 }),
              action: Type.Union([Type.Literal('start'), Type.Literal('answer'), Type.Literal('next'), Type.Literal('back')], { default: 'start' }),
              value: Type.Optional(Type.Unknown()),
              snapshot: Type.Optional(Type.Unknown({ description: 'the snapshot of the previous answer' })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              scriptId: Type.String(),
              title: Type.String(),
              step: Type.Unknown({ description: 'the current step, as in a script session' }),
              answers: Type.Record(Type.String(), Type.Unknown()),
              outcome: Type.Union([Type.String(), Type.Null()]),
              done: Type.Boolean(),
              snapshot: Type.Unknown(),
              errors: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
              actions: Type.Array(Type.Unknown(), { description: 'what the transition asked for (not executed in a preview)' }),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const b = request.body;
        const script = scripts.library.compileDraft(b.xml);
        const move: PreviewMove = b.action === 'answer' ? { action: 'answer', value: b.value } : { action: b.action };
        return previewMove(script, b.snapshot, move, new Date().toISOString().slice(0, 10));
      },
    );

    app.put(
      '/api/scripts/:id',
      {
        onRequest: adminOnly,
        schema: { summary: 'Save a script; it goes live for the next run if it has no problems', tags, security, params: Type.Object({ id: Type.String() }), body: XmlBody, response: { 200: ScriptInfo, ...errors } },
      },
      async (request) => scripts.library.save(request.body, request.params.id),
    );

    app.post(
      '/api/scripts/:id/links',
      {
        onRequest: signedIn,
        schema: {
          summary: 'A signed self-service link to this script, for one customer or for anyone (who then gives their number)',
          tags,
          security,
          params: Type.Object({ id: Type.String() }),
          body: Type.Object({ customerId: Type.Optional(Type.Integer({ minimum: 1 })), validHours: Type.Integer({ minimum: 1, maximum: 24 * 365, default: 72 }) }, { additionalProperties: false }),
          response: { 201: Type.Object({ token: Type.String(), path: Type.String(), expiresAt: Type.String() }), ...errors },
        },
      },
      async (request, reply) => {
        scripts.library.info(request.params.id); // 404 for an unknown script
        if (request.body.customerId !== undefined) await opts.services.get('crm').entity('Customer').get(request.body.customerId);
        const expiresAt = Math.floor(Date.now() / 1000) + request.body.validHours * 3600;
        const token = scripts.signLink({ scriptId: request.params.id, ...(request.body.customerId !== undefined ? { customerId: request.body.customerId } : {}), expiresAt });
        return reply.status(201).send({ token, path: `/s/${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() });
      },
    );

    const SessionId = Type.Object({ id: Type.String({ minLength: 10, maxLength: 64 }) });
    app.post(
      '/api/script-sessions',
      {
        onRequest: signedIn,
        schema: {
          summary: 'Start a script run for a conversation with a customer',
          tags,
          security,
          body: Type.Object(
            {
              scriptId: Type.String(),
              customerId: Type.Optional(Type.Integer({ minimum: 1 })),
              interactionId: Type.Optional(Type.Integer({ minimum: 1 })),
              callId: Type.Optional(Type.String()),
              channel: Type.Union([Type.Literal('call'), Type.Literal('callback'), Type.Literal('chat'), Type.Literal('email')], { default: 'call' }),
            },
            { additionalProperties: false },
          ),
          response: { 201: { $ref: 'ScriptSession#' }, ...errors },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const session = await scripts.sessions.start({
          scriptId: b.scriptId,
          channel: b.channel,
          ...(b.customerId !== undefined ? { customerId: b.customerId } : {}),
          ...(b.interactionId !== undefined ? { interactionId: b.interactionId } : {}),
          ...(b.callId !== undefined ? { callId: b.callId } : {}),
        });
        return reply.status(201).send(session);
      },
    );
    app.get('/api/script-sessions/:id', { onRequest: signedIn, schema: { tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) =>
      scripts.sessions.get(request.params.id),
    );
    app.post(
      '/api/script-sessions/:id/answer',
      {
        onRequest: signedIn,
        schema: {
          summary: 'Answer the current question',
          tags,
          security,
          params: SessionId,
          body: Type.Object({ value: Type.Unknown() }),
          response: { 200: Type.Object({ session: Type.Unsafe<unknown>({ $ref: 'ScriptSession#' }), errors: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })) }), ...errors },
        },
      },
      async (request) => scripts.sessions.answer(request.params.id, request.body.value),
    );
    app.post('/api/script-sessions/:id/next', { onRequest: signedIn, schema: { summary: 'Go on from an information step', tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) =>
      scripts.sessions.next(request.params.id),
    );
    app.post('/api/script-sessions/:id/back', { onRequest: signedIn, schema: { summary: 'Go back one step', tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) =>
      scripts.sessions.back(request.params.id),
    );
  };
}
