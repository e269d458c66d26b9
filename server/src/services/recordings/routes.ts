// Call recordings over HTTP (docs/recording.md, "REST"):
//   POST /api/calls/:callId/recording   { action: start|pause|resume|stop, reason? }  the agent on the call, supervisors, admins
//   GET  /api/recordings?from=&to=&queue=&agent=&customerId=&callId=&limit=&offset=
//   GET  /api/recordings/:id             metadata and markers
//   GET  /api/recordings/:id/audio       audio/wav, Range supported (a listen is audited)
//   GET  /api/recordings/:id/download    the WAV as an attachment (audited)
//   GET  /api/recordings/:id/audit       who listened and downloaded (supervisors, admins)
//   GET  /api/recordings/:id/waveform?points=N   per-channel peaks for drawing (not a listen: not audited)
// Supervisors and admins reach every recording. An agent reaches only the
// recordings of calls they were connected to, and only where the site allows
// (recording.agentsMayListen); another agent's recording is "not found".

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything } from '../../http/auth.js';
import { parseRange, sliceStream } from './byte-range.js';
import type { AuditAction, AuditEntry, Marker, RecordingRow } from './repository.js';
import { WAVEFORM_POINTS, waveformOf } from './waveform.js';
import './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** Recording ids: letters, digits, '-', '_' (no path can hide in one). */
const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
/** A call record's id is the customer leg's SIP Call-ID: printable ASCII, no spaces (a key, never a path). */
const CallId = Type.String({ pattern: '^[\\x21-\\x7e]{1,256}$' });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

export const RecordingView = Type.Object({
  id: Type.String(),
  callId: Type.String({ description: "the call record's id" }),
  queue: Nullable(Type.String()),
  campaign: Nullable(Type.String()),
  agent: Nullable(Type.String({ description: 'the agent connected last (every agent connected is a marker of kind agent)' })),
  customerId: Nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Nullable(Type.String()),
  durationMs: Nullable(Type.Integer()),
  state: Type.String({ description: 'recording | paused | stored | failed | erased' }),
  encrypted: Type.Boolean(),
  bytes: Nullable(Type.Integer()),
  retainUntil: Nullable(Type.String({ description: 'when the file is deleted by retention (ISO time); null: kept' })),
  audioUrl: Nullable(Type.String({ description: 'while the file is stored' })),
});

export const MarkerView = Type.Object({
  atMs: Type.Integer({ description: 'offset in the file' }),
  kind: Type.String({ description: 'hold | unhold | pause | resume | transfer | consult | agent' }),
  by: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  detail: Nullable(Type.String({ description: 'agent: the agent connected from here; transfer/consult: the target (JSON)' })),
});

export const AuditView = Type.Object({
  at: Type.String({ format: 'date-time' }), user: Type.String(), action: Type.String(), recordingId: Nullable(Type.String()),
  customerId: Nullable(Type.String()), detail: Nullable(Type.String()),
});

function recordingView(r: RecordingRow): Static<typeof RecordingView> {
  return {
    id: r.id, callId: r.callId, queue: r.queue, campaign: r.campaign, agent: r.agent, customerId: r.customerId, startedAt: r.startedAt,
    endedAt: r.endedAt, durationMs: r.durationMs, state: r.state, encrypted: r.keyId !== null, bytes: r.bytes, retainUntil: r.retainUntil,
    audioUrl: r.state === 'stored' ? `/api/recordings/${r.id}/audio` : null,
  };
}

const markerView = (m: Marker): Static<typeof MarkerView> => ({ atMs: m.atMs, kind: m.kind, by: m.by, reason: m.reason, detail: m.detail });
/** GET /api/recordings: one page of the list. */
export const RecordingPage = Type.Object({ total: Type.Integer(), items: Type.Array(RecordingView) });

/** GET /api/recordings/:id: the recording and its markers. */
export const RecordingDetailView = Type.Object({ ...RecordingView.properties, markers: Type.Array(MarkerView) });

const auditView = (a: AuditEntry): Static<typeof AuditView> => ({ ...a });

const IdParams = Type.Object({ id: Id });
const WaveformQuery = Type.Object({
  points: Type.Optional(Type.Integer({ minimum: WAVEFORM_POINTS.min, maximum: WAVEFORM_POINTS.max, default: WAVEFORM_POINTS.default, description: 'buckets per channel' })),
}, { additionalProperties: false });
/** GET /api/recordings/:id/waveform: each channel's peak magnitude per bucket, for drawing. */
export const WaveformView = Type.Object({
  durationMs: Type.Integer(), sampleRate: Type.Integer(), channels: Type.Literal(2), points: Type.Integer(),
  left: Type.Array(Type.Number(), { description: 'the customer: peak magnitude 0..1 per bucket' }),
  right: Type.Array(Type.Number(), { description: 'the agent (what the customer hears): peak magnitude 0..1 per bucket' }),
});
const CallParams = Type.Object({ callId: CallId });
const ControlBody = Type.Object({
  action: Type.Union([Type.Literal('start'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('stop')]),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'why (kept in the marker): e.g. "card details"' })),
}, { additionalProperties: false });
const ListQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'started before' })),
  queue: Type.Optional(Name),
  agent: Type.Optional(Name),
  customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  callId: Type.Optional(CallId),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });

export function recordingRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const recordings = () => opts.services.get('recordings');
    const users = opts.services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const security: { [label: string]: string[] }[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const tags = ['recordings'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    /** The recording, if this user may reach it; another agent's is "not found" (its existence is not theirs to know). */
    const readable = async (request: FastifyRequest, id: string): Promise<RecordingRow> => {
      const user = currentUser(request);
      const service = recordings();
      if (!seesEverything(user) && !service.agentsMayListen) throw new TenorError('TENOR_ERR_FORBIDDEN', []);
      const r = await service.repo.get(id);
      const mine = r !== undefined && (seesEverything(user) || (user.agent !== undefined && await service.repo.agentWasOn(id, user.agent)));
      if (!r || !mine) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`recording '${id}'`]);
      return r;
    };

    const sendAudio = async (request: FastifyRequest, reply: FastifyReply, r: RecordingRow, action: AuditAction): Promise<FastifyReply> => {
      const service = recordings();
      if (r.state !== 'stored' || r.path === null) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`audio of recording '${r.id}' (it is ${r.state})`]);
      const stream = await service.vault.read(r.path);
      const range = action === 'listen' ? parseRange(request.headers.range, stream.size) : { kind: 'whole' as const };
      // A listen is one audit line: the first request (no Range, or from byte 0), not every seek.
      if (action === 'download' || range.kind === 'whole' || (range.kind === 'part' && range.start === 0)) {
        await service.repo.audit({
          at: new Date().toISOString(), user: currentUser(request).username, action, recordingId: r.id, customerId: r.customerId, detail: null,
        });
      }
      const disposition = action === 'download' ? 'attachment' : 'inline';
      reply.type('audio/wav').header('accept-ranges', 'bytes').header('cache-control', 'no-store').header('content-disposition', `${disposition}; filename="recording-${r.id}.wav"`);
      if (range.kind === 'unsatisfiable') {
        (stream as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
        return reply.status(416).header('content-range', `bytes */${stream.size}`).send();
      }
      if (range.kind === 'part') {
        return reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${stream.size}`).header('content-length', range.end - range.start + 1)
          .send(sliceStream(stream, range.start, range.end));
      }
      return reply.header('content-length', stream.size).send(stream);
    };

    app.post('/api/calls/:callId/recording', {
      onRequest: anyone,
      schema: {
        summary: "Start, pause, resume or stop a live ACD call's recording (the agent on the call, supervisors, admins)", tags, security,
        params: CallParams, body: ControlBody,
        response: { 200: Type.Object({ state: Type.Union([Type.Literal('recording'), Type.Literal('paused'), Type.Literal('stopped'), Type.Literal('none')]) }), ...errors },
      },
    }, async (request) => {
      const user = currentUser(request);
      const { callId } = request.params;
      const service = recordings();
      const agent = service.liveAgent(callId);
      // Another agent's call is "not found", like a call that is not live.
      if (agent === undefined || (!seesEverything(user) && user.agent !== agent)) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`live ACD call '${callId}'`]);
      const { action, reason } = request.body;
      return service.control(callId, { action, by: user.username, ...(reason !== undefined ? { reason } : {}) });
    });

    app.get('/api/recordings', {
      onRequest: anyone,
      schema: {
        summary: 'Recordings, newest first (an agent: their own calls, where the site allows)', tags, security, querystring: ListQuery,
        response: { 200: RecordingPage, ...errors },
      },
    }, async (request) => {
      const user = currentUser(request);
      const service = recordings();
      const q = request.query;
      let agent = q.agent;
      if (!seesEverything(user)) {
        if (!service.agentsMayListen || user.agent === undefined) throw new TenorError('TENOR_ERR_FORBIDDEN', []);
        if (agent !== undefined && agent !== user.agent) throw new TenorError('TENOR_ERR_FORBIDDEN', []);
        agent = user.agent;
      }
      const page = await service.repo.list({
        ...(q.from !== undefined ? { from: new Date(q.from).toISOString() } : {}), ...(q.to !== undefined ? { to: new Date(q.to).toISOString() } : {}),
        ...(q.queue !== undefined ? { queue: q.queue } : {}), ...(agent !== undefined ? { agent } : {}),
        ...(q.customerId !== undefined ? { customerId: q.customerId } : {}), ...(q.callId !== undefined ? { callId: q.callId } : {}),
        limit: q.limit ?? 50, offset: q.offset ?? 0,
      });
      return { total: page.total, items: page.items.map(recordingView) };
    });

    app.get('/api/recordings/:id', {
      onRequest: anyone,
      schema: {
        summary: 'One recording with its markers (hold, pause, transfer, consult, agent)', tags, security, params: IdParams,
        response: { 200: RecordingDetailView, ...errors },
      },
    }, async (request) => {
      const r = await readable(request, request.params.id);
      const markers = await recordings().repo.markers(r.id);
      return { ...recordingView(r), markers: markers.map(markerView) };
    });

    app.get('/api/recordings/:id/audio', {
      onRequest: anyone,
      schema: { summary: 'Play a recording (audio/wav, 8 kHz stereo: customer left, agent right); Range supported; each listen is audited', tags, security, params: IdParams },
    }, async (request, reply) => sendAudio(request, reply, await readable(request, request.params.id), 'listen'));

    app.get('/api/recordings/:id/download', {
      onRequest: anyone,
      schema: { summary: 'Download a recording (attachment); audited', tags, security, params: IdParams },
    }, async (request, reply) => sendAudio(request, reply, await readable(request, request.params.id), 'download'));

    app.get('/api/recordings/:id/waveform', {
      onRequest: anyone,
      schema: {
        summary: "A recording's waveform: each channel's peak per bucket (customer left, agent right); not a listen, not audited", tags, security,
        params: IdParams, querystring: WaveformQuery, response: { 200: WaveformView, ...errors },
      },
    }, async (request, reply) => {
      const r = await readable(request, request.params.id);
      if (r.state !== 'stored' || r.path === null) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`audio of recording '${r.id}' (it is ${r.state})`]);
      const waveform = await waveformOf(await recordings().vault.read(r.path), request.query.points ?? WAVEFORM_POINTS.default, r.path);
      // Drawn from the audio: kept out of shared caches like the audio itself.
      void reply.header('cache-control', 'private, no-store');
      return waveform;
    });

    app.get('/api/recordings/:id/audit', {
      onRequest: supervisors,
      schema: {
        summary: "Who listened to and downloaded a recording, oldest first", tags, security, params: IdParams,
        response: { 200: Type.Array(AuditView), ...errors },
      },
    }, async (request) => {
      const r = await recordings().repo.get(request.params.id);
      if (!r) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`recording '${request.params.id}'`]);
      return (await recordings().repo.auditOf(r.id)).map(auditView);
    });
  };
}
