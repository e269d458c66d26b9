// Waiting until drachtio-server routes requests to this application.
//
// drachtio-srf reports "connected" once drachtio-server accepted the secret, and
// sends the routes (the requests this application takes: INVITE, REGISTER) at
// that moment without waiting for their answer. drachtio-server reads an
// application's messages on one thread and takes SIP on another, so a call that
// arrives in between finds no application for INVITE and is refused ("No
// clients found to handle incoming invite request"): seen under load as a
// caller refused 20 ms after the driver said it had started. drachtio-server
// reads one application's messages in order, so the answer to a ping sent after
// the routes means the routes are in place.
//
// drachtio-srf has no API for this: what follows uses its agent's internals
// (drachtio-srf 5.0: `Srf#_app.client`, the agent's sockets and pending
// requests, the wire protocol's `send`), and says so when they are missing.
import type Srf from 'drachtio-srf';

interface AgentSocketState {
  authenticated: boolean;
  pendingRequests: Map<string, () => void>;
}

interface DrachtioAgentInternals {
  mapServer: Map<unknown, AgentSocketState>;
  wp: { send(socket: unknown, msg: string): string };
}

function agentOf(srf: Srf): DrachtioAgentInternals | undefined {
  const agent = (srf as unknown as { _app?: { client?: Partial<DrachtioAgentInternals> } })._app?.client;
  if (!(agent?.mapServer instanceof Map) || typeof agent.wp?.send !== 'function') return undefined;
  return agent as DrachtioAgentInternals;
}

/**
 * Resolves once drachtio-server has answered a ping sent after this
 * application's routes; rejects after `timeoutMs`. Resolves at once with
 * `false` when drachtio-srf's internals are not the ones this relies on (the
 * caller logs it: calls in the first moments may then be refused).
 */
export function routesInPlace(srf: Srf, timeoutMs: number): Promise<boolean> {
  const agent = agentOf(srf);
  const connection = agent && [...agent.mapServer].find(([, state]) => state.authenticated && state.pendingRequests instanceof Map);
  if (!agent || !connection) return Promise.resolve(false);
  const [socket, state] = connection;
  return new Promise((resolve, reject) => {
    let id = '';
    const timer = setTimeout(() => {
      state.pendingRequests.delete(id);
      reject(new Error(`drachtio-server did not answer a ping within ${timeoutMs} ms after the routes`));
    }, timeoutMs);
    id = agent.wp.send(socket, 'ping');
    state.pendingRequests.set(id, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
