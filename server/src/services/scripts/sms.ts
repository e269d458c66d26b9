// The site's SMS hook as a webhook request: {phone} and {message} are put into
// the URL template URL-encoded, and into the body template escaped for a JSON
// string, so a value can never add a query parameter or break the body.

import type { WebhookRequest } from '../webhooks.js';
import type { SmsHook } from './settings.js';

export function smsRequest(hook: SmsHook, phone: string, message: string): WebhookRequest {
  const values: Record<string, string> = { phone, message };
  const fill = (template: string, encode: (v: string) => string) => template.replace(/\{(phone|message)\}/g, (_m, name: string) => encode(values[name] ?? ''));
  const method = hook.method ?? 'POST';
  return {
    url: fill(hook.url, encodeURIComponent),
    method,
    ...(hook.body !== undefined && method !== 'GET' ? { body: fill(hook.body, (v) => JSON.stringify(v).slice(1, -1)) } : {}),
  };
}
