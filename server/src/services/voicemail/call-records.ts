// "Voicemail counts appear in the call record": the ACD's call records API
// (GET /api/calls, /api/calls/:id) answers with each record plus the messages
// left on that call. Voicemail keeps its messages in its own table, indexed by
// call id (an inbound call record's id is its call id), and adds them to the
// response on its way out, so neither the ACD's tables nor its routes change:
//   { id, ..., voicemail: { count: 1, messages: [{ id, box, status, durationSeconds }] } }

import type { FastifyInstance } from 'fastify';
import type { ServiceManager } from '../../core/service-manager.js';
import './service.js';

const CALL_RECORD_ROUTES = new Set(['/api/calls', '/api/calls/:id']);

type Record = { id: string } & { [key: string]: unknown };

const isRecord = (v: unknown): v is Record => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';

/** Adds the hook on the root instance (it must see the ACD's routes); call once in app.ts. */
export function addVoicemailToCallRecords(app: FastifyInstance, services: ServiceManager): void {
  app.addHook('preSerialization', async (request, reply, payload: unknown) => {
    if (reply.statusCode !== 200 || !CALL_RECORD_ROUTES.has(request.routeOptions.url ?? '') || !services.has('voicemail')) return payload;
    const records = Array.isArray(payload) ? payload.filter(isRecord) : isRecord(payload) ? [payload] : [];
    if (records.length === 0) return payload;
    const byCall = await services.get('voicemail').messagesForCalls(records.map((r) => r.id));
    for (const r of records) {
      const messages = byCall.get(r.id) ?? [];
      r['voicemail'] = {
        count: messages.length,
        messages: messages.map((m) => ({ id: m.id, box: m.box, status: m.status, durationSeconds: Math.round(m.durationMs / 100) / 10 })),
      };
    }
    return payload;
  });
}
