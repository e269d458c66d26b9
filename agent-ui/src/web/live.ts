// The live-events client: one WebSocket to /api/events (docs/live-events.md). The server
// sends a role-shaped snapshot first, then coalesced events. The pages render from the
// snapshot; on events the client asks for a fresh snapshot (at most a few per second),
// which keeps every figure consistent with the server's own view. A dropped connection
// reconnects with back-off and starts over with a fresh snapshot.
import type { LiveCloseCodes, LiveSnapshot, ServerMessage } from './wire.js';
import { recordingChangeOf, type RecordingChange } from './pages/desk/recording.js';

export type { LiveAgent, LiveCall, LiveCampaign, LiveContact, LiveDialing, LiveQueue, LiveRefusal, LiveSnapshot, LiveWaitingCall } from './wire.js';

export interface LiveHandlers {
  /** A snapshot arrived; `clockSkewMs` = local clock − server clock, to count times in state. */
  snapshot(data: LiveSnapshot, clockSkewMs: number): void;
  connection(connected: boolean): void;
  /** The server closed with 4401: the session ended. */
  sessionEnded(): void;
  /** An alert was raised or cleared (supervisors and admins get these events). */
  alertsChanged?(): void;
  /** A call's recording started, paused, resumed or stopped (the agent on that call gets these events). */
  recordingChanged?(change: RecordingChange): void;
}

const resyncEveryMs = 300;
/** The server's close code for an ended session; the type makes tsc compare it with the server's. */
const sessionEndedCode: (typeof LiveCloseCodes)['sessionEnded'] = 4401;

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
      else if (message.type === 'events' && message.events.some((e) => e.type === 'alert_raised' || e.type === 'alert_cleared')) handlers.alertsChanged?.();
      if (message.type === 'events') {
        for (const e of message.events) {
          const change = recordingChangeOf(e);
          if (change !== undefined) handlers.recordingChanged?.(change);
        }
      }
      if (message.type === 'events' && resyncTimer === null) {
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
