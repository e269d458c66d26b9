// Executes what a script's transitions ask for, through the services that do
// each job (mail, webhooks, the CRM, the event bus), so a site can replace any
// of them. A failing action is recorded in the run's action log; it does not
// stop the conversation.

import type { ActionRequest } from '@tenor/scripts-dsl';
import type { ServiceContext, ServiceMap } from '../../core/service-manager.js';
import { TenorError, isTenorError } from '../../core/errors.js';

declare module '../../core/events.js' {
  interface TenorEvents {
    /** A script (or an agent) asked for the customer to be called back at a time; the ACD turns it into a callback. */
    callback_scheduled: { number: string; at: string; customerId: number | null; source: string; agent?: string };
  }
}

export interface ActionScope {
  sessionId: string;
  scriptId: string;
  /** The ACD call (the call record's id) an agent's run belongs to; none in web self-service. */
  callId: string | undefined;
  customerId: number | undefined;
  interactionId: number | undefined;
  /** The agent running the script (null: a web self-service run): a callback they schedule is theirs. */
  agent: string | null;
  now: Date;
}

export interface ActionLogEntry {
  type: ActionRequest['type'];
  ok: boolean;
  detail: string;
  at: string;
}

/** What an action changes in the session itself (set-disposition). */
export interface ActionEffect {
  disposition?: string;
}

export async function executeAction(ctx: ServiceContext, request: ActionRequest, scope: ActionScope): Promise<{ log: ActionLogEntry; effect: ActionEffect }> {
  const at = scope.now.toISOString();
  try {
    const { detail, effect } = await run(ctx, request, scope);
    return { log: { type: request.type, ok: true, detail, at }, effect: effect ?? {} };
  } catch (err) {
    ctx.logger.warn({ err, session: scope.sessionId, action: request.type }, 'script action failed');
    return { log: { type: request.type, ok: false, detail: (err as Error).message, at }, effect: {} };
  }
}

async function run(ctx: ServiceContext, request: ActionRequest, scope: ActionScope): Promise<{ detail: string; effect?: ActionEffect }> {
  switch (request.type) {
    case 'send-email': {
      const sent = await ctx.get('mail').send({
        to: request.to,
        subject: request.subject ?? request.template ?? `Message from ${scope.scriptId}`,
        text: request.body ?? '',
      });
      return { detail: `e-mail to ${request.to} (${sent.messageId})` };
    }
    case 'webhook': {
      const res = await ctx.get('webhooks').call({ url: request.url, method: request.method, ...(request.body !== undefined ? { body: request.body } : {}) });
      return { detail: `${request.method} ${request.url} → ${res.status}` };
    }
    case 'update-field': {
      const { entity, id } = target(ctx, request.entity, scope);
      const crm = ctx.get('crm');
      const [attribute = '', ...path] = request.field.split('.');
      let value: unknown = request.value;
      if (path.length > 0) {
        // A path into a json attribute (custom.contract_type): change that key, keep the rest.
        const current = (await crm.entity(entity).get(id))[attribute];
        value = setPath(typeof current === 'object' && current !== null ? structuredClone(current) : {}, path, request.value);
      }
      await crm.update(entity, id, { [attribute]: value });
      return { detail: `${entity} ${id}: ${request.field} = ${JSON.stringify(request.value)}` };
    }
    case 'create-case': {
      if (scope.customerId === undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['a case needs a customer, and this run has none']);
      const kase = await ctx.get('crm').create('Case', { customer: scope.customerId, code: request.code, description: request.description });
      return { detail: `case ${request.code} #${kase.id}` };
    }
    case 'schedule-callback': {
      const when = request.at ?? new Date(scope.now.getTime() + (request.inMinutes ?? 0) * 60_000).toISOString();
      ctx.get('events').publish('callback_scheduled', {
        number: request.number, at: when, customerId: scope.customerId ?? null, source: `script ${scope.scriptId}`, ...(scope.agent !== null ? { agent: scope.agent } : {}),
      });
      if (scope.customerId !== undefined) {
        await ctx.get('crm').recordInteraction({
          customer: scope.customerId,
          channel: 'callback',
          direction: 'outbound',
          outcome: 'scheduled',
          notes: `Callback to ${request.number} requested for ${when} (script ${scope.scriptId})`,
        });
      }
      return { detail: `callback to ${request.number} at ${when}` };
    }
    case 'set-disposition':
      return { detail: `disposition ${request.code}`, effect: { disposition: request.code } };
    case 'recording':
      return { detail: await controlRecording(ctx, request, scope) };
  }
}

/**
 * The recording service's live control, as this module needs it (docs/recording.md).
 * Declared here rather than imported: the scripts service only asks for it by name.
 */
interface RecordingControl {
  control(callId: string, req: { action: 'start' | 'pause' | 'resume' | 'stop'; by: string; reason?: string }): Promise<{ state: 'recording' | 'paused' | 'stopped' | 'none' }>;
}

/**
 * Pause or resume the recording of the run's call. A script must never hold up
 * a call: without a recording service, or with no recording on the call, the
 * step goes on and the action log says why nothing happened. Only the agent
 * handling the call changes its recording this way: a run's call id is what
 * the agent's desk sent, so it is checked against the ACD before it is used.
 */
async function controlRecording(ctx: ServiceContext, request: Extract<ActionRequest, { type: 'recording' }>, scope: ActionScope): Promise<string> {
  const what = `recording ${request.action}`;
  if (scope.callId === undefined || scope.agent === null) return `${what}: skipped, this run has no call`;
  const fields = { session: scope.sessionId, callId: scope.callId, agent: scope.agent, action: request.action };
  const recordings = optionalService<RecordingControl>(ctx, 'recordings');
  if (recordings === undefined) {
    ctx.logger.info(fields, 'script asked for a recording change; no recording service');
    return `${what}: skipped, calls are not recorded here`;
  }
  if (optionalService(ctx, 'acd')?.agent(scope.agent)?.callId !== scope.callId) {
    ctx.logger.warn(fields, "script asked for a recording change on a call that is not the agent's");
    throw new TenorError('TENOR_ERR_FORBIDDEN');
  }
  try {
    const { state } = await recordings.control(scope.callId, { action: request.action, by: scope.agent, ...(request.reason !== undefined ? { reason: request.reason } : {}) });
    if (state === 'none') {
      ctx.logger.info(fields, 'script asked for a recording change; the call has no recording');
      return `${what}: skipped, this call is not being recorded`;
    }
    ctx.logger.info({ ...fields, state }, 'script changed the call recording');
    return `${what}: ${state}`;
  } catch (err) {
    // The recording service's answer for a call that is not live (or not the ACD's).
    if (!(err instanceof TenorError) || err.code !== 'TENOR_ERR_RECORDING_NOT_FOUND') throw err;
    ctx.logger.info(fields, 'script asked for a recording change; the call has no recording');
    return `${what}: skipped, this call is not being recorded`;
  }
}

/** A service this one uses only when the site runs it. */
function optionalService<K extends keyof ServiceMap>(ctx: ServiceContext, name: K): ServiceMap[K] | undefined;
function optionalService<T extends object>(ctx: ServiceContext, name: string): T | undefined;
function optionalService(ctx: ServiceContext, name: string): object | undefined {
  try {
    return ctx.get<object>(name);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND')) return undefined;
    throw err;
  }
}

/** The record an update-field action means: the run's customer or its interaction. */
function target(ctx: ServiceContext, root: string, scope: ActionScope): { entity: string; id: number } {
  const entity = ctx.get('crm').model.entities.find((e) => e.name.toLowerCase() === root.toLowerCase())?.name;
  const id = entity === 'Customer' ? scope.customerId : entity === 'Interaction' ? scope.interactionId : undefined;
  if (!entity || id === undefined) throw new TenorError('TENOR_ERR_VALIDATION', [`this run has no ${root} to update`]);
  return { entity, id };
}

function setPath(root: object, path: string[], value: unknown): object {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = typeof next === 'object' && next !== null ? next : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? ''] = value;
  return root;
}
