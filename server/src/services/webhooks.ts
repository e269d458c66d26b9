// Outgoing webhooks (script actions, the SMS hook): an HTTP request with a
// deadline, no redirects followed and a bounded answer (core/outbound-http.ts),
// and a coded error when the far end fails, so the caller can record it.

import { defineService } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';
import { boundedFetch, defaultOutboundHttpLimits, OutboundHttpError, type OutboundHttpLimits, type OutboundResponse } from '../core/outbound-http.js';

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

export function webhooksService(limits: OutboundHttpLimits = defaultOutboundHttpLimits) {
  return defineService<WebhookService>({
    name: 'webhooks',
    version: '1.0.0',
    description: 'Outgoing HTTP calls for script actions',
    start: (ctx) => ({
      async call(request) {
        const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        let response: OutboundResponse;
        try {
          response = await boundedFetch(request.url, {
            method: request.method,
            ...(request.method !== 'GET' && request.body !== undefined
              ? { body: request.body, headers: { 'content-type': looksLikeJson(request.body) ? 'application/json' : 'text/plain; charset=utf-8' } }
              : {}),
            signal: AbortSignal.timeout(timeoutMs),
          }, limits);
        } catch (err) {
          const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
          if (err instanceof OutboundHttpError) ctx.logger.warn({ url: request.url, reason: err.reason }, `webhook refused: ${err.message}`);
          throw new TenorError('TENOR_ERR_WEBHOOK_FAILED', [request.url, reason], { cause: err });
        }
        if (response.status < 200 || response.status >= 300) throw new TenorError('TENOR_ERR_WEBHOOK_FAILED', [request.url, `status ${response.status}`]);
        ctx.logger.info({ url: request.url, status: response.status }, 'webhook called');
        return { status: response.status, body: response.text };
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
