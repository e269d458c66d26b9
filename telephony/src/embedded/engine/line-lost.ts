// A device's WebSocket closed (a browser lost its network, or its tab went):
// its registrations go at once, so no new call is offered to a line that is
// gone; the calls signalled over it end with 'line-lost' after a grace
// (lineLostGraceMs), so the application can put the agent on break and give
// the caller to someone else instead of leaving them talking to nobody.
// The grace is not a resume: a browser that reconnects gets a new WebSocket,
// and a call is bound to the one it was set up on (docs/telephony.md).
import type { Logger } from 'pino';
import type { Registrar } from '../registrar/registrar.js';
import type { SipEndpoint } from '../sip/message.js';
import { SipLeg } from './sip-leg.js';
import type { CallRegistry } from './call-registry.js';

export class LineLoss {
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly deps: { calls: CallRegistry; registrar: Registrar | undefined; graceMs: number; log: Logger },
  ) {}

  /** The connection `flow` is gone. */
  flowClosed(flow: SipEndpoint & { user?: string }): void {
    const { calls, registrar, graceMs, log } = this.deps;
    const removed = registrar?.bindings.removeBySource(flow) ?? [];
    if (removed.length > 0) log.info({ user: flow.user, address: flow.address, bindings: removed.length }, 'websocket closed: registrations removed');
    for (const call of calls.all()) {
      const dialog = call.signaling instanceof SipLeg ? call.signaling.dialog : undefined;
      const pinned = dialog?.flow;
      if (!pinned || pinned.address !== flow.address || pinned.port !== flow.port || pinned.transport !== flow.transport) continue;
      call.log.warn({ graceMs, user: flow.user }, 'websocket of this call closed: ending it with line-lost after the grace');
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (call.state === 'ended') return;
        call.remoteEnded('line-lost').catch((err: unknown) => call.log.error({ err }, 'ending a call whose line was lost failed'));
      }, graceMs);
      timer.unref();
      this.#timers.add(timer);
    }
  }

  /** Engine stopping: calls end as 'server-shutdown' instead. */
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
