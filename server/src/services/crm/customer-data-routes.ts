// A customer's data for data-protection requests: the export (a zip) and the
// erasure. Both are for admins only: they reach every part of Tenor at once
// (audio included), and an erasure cannot be undone.

import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { zipStream } from '../../core/zip-stream.js';
import { currentUser, requireRole } from '../../http/auth.js';
import type { Migration } from '../../store/database.js';
import { CustomerData, type CustomerRecordingFiles } from './customer-data.js';

export interface CustomerDataRoutesOptions {
  services: ServiceManager;
  dataDir: string;
  /** Opens the recordings' vault (services/index.ts makes it from the site file: the CRM imports nothing of the recordings service). */
  openRecordings: () => Promise<CustomerRecordingFiles>;
  recordingTables: readonly Migration[];
}

export function customerDataRoutes(opts: CustomerDataRoutesOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    const admins = requireRole(opts.services.get('users'), 'admin');
    const security = [{ basicAuth: [] }];
    const tags = ['Customer'];
    // The vault (and its key file) is opened at the first request that needs audio; a failure is retried next time.
    let vault: Promise<CustomerRecordingFiles> | undefined;
    const recordings = (): Promise<CustomerRecordingFiles> => {
      vault ??= opts.openRecordings().catch((err: unknown) => {
        vault = undefined;
        throw err;
      });
      return vault;
    };
    const customerData = (): CustomerData =>
      new CustomerData({ db: opts.services.get('store'), crm: opts.services.get('crm'), dataDir: opts.dataDir, recordings, recordingTables: opts.recordingTables, logger: app.log });
    const params = Type.Object({ id: Type.Integer({ minimum: 1 }) });

    app.post(
      '/api/customers/:id/erase',
      {
        onRequest: admins,
        schema: {
          summary: "Erase a customer's data (recordings, voicemail, history, cases, the customer) and anonymise their call records; cannot be undone",
          tags,
          security,
          params,
          body: Type.Object(
            { reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S', description: 'why (kept in the audit log: name the request, not the person)' }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              erased: Type.Object({
                recordings: Type.Integer(),
                voicemail: Type.Integer(),
                records: Type.Record(Type.String(), Type.Integer(), { description: 'records of the model that referred to the customer, by entity' }),
                callRecordsAnonymised: Type.Integer(),
                scheduledCallbacks: Type.Integer(),
                campaignEntries: Type.Integer(),
                selfServiceCodes: Type.Integer(),
              }),
            }),
            '4xx': { $ref: 'ErrorResponse#' },
          },
        },
      },
      async (request) => ({ erased: await customerData().erase(request.params.id, currentUser(request).username, request.body.reason.trim()) }),
    );

    app.get(
      '/api/customers/:id/export',
      {
        onRequest: admins,
        schema: {
          summary: "Everything Tenor holds about a customer, for an access request: a zip of customer.json and the audio of their voicemail and recordings",
          tags,
          security,
          params,
          produces: ['application/zip'],
          response: { 200: Type.Unknown({ description: 'application/zip' }), '4xx': { $ref: 'ErrorResponse#' } },
        },
      },
      async (request, reply) => {
        const entries = await customerData().exportEntries(request.params.id, currentUser(request).username);
        void reply.header('content-type', 'application/zip');
        void reply.header('content-disposition', `attachment; filename="customer-${request.params.id}.zip"`);
        void reply.header('cache-control', 'no-store');
        return reply.send(Readable.from(zipStream(entries)));
      },
    );
  };
}
