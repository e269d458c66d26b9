// "Voicemail counts appear in the call record": the ACD's call records API
// (GET /api/calls, /api/calls/:id) answers with each record plus the messages
// left on that call. Voicemail keeps its messages in its own table, indexed by
// call id (an inbound call record's id is its call id), and adds them through
// the ACD's call-record extension, so neither the ACD's tables nor its routes
// know about voicemail:
//   { id, ..., voicemail: { count: 1, messages: [{ id, box, status, durationSeconds }] } }

import type { CallRecordExtension, CallRecordFields } from '../acd/index.js';
import type { VoicemailService } from './types.js';

/** The extension the voicemail service registers with the ACD while it runs. */
export function voicemailCallRecordFields(voicemail: Pick<VoicemailService, 'messagesForCalls'>): CallRecordExtension {
  return {
    async fieldsFor(recordIds) {
      const byCall = await voicemail.messagesForCalls(recordIds);
      const fields = new Map<string, CallRecordFields>();
      for (const id of recordIds) {
        const messages = byCall.get(id) ?? [];
        fields.set(id, {
          voicemail: {
            count: messages.length,
            messages: messages.map((m) => ({ id: m.id, box: m.box, status: m.status, durationSeconds: Math.round(m.durationMs / 100) / 10 })),
          },
        });
      }
      return fields;
    },
  };
}
