// Dialogue scripts over HTTP: the library (list, read, check, save, preview a draft) for admins,
// runs for agents, and signed self-service links.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError, isTenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthUser } from '../../http/auth.js';
import { requireCustomerAccess } from '../sessions/index.js';
import { previewMove, type PreviewMove } from './preview.js';
import { newLinkId } from './links.js';

export const Problem = Type.Object({ line: Type.Integer(), column: Type.Integer(), message: Type.String() });
export const ScriptInfo = Type.Object({
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
    agent: Type.Union([Type.String(), Type.Null()], { description: 'who started the run (null: web self-service); only they, supervisors and admins may work on it' }),
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
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const crm = opts.services.get('crm');
    /**
     * The run, if this user may work on it: its agent, or a supervisor or admin. Anyone else gets
     * 404, as for a run that does not exist, so session ids of others cannot be probed.
     */
    const ownSession = async (user: AuthUser, id: string) => {
      const session = await scripts.sessions.get(id);
      if (!seesEverything(user) && session.agent !== user.username) {
        app.log.warn({ session: id, user: user.username, owner: session.agent }, 'script session refused: it belongs to someone else');
        throw new TenorError('TENOR_ERR_NOT_FOUND', ['script session']);
      }
      return session;
    };
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
          summary: 'A signed self-service link to this script, for one customer or for anyone (who then proves their number with a one-time code)',
          description:
            'A link lives at most selfService.linkMaxDays (default 7 days): a longer validHours is refused with TENOR_ERR_LINK_LIFETIME. A link for one customer needs the same access to the customer as GET /api/customers/:id. The id withdraws the link (DELETE /api/script-links/:id).',
          tags,
          security,
          params: Type.Object({ id: Type.String() }),
          body: Type.Object({ customerId: Type.Optional(Type.Integer({ minimum: 1 })), validHours: Type.Integer({ minimum: 1, maximum: 24 * 365, default: 72 }) }, { additionalProperties: false }),
          response: { 201: Type.Object({ id: Type.String(), token: Type.String(), path: Type.String(), expiresAt: Type.String() }), ...errors },
        },
      },
      async (request, reply) => {
        const user = currentUser(request);
        const { customerId, validHours } = request.body;
        scripts.library.info(request.params.id); // 404 for an unknown script
        if (validHours > scripts.limits.linkMaxDays * 24) throw new TenorError('TENOR_ERR_LINK_LIFETIME', [scripts.limits.linkMaxDays, validHours]);
        if (customerId !== undefined) {
          await requireCustomerAccess(opts.services, user, customerId);
          await crm.entity('Customer').get(customerId);
        }
        const issuedAt = Math.floor(Date.now() / 1000);
        const expiresAt = issuedAt + validHours * 3600;
        const id = newLinkId();
        const token = scripts.signLink({ scriptId: request.params.id, ...(customerId !== undefined ? { customerId } : {}), expiresAt, issuedAt, id });
        request.log.info({ link: id, script: request.params.id, customer: customerId, by: user.username, expiresAt }, 'self-service link made');
        return reply.status(201).send({ id, token, path: `/s/${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() });
      },
    );

    app.delete(
      '/api/script-links/:id',
      {
        onRequest: supervisors,
        schema: { summary: 'Withdraw a self-service link by its id: opening it then answers TENOR_ERR_LINK_REVOKED', tags, security, params: Type.Object({ id: Type.String({ minLength: 8, maxLength: 64 }) }), response: { ...errors } },
      },
      async (request, reply) => {
        await scripts.revokeLink(request.params.id, currentUser(request).username);
        return reply.status(204).send();
      },
    );

    app.post(
      '/api/script-links/rotate-key',
      {
        onRequest: adminOnly,
        schema: { summary: 'A new signing key for self-service links: every link made before stops working', tags, security, response: { 200: Type.Object({ generation: Type.Integer() }), ...errors } },
      },
      async (request) => ({ generation: await scripts.rotateLinkKey(currentUser(request).username) }),
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
        const user = currentUser(request);
        // The same rule as GET /api/customers/:id, for the customer and for the interaction's customer.
        const customerId = b.customerId;
        if (b.interactionId !== undefined) {
          // An agent learns nothing from an id: a missing interaction is refused like another customer's.
          const interaction = await crm.entity('Interaction').get(b.interactionId).catch((err: unknown) => {
            throw isTenorError(err, 'TENOR_ERR_NOT_FOUND') && !seesEverything(user) ? new TenorError('TENOR_ERR_FORBIDDEN') : err;
          });
          const owner = typeof interaction['customer'] === 'number' ? interaction['customer'] : undefined;
          if (customerId !== undefined && owner !== customerId) {
            request.log.warn({ user: user.username, interaction: b.interactionId, customer: customerId }, 'script session refused: the interaction is not this customer\'s');
            throw new TenorError('TENOR_ERR_FORBIDDEN', [], { details: { reason: `interaction ${b.interactionId} does not belong to customer ${customerId}` } });
          }
          if (!seesEverything(user)) await requireCustomerAccess(opts.services, user, owner);
        }
        if (customerId !== undefined && !seesEverything(user)) await requireCustomerAccess(opts.services, user, customerId);
        const session = await scripts.sessions.start({
          scriptId: b.scriptId,
          channel: b.channel,
          agent: user.username,
          ...(customerId !== undefined ? { customerId } : {}),
          ...(b.interactionId !== undefined ? { interactionId: b.interactionId } : {}),
          ...(b.callId !== undefined ? { callId: b.callId } : {}),
        });
        return reply.status(201).send(session);
      },
    );
    app.get('/api/script-sessions/:id', { onRequest: signedIn, schema: { tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) =>
      ownSession(currentUser(request), request.params.id),
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
      async (request) => {
        await ownSession(currentUser(request), request.params.id);
        return scripts.sessions.answer(request.params.id, request.body.value);
      },
    );
    app.post('/api/script-sessions/:id/next', { onRequest: signedIn, schema: { summary: 'Go on from an information step', tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) => {
      await ownSession(currentUser(request), request.params.id);
      return scripts.sessions.next(request.params.id);
    });
    app.post('/api/script-sessions/:id/back', { onRequest: signedIn, schema: { summary: 'Go back one step', tags, security, params: SessionId, response: { 200: { $ref: 'ScriptSession#' }, ...errors } } }, async (request) => {
      await ownSession(currentUser(request), request.params.id);
      return scripts.sessions.back(request.params.id);
    });
  };
}
