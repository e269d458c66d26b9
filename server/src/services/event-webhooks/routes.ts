// The webhooks admin API (admins only): subscriptions, the deliverable events,
// the dead-letter list with retry and discard. Secrets are write-only: no
// answer carries one. The dead letters' `body` is typed with every event's
// body (catalogue.ts), which is where the OpenAPI document describes them.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { deliverableEvents, WebhookBodySchema } from './catalogue.js';
import { SubscriptionId, WebhookSecret, WebhookUrl } from './config-schema.js';
import './service.js';

export const WebhookSubscriptionView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  origin: Type.Union([Type.Literal('config'), Type.Literal('api')], { description: "'config': from the site file, written again at every start" }),
  hasSecret: Type.Literal(true, { description: 'the secret is never shown' }),
});

const SubscriptionBody = Type.Object({
  url: WebhookUrl,
  events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64, description: 'event types (GET /api/admin/webhooks/events)' }),
  secret: Type.Optional({ ...WebhookSecret, description: 'HMAC key; required for a new subscription, kept when omitted' }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });

export const WebhookDeadLetterView = Type.Object({
  id: Type.String({ description: 'the delivery id (Tenor-Delivery header)' }),
  subscriptionId: Type.String(),
  type: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.String(),
  createdAt: Type.String(),
  failedAt: Type.String(),
  body: WebhookBodySchema,
});

const DeliveryId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function eventWebhookRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const hooks = () => opts.services.get('eventWebhooks');
    const admins = requireRole(opts.services.get('users'), 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const tags = ['webhooks'];

    app.get('/api/admin/webhooks', { onRequest: admins, schema: { summary: 'Webhook subscriptions (never their secrets)', tags, security, response: { 200: Type.Array(WebhookSubscriptionView), ...errors } } },
      async () => hooks().list());

    app.get('/api/admin/webhooks/events', {
      onRequest: admins,
      schema: { summary: 'The events a subscription may name', tags, security, response: { 200: Type.Array(Type.Object({ type: Type.String(), description: Type.String() })), ...errors } },
    }, async () => deliverableEvents.map((e) => ({ type: e.type, description: e.description })));

    app.put('/api/admin/webhooks/:id', {
      onRequest: admins,
      schema: {
        summary: 'Create or replace a subscription (the secret is kept when omitted); taken by the next event, persisted', tags, security,
        params: Type.Object({ id: SubscriptionId }), body: SubscriptionBody, response: { 200: WebhookSubscriptionView, ...errors },
      },
    }, async (request) => {
      const { url, events, secret, enabled } = request.body;
      return hooks().save(request.params.id, { url, events, ...(secret !== undefined ? { secret } : {}), ...(enabled !== undefined ? { enabled } : {}) });
    });

    app.delete('/api/admin/webhooks/:id', {
      onRequest: admins,
      schema: { summary: 'Remove a subscription with its queued deliveries and dead letters', tags, security, params: Type.Object({ id: Type.String() }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await hooks().remove(request.params.id))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`webhook subscription '${request.params.id}'`]);
      return reply.status(204).send(null);
    });

    app.get('/api/admin/webhook-dead-letters', {
      onRequest: admins,
      schema: { summary: 'Deliveries that used up their attempts, newest first, with the last error and the body sent', tags, security, response: { 200: Type.Array(WebhookDeadLetterView), ...errors } },
    }, async () => (await hooks().deadLetters()).map(({ body, ...rest }) => ({ ...rest, body: JSON.parse(body) as Static<typeof WebhookBodySchema> })));

    app.post('/api/admin/webhook-dead-letters/:id/retry', {
      onRequest: admins,
      schema: { summary: 'Queue a dead letter again now, with fresh attempts', tags, security, params: DeliveryId, response: { 202: DeliveryId, ...errors } },
    }, async (request, reply) => {
      if (!(await hooks().retry(request.params.id))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`dead letter '${request.params.id}'`]);
      return reply.status(202).send({ id: request.params.id });
    });

    app.delete('/api/admin/webhook-dead-letters/:id', {
      onRequest: admins,
      schema: { summary: 'Discard a dead letter', tags, security, params: DeliveryId, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await hooks().discard(request.params.id))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`dead letter '${request.params.id}'`]);
      return reply.status(204).send(null);
    });
  };
}
