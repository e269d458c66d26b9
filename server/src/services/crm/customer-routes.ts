// Customer identification and the contact history, on top of the generated
// business-object routes.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { recordSchema } from './schemas.js';
import { currentUser, requireRole } from '../../http/auth.js';
import { customerScopeOf, requireCustomerAccess } from '../sessions/index.js';
import { playableRecordings } from '../recordings/index.js';

export function customerRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const crm = opts.services.get('crm');
    const signedIn = requireRole(opts.services.get('users'), 'agent', 'supervisor', 'admin');
    // Looking a number up reveals who is behind it: for supervisors and admins (the ingress identifies callers for agents).
    const supervisors = requireRole(opts.services.get('users'), 'supervisor', 'admin');
    const security = [{ basicAuth: [] }];
    const tags = ['Customer'];
    const Customer = recordSchema(crm.entity('Customer').entity);
    const Interaction = recordSchema(crm.entity('Interaction').entity);
    // A history entry: the interaction, and the recording of its call when the reader may play it.
    const HistoryItem = Type.Object({
      ...Interaction.properties,
      recordingId: Type.Optional(Type.String({ description: "the call's recording (GET /api/recordings/:id), present only when this user may play it" })),
    }, { title: 'HistoryItem' });

    app.get(
      '/api/customers/search',
      {
        onRequest: signedIn,
        schema: {
          summary: 'Find customers by name, e-mail, phone number (any format) or case number; agents find only the customers they handle',
          tags,
          security,
          querystring: Type.Object(
            {
              q: Type.String({ minLength: 1, maxLength: 100, description: 'name or e-mail words (word starts), a phone number in any format, or a case number (#42)' }),
              limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
              offset: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(Type.Object({ customer: Customer, matched: Type.Union([Type.Literal('phone'), Type.Literal('case'), Type.Literal('words')]) })),
              total: Type.Integer(),
              phone: Type.Union([Type.String(), Type.Null()], { description: 'the E.164 number searched, when the query was read as one' }),
            }),
            '4xx': { $ref: 'ErrorResponse#' },
          },
        },
      },
      async (request) => {
        const allowed = await customerScopeOf(opts.services, currentUser(request));
        const { q, limit, offset } = request.query;
        return crm.searchCustomers({ q, limit, offset, ...(allowed !== undefined ? { allowed } : {}) });
      },
    );

    app.get(
      '/api/customers/:id/history',
      {
        onRequest: signedIn,
        schema: {
          summary: "The customer's contact history, newest first, with a summary",
          tags,
          security,
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
          }),
          response: {
            200: Type.Object({
              customer: Customer,
              summary: Type.Object({
                segment: Type.Union([Type.String(), Type.Null()]),
                openCases: Type.Integer(),
                lastContact: Type.Union([Type.String(), Type.Null()]),
                contactsLast30Days: Type.Integer(),
              }),
              items: Type.Array(HistoryItem),
              total: Type.Integer(),
            }),
            '4xx': { $ref: 'ErrorResponse#' },
          },
        },
      },
      async (request) => {
        const user = currentUser(request);
        await requireCustomerAccess(opts.services, user, request.params.id);
        const history = await crm.history(request.params.id, request.query);
        const callIds = history.items.flatMap((i) => (typeof i['callId'] === 'string' ? [i['callId']] : []));
        const recordings = await playableRecordings(opts.services, user, callIds);
        const items = history.items.map((i) => {
          const recordingId = typeof i['callId'] === 'string' ? recordings.get(i['callId']) : undefined;
          return recordingId === undefined ? i : { ...i, recordingId };
        });
        return { ...history, items };
      },
    );

    app.post(
      '/api/customers/identify',
      {
        onRequest: supervisors,
        schema: {
          summary: 'Find the customer behind a phone number; an unknown number becomes a new prospect',
          tags,
          security,
          body: Type.Object({ phone: Type.String({ minLength: 3, maxLength: 40 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ customer: Customer, created: Type.Boolean() }), '4xx': { $ref: 'ErrorResponse#' } },
        },
      },
      async (request) => crm.customerForCaller(request.body.phone),
    );
  };
}
