// REST routes generated from the business-object model: list, read, create,
// change and delete for every entity, with JSON schemas from the model so the
// OpenAPI document describes each one.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import type { EntityDef } from './model.js';
import { createSchema, patchSchema, recordSchema } from './schemas.js';
import { currentUser, requireRole, seesEverything } from '../../http/auth.js';
import { requireCustomerAccess } from '../sessions/index.js';

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function businessObjectRoutes(opts: { services: ServiceManager; entities: EntityDef[] }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const crm = opts.services.get('crm');
    // Customer data is personal data: only signed-in users read it; roles refine this with the web client.
    const signedIn = requireRole(opts.services.get('users'), 'agent', 'supervisor', 'admin');
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } };

    for (const entity of opts.entities) {
      const base = `/api/${entity.plural}`;
      const record = recordSchema(entity);
      const tags = [entity.name];
      const hasPhones = entity.attributes.some((a) => a.type === 'phone-list');
      // Agents reach only the customers they handle (docs/access.md): a Customer by its id, other
      // entities referring to a Customer (interactions, cases) through that reference.
      const isCustomer = entity.name === 'Customer';
      const customerRef = isCustomer ? undefined : entity.attributes.find((a) => a.type === 'ref' && a.entity === 'Customer');
      const customerOfRecord = async (id: number): Promise<unknown> => {
        if (isCustomer) return id;
        return customerRef ? (await crm.entity(entity.name).get(id))[customerRef.name] : undefined;
      };
      const scoped = isCustomer || customerRef !== undefined;
      const filterable = entity.attributes.filter((a) => ['string', 'enum', 'integer', 'ref', 'boolean', 'phone-list'].includes(a.type));
      const Query = Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        ...(hasPhones ? { phone: Type.Optional(Type.String({ description: 'any of the phone numbers, as dialed or E.164' })) } : {}),
        ...Object.fromEntries(
          filterable.filter((a) => a.type !== 'phone-list').map((a) => [a.name, Type.Optional(Type.String({ description: `equals (${a.type})` }))]),
        ),
      });

      app.get(
        base,
        { onRequest: signedIn, schema: { summary: `List ${entity.plural}`, tags, security, querystring: Query, response: { 200: Type.Object({ items: Type.Array(record), total: Type.Integer() }), ...errors } } },
        async (request) => {
          const user = currentUser(request);
          if (scoped && !seesEverything(user)) {
            // Agents list no customers; interactions or cases only of one customer they handle.
            const filter = customerRef ? (request.query as Record<string, unknown>)[customerRef.name] : undefined;
            await requireCustomerAccess(opts.services, user, isCustomer || filter === undefined ? undefined : String(filter));
          }
          const { limit, offset, phone, ...rest } = request.query as Record<string, string | number | undefined>;
          const where: Record<string, string> = {};
          for (const [k, v] of Object.entries(rest)) if (v !== undefined) where[k] = String(v);
          const phoneAttr = entity.attributes.find((a) => a.type === 'phone-list');
          if (phone !== undefined && phoneAttr) where[phoneAttr.name] = String(phone);
          return crm.entity(entity.name).list({ where, limit: Number(limit ?? 50), offset: Number(offset ?? 0) });
        },
      );

      app.get(
        `${base}/:id`,
        { onRequest: signedIn, schema: { summary: `One ${entity.name}`, tags, security, params: Id, response: { 200: record, ...errors } } },
        async (request) => {
          const user = currentUser(request);
          if (scoped && !seesEverything(user)) await requireCustomerAccess(opts.services, user, (await customerOfRecord(request.params.id)) as number | undefined);
          return crm.entity(entity.name).get(request.params.id);
        },
      );

      app.post(
        base,
        { onRequest: signedIn, schema: { summary: `Create a ${entity.name}`, tags, security, body: createSchema(entity), response: { 201: record, ...errors } } },
        async (request, reply) => {
          const user = currentUser(request);
          // A new customer is anyone's to create (an unknown caller); a record about a customer needs access to that customer.
          if (customerRef && !seesEverything(user)) await requireCustomerAccess(opts.services, user, (request.body as Record<string, unknown>)[customerRef.name] as number | undefined);
          const created = await crm.create(entity.name, request.body as Record<string, unknown>);
          // Who wrote what, never the values (personal data): the field names only.
          request.log.info({ entity: entity.name, id: created.id, by: user.username, fields: Object.keys(request.body as object) }, 'business object created');
          return reply.status(201).send(created);
        },
      );

      app.patch(
        `${base}/:id`,
        { onRequest: signedIn, schema: { summary: `Change a ${entity.name}`, tags, security, params: Id, body: patchSchema(entity), response: { 200: record, ...errors } } },
        async (request) => {
          const user = currentUser(request);
          if (scoped && !seesEverything(user)) {
            await requireCustomerAccess(opts.services, user, (await customerOfRecord(request.params.id)) as number | undefined);
            const moved = customerRef ? (request.body as Record<string, unknown>)[customerRef.name] : undefined;
            if (moved !== undefined) await requireCustomerAccess(opts.services, user, moved as number | null);
          }
          const changed = await crm.update(entity.name, request.params.id, request.body as Record<string, unknown>);
          request.log.info({ entity: entity.name, id: request.params.id, by: user.username, fields: Object.keys(request.body as object) }, 'business object changed');
          return changed;
        },
      );

      app.delete(
        `${base}/:id`,
        { onRequest: requireRole(opts.services.get('users'), 'supervisor', 'admin'), schema: { summary: `Delete a ${entity.name}`, tags, security, params: Id, response: { 204: Type.Null(), ...errors } } },
        async (request, reply) => {
          await crm.entity(entity.name).delete(request.params.id);
          request.log.info({ entity: entity.name, id: request.params.id, by: currentUser(request).username }, 'business object deleted');
          return reply.status(204).send(null);
        },
      );
    }
  };
}
