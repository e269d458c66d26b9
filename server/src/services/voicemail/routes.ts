// Voicemail over HTTP. Agents see the boxes of the queues they serve and their
// own box; supervisors and admins see every box.
//   GET    /api/voicemail/boxes
//   PUT    /api/voicemail/boxes/:box/greeting        (body: a WAV file; supervisors, admins)
//   DELETE /api/voicemail/boxes/:box/greeting
//   GET    /api/voicemail/boxes/:box/greeting        → audio/wav
//   GET    /api/voicemail/messages?box=&status=&limit=&offset=
//   GET    /api/voicemail/messages/:id
//   GET    /api/voicemail/messages/:id/audio         → audio/wav (Range supported; ?download=true)
//   POST   /api/voicemail/messages/:id/status        { status: heard | handled }
//   POST   /api/voicemail/messages/:id/callback      { queue?, priority? } → { entryId, queue }

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything } from '../../http/auth.js';
import { AUDIO_BODY_LIMIT, acceptAudioBodies } from '../prompts/index.js';
import { sendWav } from './send-file.js';
import type { VoicemailBox, VoicemailMessage } from './types.js';
import './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union([Type.Literal('new'), Type.Literal('heard'), Type.Literal('handled')]);

export const BoxView = Type.Object({
  name: Type.String(),
  kind: Type.String({ description: 'general, queue or agent' }),
  queue: Nullable(Type.String({ description: 'where callbacks from this box go' })),
  notify: Type.Array(Type.String()),
  greeting: Type.String({ description: "'uploaded' or 'default' (the leave-message prompt)" }),
  maxSeconds: Type.Integer(),
  silenceSeconds: Type.Integer(),
  language: Type.String(),
});

export const MessageView = Type.Object({
  id: Type.String(),
  box: Type.String(),
  callId: Type.String(),
  callerNumber: Type.String(),
  customerId: Nullable(Type.String()),
  durationSeconds: Type.Number(),
  receivedAt: Type.String({ format: 'date-time' }),
  status: Status,
  heardAt: Nullable(Type.String()),
  handledAt: Nullable(Type.String()),
  handledBy: Nullable(Type.String()),
  notifiedAt: Nullable(Type.String()),
  /** Why the last e-mail notification failed, while none has been sent. */
  notifyError: Nullable(Type.String()),
  callbackEntryId: Nullable(Type.String()),
  audioUrl: Type.String(),
});

export function boxView(b: VoicemailBox): Static<typeof BoxView> {
  return {
    name: b.name, kind: b.kind, queue: b.queue ?? null, notify: [...b.notify], greeting: b.greeting !== undefined ? 'uploaded' : 'default',
    maxSeconds: b.maxSeconds, silenceSeconds: b.silenceSeconds, language: b.language,
  };
}

export function messageView(m: VoicemailMessage): Static<typeof MessageView> {
  return {
    id: m.id, box: m.box, callId: m.callId, callerNumber: m.callerNumber, customerId: m.customerId ?? null, durationSeconds: Math.round(m.durationMs / 100) / 10,
    receivedAt: m.receivedAt, status: m.status, heardAt: m.heardAt ?? null, handledAt: m.handledAt ?? null, handledBy: m.handledBy ?? null,
    notifiedAt: m.notifiedAt ?? null, notifyError: m.notifyError ?? null, callbackEntryId: m.callbackEntryId ?? null, audioUrl: `/api/voicemail/messages/${m.id}/audio`,
  };
}

const IdParams = Type.Object({ id: Type.String() });
const BoxParams = Type.Object({ box: Type.String() });

export function voicemailRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const voicemail = () => opts.services.get('voicemail');
    const users = opts.services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const security: { [label: string]: string[] }[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const tags = ['voicemail'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    acceptAudioBodies(app);

    /** The boxes this caller may read: undefined for all. */
    const visibleBoxes = (request: FastifyRequest): string[] | undefined => {
      const user = currentUser(request);
      if (seesEverything(user)) return undefined;
      return voicemail().boxesFor(user.agent ?? user.username).map((b) => b.name);
    };
    const readableMessage = async (request: FastifyRequest, id: string): Promise<VoicemailMessage> => {
      const m = await voicemail().message(id);
      const visible = visibleBoxes(request);
      // Someone else's message is "not found": its existence is not the agent's business.
      if (!m || (visible !== undefined && !visible.includes(m.box))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`voicemail message '${id}'`]);
      return m;
    };
    const by = (request: FastifyRequest): string => currentUser(request).username;

    app.get('/api/voicemail/boxes', {
      onRequest: anyone,
      schema: { summary: 'Voicemail boxes this user may read', tags, security, response: { 200: Type.Array(BoxView), ...errors } },
    }, async (request) => {
      const visible = visibleBoxes(request);
      return voicemail().boxes().filter((b) => visible === undefined || visible.includes(b.name)).map(boxView);
    });

    app.put('/api/voicemail/boxes/:box/greeting', {
      onRequest: supervisors,
      bodyLimit: AUDIO_BODY_LIMIT,
      schema: { summary: "Upload a box's greeting (WAV, any common rate and encoding; converted to 8 kHz mono)", tags, security, params: BoxParams, response: { 200: BoxView, ...errors } },
    }, async (request) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) throw new TenorError('TENOR_ERR_PROMPT_INVALID', [`the greeting of box '${request.params.box}'`, 'send the WAV file as the body with Content-Type audio/wav']);
      return boxView(await voicemail().setGreeting(request.params.box, body));
    });

    app.delete('/api/voicemail/boxes/:box/greeting', {
      onRequest: supervisors,
      schema: { summary: 'Back to the default greeting', tags, security, params: BoxParams, response: { 200: BoxView, ...errors } },
    }, async (request) => boxView(await voicemail().clearGreeting(request.params.box)));

    app.get('/api/voicemail/boxes/:box/greeting', {
      onRequest: supervisors,
      schema: { summary: "Listen to a box's uploaded greeting (audio/wav)", tags, security, params: BoxParams },
    }, async (request, reply) => {
      const box = voicemail().box(request.params.box);
      if (!box?.greeting) throw new TenorError('TENOR_ERR_NOT_FOUND', [`uploaded greeting of box '${request.params.box}'`]);
      return sendWav(request, reply, box.greeting, 'greeting.wav');
    });

    app.get('/api/voicemail/messages', {
      onRequest: anyone,
      schema: {
        summary: 'Messages, newest first', tags, security,
        querystring: Type.Object({
          box: Type.Optional(Type.String()),
          status: Type.Optional(Status),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }, { additionalProperties: false }),
        response: { 200: Type.Array(MessageView), ...errors },
      },
    }, async (request) => {
      const q = request.query;
      const visible = visibleBoxes(request);
      const messages = await voicemail().messages({
        ...(visible !== undefined ? { boxes: visible } : {}),
        ...(q.box !== undefined ? { box: q.box } : {}), ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}),
      });
      return messages.map(messageView);
    });

    app.get('/api/voicemail/messages/:id', {
      onRequest: anyone,
      schema: { summary: 'One message', tags, security, params: IdParams, response: { 200: MessageView, ...errors } },
    }, async (request) => messageView(await readableMessage(request, request.params.id)));

    app.get('/api/voicemail/messages/:id/audio', {
      onRequest: anyone,
      schema: {
        summary: 'The recording (audio/wav, 8 kHz mono); Range requests supported; ?download=true to save it', tags, security, params: IdParams,
        querystring: Type.Object({ download: Type.Optional(Type.String()) }),
      },
    }, async (request, reply) => {
      const m = await readableMessage(request, request.params.id);
      return sendWav(request, reply, m.file, `voicemail-${m.id}.wav`);
    });

    app.post('/api/voicemail/messages/:id/status', {
      onRequest: anyone,
      schema: {
        summary: 'Mark heard or handled (status only moves forward: new → heard → handled)', tags, security, params: IdParams,
        body: Type.Object({ status: Type.Union([Type.Literal('heard'), Type.Literal('handled')]) }, { additionalProperties: false }),
        response: { 200: MessageView, ...errors },
      },
    }, async (request) => {
      await readableMessage(request, request.params.id);
      return messageView(await voicemail().setStatus(request.params.id, request.body.status, by(request)));
    });

    app.post('/api/voicemail/messages/:id/callback', {
      onRequest: anyone,
      schema: {
        summary: "Call the caller back through the ACD: the box's queue, or the queue given (needed for general and agent boxes)", tags, security, params: IdParams,
        body: Type.Object({
          queue: Type.Optional(Type.String({ minLength: 1 })),
          priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ entryId: Type.String(), queue: Type.String() }), ...errors },
      },
    }, async (request) => {
      await readableMessage(request, request.params.id);
      const body = request.body ?? {};
      return voicemail().requestCallback(request.params.id, {
        ...(body.queue !== undefined ? { queue: body.queue } : {}), ...(body.priority !== undefined ? { priority: body.priority } : {}), by: by(request),
      });
    });
  };
}
