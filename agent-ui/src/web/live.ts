// The live-events client: one WebSocket to /api/events (docs/live-events.md). The server
// sends a role-shaped snapshot first, then coalesced events. The pages render from the
// snapshot; on events the client asks for a fresh snapshot (at most a few per second),
// which keeps every figure consistent with the server's own view. A dropped connection
// reconnects with back-off and starts over with a fresh snapshot.
import type { AgentStateName, Role } from './api.js';

// Mirrors of server/src/http/events/types.ts (the fields the UI reads).
export interface LiveAgent { login: string; name: string; state: AgentStateName; reason: string; since: string; timeInStateSeconds: number; callId: string | null; queues: string[]; callsAnswered: number }
export interface LiveWaitingCall { callId: string; callerNumber: string; customerId: string | null; customerName: string | null; segment: string | null; enteredAt: string; waitSeconds: number; position: number | null }
export interface LiveQueue { queue: string; waiting: number; longestWaitSeconds: number; agentsLoggedIn: number; agentsReady: number; agentsBusy: number; agentsOnBreak: number; calls: LiveWaitingCall[] }
export interface LiveCall { callId: string; direction: 'inbound' | 'outbound'; from: string; to: string; customerId: string | null; queue: string | null; agent: string | null; state: string; arrivedAt: string; answeredAt: string | null }
export interface LiveContact { callId: string; state: 'offered' | 'on-call' | 'wrap-up'; kind: string; queue: string | null; script: string | null; callerNumber: string | null; customer: { id: string | null; name: string | null; segment: string | null }; since: string; held: boolean; consult: { target: { type: 'agent'; agent: string } | { type: 'queue'; queue: string } | { type: 'number'; number: string; trunk?: string }; state: 'dialing' | 'talking' } | null }
export interface LiveCampaign {
  name: string; mode: 'preview' | 'progressive' | 'predictive'; status: string; queue: string | null; agentsAssigned: number; agentsReady: number;
  inFlight: number; attemptsToday: number; connectedToday: number; abandonedToday: number; abandonRatePercent: number | null; remaining: number;
}
/** Purpose and reason stay strings: a newer server may name ones this UI has no words for. */
export interface LiveRefusal { at: string; number: string; class: string; purpose: string; reason: string; detail: string; trunk: string | null; callId: string | null; agent: string | null }
export interface LiveDialing { refusedToday: number; refusedTodayByReason: Record<string, number>; recent: LiveRefusal[] }
export interface LiveSnapshot {
  at: string; role: Role; username: string; agent: string | null; agents: LiveAgent[]; queues: LiveQueue[]; calls: LiveCall[]; current: LiveContact | null; campaigns: LiveCampaign[] | null;
  /** Absent from a server older than the refused-calls panel. */
  dialing?: LiveDialing | null;
}

type ServerMessage = { type: 'snapshot'; data: LiveSnapshot } | { type: 'events'; events: unknown[] } | { type: 'pong' } | { type: 'error'; code: string; message: string };

export interface LiveHandlers {
  /** A snapshot arrived; `clockSkewMs` = local clock − server clock, to count times in state. */
  snapshot(data: LiveSnapshot, clockSkewMs: number): void;
  connection(connected: boolean): void;
  /** The server closed with 4401: the session ended. */
  sessionEnded(): void;
}

const resyncEveryMs = 300;
const sessionEndedCode = 4401;

export function connectLive(handlers: LiveHandlers): { close(): void } {
  let socket: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let resyncTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  const open = (): void => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => { attempt = 0; handlers.connection(true); };
    ws.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as ServerMessage;
      if (message.type === 'snapshot') handlers.snapshot(message.data, Date.now() - Date.parse(message.data.at));
      else if (message.type === 'events' && resyncTimer === null) {
        resyncTimer = setTimeout(() => {
          resyncTimer = null;
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'resync' }));
        }, resyncEveryMs);
      }
    };
    ws.onclose = (event) => {
      handlers.connection(false);
      if (resyncTimer !== null) { clearTimeout(resyncTimer); resyncTimer = null; }
      if (closed) return;
      if (event.code === sessionEndedCode) { handlers.sessionEnded(); return; }
      attempt += 1;
      reconnectTimer = setTimeout(open, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
    };
  };
  open();
  return {
    close() {
      closed = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      if (resyncTimer !== null) clearTimeout(resyncTimer);
      socket?.close();
    },
  };
}
