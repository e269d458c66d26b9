// Outgoing webhooks (script actions): an HTTP request with a deadline, and a
// coded error when the far end fails, so the caller can record it.

import { defineService } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';

export interface WebhookRequest {
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  body?: string;
  timeoutMs?: number;
}

export interface WebhookService {
  call(request: WebhookRequest): Promise<{ status: number; body: string }>;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    webhooks: WebhookService;
  }
}

const DEFAULT_TIMEOUT_MS = 5_000;

export function webhooksService() {
  return defineService<WebhookService>({
    name: 'webhooks',
    version: '1.0.0',
    description: 'Outgoing HTTP calls for script actions',
    start: (ctx) => ({
      async call(request) {
        let response: Response;
        try {
          response = await fetch(request.url, {
            method: request.method,
            ...(request.method !== 'GET' && request.body !== undefined
              ? { body: request.body, headers: { 'content-type': looksLikeJson(request.body) ? 'application/json' : 'text/plain; charset=utf-8' } }
              : {}),
            signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
          });
        } catch (err) {
          const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${request.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` : (err as Error).message;
          throw new TenorError('TENOR_ERR_WEBHOOK_FAILED', [request.url, reason], { cause: err });
        }
        const body = await response.text();
        if (!response.ok) throw new TenorError('TENOR_ERR_WEBHOOK_FAILED', [request.url, `status ${response.status}`]);
        ctx.logger.info({ url: request.url, status: response.status }, 'webhook called');
        return { status: response.status, body };
      },
    }),
  });
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
