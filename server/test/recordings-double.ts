// A test double of the `recordings` service (issue 16, part B), for tests of
// what uses it across the seam: a script's <recording> step and the desk's
// pause button. It keeps only what the real service reports: each answered ACD
// call is "recorded" (policy all), control() pauses and resumes it as the seam
// describes (idempotent, TENOR_ERR_RECORDING_NOT_FOUND for a call it does not
// record), and it publishes the recording_* events on the bus, which the live
// events carry to the agent on the call. No audio is written. It also serves
// the live-control route the desk's button calls, POST /api/calls/:callId/recording,
// with the real route's access rule (the agent on that call, supervisors, admins;
// another agent's call is "not found", like a call that is not live).
import { Type } from '@sinclair/typebox';
import type { ServiceDefinition } from '../src/core/service-manager.js';
import type { EventBus } from '../src/core/events.js';
import { TenorError } from '../src/core/errors.js';
import { currentUser, requireRole, seesEverything } from '../src/http/auth.js';
import '../src/services/acd/service.js';

export type RecordingState = 'recording' | 'paused' | 'stopped' | 'none';
export interface RecordingRequest { action: 'start' | 'pause' | 'resume' | 'stop'; by: string; reason?: string }

/** What the double was asked, in order: the test's evidence. */
export interface RecordingCall { callId: string; req: RecordingRequest; state: RecordingState }

export interface RecordingsDouble {
  control(callId: string, req: RecordingRequest): Promise<{ state: RecordingState }>;
  readonly requests: RecordingCall[];
  stateOf(callId: string): RecordingState;
}

/** The recording events are the real service's to declare; the double publishes them by name. */
type UntypedBus = { publish(type: string, payload: object): void };

/** The recording service's error for a call it does not record: a code, as a TenorError carries it. */
function notFound(callId: string): Error {
  return Object.assign(new Error(`No recording of call ${callId}`), { code: 'TENOR_ERR_RECORDING_NOT_FOUND', status: 404 });
}

/** `recordAnswered: false`: calls are answered but never recorded (a site with policy never). */
export function recordingsDouble(opts: { recordAnswered?: boolean } = {}): ServiceDefinition<RecordingsDouble> {
  return {
    name: 'recordings',
    dependsOn: ['events'],
    routes: {
      plugin: ({ services }) => async (app) => {
        const anyone = requireRole(services.get('users'), 'agent', 'supervisor', 'admin');
        app.post('/api/calls/:callId/recording', {
          onRequest: anyone,
          schema: {
            params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 128 }) }),
            body: Type.Object({ action: Type.Union([Type.Literal('start'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('stop')]), reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
          },
        }, async (request) => {
          const user = currentUser(request);
          const { callId } = request.params;
          if (!seesEverything(user) && (user.agent === undefined || services.get('acd').agent(user.agent)?.callId !== callId)) throw new TenorError('TENOR_ERR_NOT_FOUND', [`live ACD call '${callId}'`]);
          const { action, reason } = request.body;
          return services.get<RecordingsDouble>('recordings').control(callId, { action, by: user.username, ...(reason !== undefined ? { reason } : {}) });
        });
      },
    },
    start(ctx) {
      const bus = ctx.get<EventBus>('events');
      const publish = (type: string, payload: object): void => (bus as unknown as UntypedBus).publish(type, payload);
      // Live calls (answered, not ended); state undefined: its recording was stopped.
      const live = new Map<string, { id: string; state: 'recording' | 'paused' | undefined }>();
      const requests: RecordingCall[] = [];
      let next = 0;
      const unsubscribe = [
        bus.subscribe('call_answered', (e) => {
          const id = `rec-${++next}`;
          live.set(e.payload.callId, { id, state: opts.recordAnswered === false ? undefined : 'recording' });
          if (opts.recordAnswered !== false) publish('recording_started', { recordingId: id, callId: e.payload.callId, at: new Date().toISOString(), agent: e.payload.agent });
        }),
        bus.subscribe('call_ended', (e) => {
          const rec = live.get(e.payload.callId);
          if (rec === undefined) return;
          live.delete(e.payload.callId);
          if (rec.state !== undefined) publish('recording_stopped', { recordingId: rec.id, callId: e.payload.callId, at: new Date().toISOString() });
        }),
      ];
      const instance: RecordingsDouble & { unsubscribe: Array<() => void> } = {
        requests,
        unsubscribe,
        stateOf: (callId) => live.get(callId)?.state ?? 'none',
        async control(callId, req) {
          const rec = live.get(callId);
          if (rec === undefined) throw notFound(callId);
          const was = rec.state;
          const extra = { by: req.by, ...(req.reason !== undefined ? { reason: req.reason } : {}) };
          let state: RecordingState;
          if (was === undefined) state = 'none';
          else if (req.action === 'stop') {
            rec.state = undefined;
            state = 'stopped';
            publish('recording_stopped', { recordingId: rec.id, callId, at: new Date().toISOString(), ...extra });
          } else {
            const now = req.action === 'pause' ? 'paused' : req.action === 'resume' ? 'recording' : was;
            rec.state = now;
            if (now !== was) publish(now === 'paused' ? 'recording_paused' : 'recording_resumed', { recordingId: rec.id, callId, at: new Date().toISOString(), ...extra });
            state = now;
          }
          requests.push({ callId, req, state });
          return { state };
        },
      };
      return instance;
    },
    stop(instance) {
      for (const off of (instance as RecordingsDouble & { unsubscribe: Array<() => void> }).unsubscribe) off();
    },
  };
}
