// http: a request to a web service (templates in url, headers and body); a 2xx
// answer assigns fields of its JSON to variables and goes to next, anything
// else (another status, a network error, the timeout) goes to failure.

import { assign } from 'xstate';
import type { HttpRequest, HttpResponse } from '../io.js';
import { record, scopeOf, to } from '../machine.js';
import type { Args, StateConfig } from '../machine.js';
import { describe, isObject } from '../reader.js';
import { dig, referencesIn, renderDeep, renderText, renderUrl } from '../template.js';
import type { NodeBase, Template } from '../types.js';
import { checkReferences, forEachString } from './checks.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';
import { VARIABLE } from './fields.js';

export interface HttpNode extends NodeBase {
  type: 'http';
  method: 'GET' | 'POST';
  url: Template;
  headers: Record<string, Template>;
  /** JSON body with templates in its string leaves. */
  body?: unknown;
  timeoutMs: number;
  /** Variable name → dotted path in the JSON answer (`data.segment`, `items.0.id`). */
  assign: Record<string, string>;
  next: string;
  failure: string;
}

/** Whether the request's url, headers or body name a variable that holds a secure collect's digits. */
function usesSecret(node: HttpNode, secrets: readonly string[]): boolean {
  if (secrets.length === 0) return false;
  const texts = [node.url, ...Object.values(node.headers)];
  forEachString(node.body, 'body', (s) => texts.push(s));
  return texts.some((text) => referencesIn(text).some((ref) => secrets.some((v) => ref === `vars.${v}` || ref.startsWith(`vars.${v}.`))));
}

export const http: NodeType<HttpNode> = {
  fields: ['method', 'url', 'headers', 'body', 'timeout', 'assign', 'next', 'failure'],
  waitsForInput: false,
  read: (f) => {
    const raw = f.raw;
    const method = (f.string('method', false) ?? 'POST').toUpperCase();
    if (method !== 'GET' && method !== 'POST') f.problem(`${f.path}.method`, `method must be GET or POST, not '${method}'`);
    const assignments: Record<string, string> = {};
    const rawAssign = raw.assign;
    if (rawAssign !== undefined) {
      if (!isObject(rawAssign)) f.problem(`${f.path}.assign`, `assign is a map of variable to a field of the answer; found ${describe(rawAssign)}`);
      else {
        for (const [v, p] of Object.entries(rawAssign)) {
          if (!VARIABLE.test(v)) f.problem(`${f.path}.assign.${v}`, `'${v}' is not a variable name (letters, digits, '_')`);
          else if (typeof p !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(p)) {
            f.problem(`${f.path}.assign.${v}`, `assign.${v} must be a field path in the answer such as 'data.segment'; found ${describe(p)}`);
          } else assignments[v] = p;
        }
      }
    }
    const headers: Record<string, string> = {};
    if (raw.headers !== undefined) {
      if (!isObject(raw.headers)) f.problem(`${f.path}.headers`, `headers is a map of header name to text; found ${describe(raw.headers)}`);
      else {
        for (const [h, v] of Object.entries(raw.headers)) {
          if (typeof v !== 'string' && typeof v !== 'number') f.problem(`${f.path}.headers.${h}`, `header '${h}' must be text; found ${describe(v)}`);
          else headers[h] = String(v);
        }
      }
    }
    const url = f.string('url', true) ?? '';
    if (url !== '' && !/^https?:\/\//.test(url) && !url.startsWith('${')) {
      f.problem(`${f.path}.url`, `url '${url}' must start with http:// or https://`);
    }
    return {
      type: 'http',
      method: method === 'GET' ? 'GET' : 'POST',
      url,
      headers,
      ...(raw.body !== undefined ? { body: raw.body } : {}),
      timeoutMs: f.duration('timeout', 5000),
      assign: assignments,
      next: f.target('next'),
      failure: f.target('failure'),
    };
  },
  edges: (node) => [edge('next', node.next), edge('failure', node.failure)],
  check: (node, { report }) => {
    checkReferences(node, 'url', node.url, report);
    for (const [h, v] of Object.entries(node.headers)) checkReferences(node, `headers.${h}`, v, report);
    forEachString(node.body, 'body', (s, path) => checkReferences(node, path, s, report));
  },
  state: (node) =>
    ({
      invoke: {
        src: 'http',
        input: ({ context }: Args): HttpRequest => {
          const scope = scopeOf(context);
          return {
            url: renderUrl(node.url, scope),
            method: node.method,
            headers: Object.fromEntries(Object.entries(node.headers).map(([h, v]) => [h, renderText(v, scope)])),
            body: node.body === undefined ? undefined : renderDeep(node.body, scope),
            timeoutMs: node.timeoutMs,
            ...(usesSecret(node, context.secrets) ? { secure: true } : {}),
            node: node.id,
          };
        },
        onDone: [
          {
            guard: ({ event }: Args) => {
              const status = (event.output as HttpResponse).status;
              return status >= 200 && status < 300;
            },
            target: to(node.next),
            reenter: true,
            actions: [
              record(node, 'next', ({ event }) => ({ input: String((event.output as HttpResponse).status) })),
              assign(({ context, event }: Args) => {
                const body = (event.output as HttpResponse).body;
                const vars = { ...context.vars };
                for (const [v, path] of Object.entries(node.assign)) vars[v] = dig(body, path.split('.'));
                return { vars };
              }),
            ],
          },
          { target: to(node.failure), reenter: true, actions: [record(node, 'failure', ({ event }) => ({ input: String((event.output as HttpResponse).status) }))] },
        ],
        onError: {
          target: to(node.failure),
          reenter: true,
          // An error's text may quote the url, which may carry a secure entry.
          actions: [record(node, 'failure', ({ context, event }) => ({ input: usesSecret(node, context.secrets) ? 'error' : errorText((event as { error?: unknown }).error) }))],
        },
      },
    }) as StateConfig,
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
