// Supervisors' screens: real `ws` clients on /api/events, each with a
// supervisor's API token, counting the snapshots, messages and events the
// server pushed them, and following the IVR flows (flow_started, flow_ended)
// to count the callers in the menu.

import WebSocket from 'ws';

export interface SupervisorCounts {
  snapshots: number;
  messages: number;
  events: number;
  /** Closed by the server (code) before the end, or undefined. */
  closedWith: number | undefined;
  /** Callers in the IVR flow at once at most (flow_started less flow_ended, by call id). */
  ivrPeak: number;
  /** How IVR flows ended (flow_ended's `how`): a caller who left the menu otherwise than by hanging up shows here. */
  ivrEnded: Record<string, number>;
}

export interface Supervisors {
  counts(): SupervisorCounts[];
  close(): Promise<void>;
}

interface Client { ws: WebSocket; counts: SupervisorCounts; closing: boolean; inFlow: Set<string> }

interface WireEvent { type?: string; payload?: { callId?: string; flow?: string; how?: string } }

function connect(base: string, secret: string): Promise<Client> {
  const counts: SupervisorCounts = { snapshots: 0, messages: 0, events: 0, closedWith: undefined, ivrPeak: 0, ivrEnded: {} };
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/events`, { headers: { authorization: `Bearer ${secret}` } });
  const client: Client = { ws, counts, closing: false, inFlow: new Set() };
  ws.on('message', (data: Buffer) => {
    counts.messages++;
    const msg = JSON.parse(data.toString('utf8')) as { type?: string; events?: WireEvent[] };
    if (msg.type === 'snapshot') counts.snapshots++;
    else if (msg.type === 'events') {
      counts.events += msg.events?.length ?? 0;
      for (const e of msg.events ?? []) followFlow(client, e);
    }
  });
  ws.on('close', (code) => { if (!client.closing) counts.closedWith = code; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a supervisor socket got no snapshot in 30 s')), 30_000);
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
    const check = (): void => {
      if (counts.snapshots > 0) {
        clearTimeout(timer);
        resolve(client);
      } else setTimeout(check, 20);
    };
    ws.once('open', check);
  });
}

function followFlow(client: Client, e: WireEvent): void {
  const id = e.payload?.callId;
  if (id === undefined) return;
  if (e.type === 'flow_started') {
    client.inFlow.add(id);
    client.counts.ivrPeak = Math.max(client.counts.ivrPeak, client.inFlow.size);
  } else if (e.type === 'flow_ended') {
    client.inFlow.delete(id);
    const how = e.payload?.how ?? 'unknown';
    client.counts.ivrEnded[how] = (client.counts.ivrEnded[how] ?? 0) + 1;
  }
}

export async function connectSupervisors(base: string, secrets: string[]): Promise<Supervisors> {
  const clients = await Promise.all(secrets.map((s) => connect(base, s)));
  return {
    counts: () => clients.map((c) => ({ ...c.counts, ivrEnded: { ...c.counts.ivrEnded } })),
    async close(): Promise<void> {
      await Promise.all(clients.map((client) => new Promise<void>((resolve) => {
        const { ws } = client;
        client.closing = true;
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const kill = setTimeout(() => { ws.terminate(); resolve(); }, 2000);
        ws.once('close', () => { clearTimeout(kill); resolve(); });
        ws.close(1000);
      })));
    },
  };
}
