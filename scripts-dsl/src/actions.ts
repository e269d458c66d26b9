/**
 * Action requests: what a transition asks the host to do. The runtime only
 * describes them, with placeholders filled in; the host (server or browser)
 * executes them through its services.
 */
import { renderTemplate, renderUrlTemplate, templateValue } from './evaluate.js';
import type { JsonValue, Scope } from './evaluate.js';
import type { Action } from './model.js';

export type ActionRequest =
  | { type: 'send-email'; to: string; template?: string; subject?: string; body?: string }
  | { type: 'webhook'; url: string; method: 'POST' | 'PUT' | 'GET'; body?: string }
  | { type: 'update-field'; entity: string; field: string; value: JsonValue }
  | { type: 'create-case'; code: string; description: string }
  | { type: 'schedule-callback'; number: string; at?: string; inMinutes?: number }
  | { type: 'set-disposition'; code: string }
  /** Pause or resume the recording of the call the run belongs to; nothing in a run without a call. */
  | { type: 'recording'; action: 'pause' | 'resume'; reason?: string };

/** An action request with the transition that emitted it. */
export interface EmittedAction {
  /** 1, 2, 3... in the order the run emitted them. */
  seq: number;
  from: string;
  to: string;
  request: ActionRequest;
}

/** Fill in an action's placeholders. The checker guarantees its parameters. */
export function renderAction(action: Action, scope: Scope): ActionRequest {
  const text = (template: Parameters<typeof renderTemplate>[0] | undefined): string =>
    template === undefined ? '' : renderTemplate(template, scope);
  switch (action.type) {
    case 'send-email':
      return {
        type: 'send-email',
        to: text(action.to),
        ...(action.template === undefined ? {} : { template: action.template }),
        ...(action.subject === undefined ? {} : { subject: text(action.subject) }),
        ...(action.body === undefined ? {} : { body: text(action.body) }),
      };
    case 'webhook':
      return {
        type: 'webhook',
        url: action.url === undefined ? '' : renderUrlTemplate(action.url, scope),
        method: action.method,
        ...(action.body === undefined ? {} : { body: text(action.body) }),
      };
    case 'update-field':
      return {
        type: 'update-field',
        entity: action.entity ?? '',
        field: action.field ?? '',
        value: action.value === undefined ? null : templateValue(action.value, scope),
      };
    case 'create-case':
      return { type: 'create-case', code: text(action.code), description: text(action.description) };
    case 'schedule-callback':
      return {
        type: 'schedule-callback',
        number: text(action.number),
        ...(action.at === undefined ? {} : { at: text(action.at) }),
        ...(action.inMinutes === undefined ? {} : { inMinutes: action.inMinutes }),
      };
    case 'set-disposition':
      return { type: 'set-disposition', code: text(action.code) };
    case 'recording': {
      const reason = text(action.reason).trim();
      return { type: 'recording', action: action.action ?? 'pause', ...(reason === '' ? {} : { reason }) };
    }
  }
}
