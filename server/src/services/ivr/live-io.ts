// FlowIO on a real call: prompts and digits through the telephony driver, the
// caller's customer record from the CRM, data dips with a bounded fetch (no
// redirects, a capped answer: core/outbound-http.ts), time from the
// service's clock. Every method rejects once the caller has hung up, and the
// run's signal stops a prompt or a digit wait at once.

import type { Call, CollectResult, PlayResult } from '@tenor/telephony';
import type { Logger } from 'pino';
import { boundedFetch, OutboundHttpError, type OutboundHttpLimits, type OutboundResponse } from '../../core/outbound-http.js';
import type { CrmService } from '../crm/index.js';
import type { FlowClock } from './clock.js';
import type { CollectRequest, CollectResponse, FlowIO, HttpRequest, HttpResponse, PlayRequest, PlayResponse } from './flow/index.js';
import { toDriverPrompt } from './prompts.js';

/** The call ended (or the run was stopped) while the flow waited on it. */
export class CallGoneError extends Error {
  constructor(callId: string, during: string) {
    super(`call ${callId} ended during ${during}`);
    this.name = 'CallGoneError';
  }
}

export interface LiveIoDeps {
  call: Call;
  signal: AbortSignal;
  dataDir: string;
  clock: FlowClock;
  /** Absent when no CRM service runs: every caller is unknown. */
  crm: Pick<CrmService, 'findCustomersByPhone'> | undefined;
  log: Logger;
  /** Bounds on data dips (the largest answer read). */
  outboundHttp: OutboundHttpLimits;
}

export function liveFlowIO(d: LiveIoDeps): FlowIO {
  const { call, signal, log } = d;
  const gone = (during: string): CallGoneError => new CallGoneError(call.id, during);
  const prompts = (names: readonly string[], language: string) => names.map((p) => toDriverPrompt(d.dataDir, p, language));

  // A data dip that sends a secure entry on: its url may hold the digits, so only the host is logged.
  const shownUrl = (req: HttpRequest): string => {
    if (req.secure !== true) return req.url;
    return URL.canParse(req.url) ? `${new URL(req.url).origin}/…` : '(hidden: it carries a secure entry)';
  };

  return {
    async play(req: PlayRequest): Promise<PlayResponse> {
      if (signal.aborted || call.state === 'ended') throw gone('play');
      const r: PlayResult = await call.play({ prompts: prompts(req.prompts, req.language), interruptOn: req.interruptible, signal });
      // The key that interrupted is not logged: it may be the first digit of a secure entry typed ahead.
      log.info({ node: req.node, prompts: req.prompts, language: req.language, reason: r.reason }, 'prompts played');
      if (r.reason === 'hangup' || r.reason === 'stopped') throw gone('play');
      return r.reason === 'dtmf' && r.digit !== undefined ? { digit: r.digit } : {};
    },

    async collect(req: CollectRequest): Promise<CollectResponse> {
      if (signal.aborted || call.state === 'ended') throw gone('collect');
      const r: CollectResult = await call.collectDigits({
        maxDigits: req.maxDigits,
        prompts: prompts(req.prompts, req.language),
        firstDigitTimeoutMs: req.firstDigitTimeoutMs,
        interDigitTimeoutMs: req.interDigitTimeoutMs,
        terminators: req.terminators,
        signal,
      });
      // A secure entry (card number, PIN) is never written anywhere: only how many digits came.
      const entered = req.secure === true ? { secure: true, digitCount: r.digits.length } : { digits: r.digits };
      log.info({ node: req.node, prompts: req.prompts, ...entered, reason: r.reason }, 'digits collected');
      if (r.reason === 'hangup' || r.reason === 'stopped') throw gone('collect');
      return { digits: r.digits, reason: r.reason === 'max-digits' ? 'complete' : r.reason };
    },

    async lookupCustomer(number: string): Promise<Record<string, unknown> | undefined> {
      if (!d.crm) return undefined;
      const [customer] = await d.crm.findCustomersByPhone(number);
      log.info({ number, customerId: customer?.id }, customer ? 'customer found' : 'no customer with this number');
      return customer;
    },

    async http(req: HttpRequest): Promise<HttpResponse> {
      const started = Date.now();
      let res: OutboundResponse;
      try {
        res = await boundedFetch(req.url, {
          method: req.method,
          headers: { ...(req.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...req.headers },
          ...(req.method === 'POST' ? { body: JSON.stringify(req.body ?? {}) } : {}),
          // The node's timeout, or the caller hanging up, whichever comes first (connecting and reading alike).
          signal: AbortSignal.any([AbortSignal.timeout(req.timeoutMs), signal]),
        }, d.outboundHttp);
      } catch (err) {
        const reason = err instanceof OutboundHttpError ? err.reason : undefined;
        log.warn({ node: req.node, url: shownUrl(req), method: req.method, ms: Date.now() - started, timeoutMs: req.timeoutMs, reason, err: req.secure === true ? '(hidden: the request carries a secure entry)' : err instanceof Error ? err.message : String(err) }, 'data dip failed');
        throw err;
      }
      const text = res.text;
      let body: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          // Declared JSON but is not: the flow sees the text (and its assignments find nothing).
          body = text;
        }
      }
      log.info({ node: req.node, url: shownUrl(req), method: req.method, status: res.status, ms: Date.now() - started }, 'data dip answered');
      return { status: res.status, body };
    },

    now: () => d.clock(),
  };
}
