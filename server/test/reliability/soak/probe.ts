// What the soak measures of the server process: from its /metrics (calls,
// bridges, the engine's dialogs, transactions, SIP timers and media ports,
// the event loop's timers, agents by state, the heap after a forced full
// collection) and from /proc (its open file descriptors, and the UDP ports it
// has bound inside its RTP range: sockets of /proc/net/udp whose inode is one
// of the process's fds).

import { readdir, readFile, readlink } from 'node:fs/promises';
import { parseExposition } from '../../metrics/exposition.js';
import type { TenorServer } from './tenor-server.js';

export interface Measure {
  at: number;
  calls: number;
  bridges: number;
  /** tenor_telephony_resources: dialogs, transactions, timers, mediaPorts ... */
  engine: Record<string, number>;
  /** nodejs_active_resources: Timeout, UDPWRAP ... */
  loop: Record<string, number>;
  agents: Record<string, number>;
  heapAfterGcBytes: number;
  fds: number;
  rtpPortsBound: number;
}

function labelled(samples: Map<string, number>, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`^${name}\\{${label}="([^"]*)"\\}$`);
  for (const [key, value] of samples) {
    const m = re.exec(key);
    if (m?.[1] !== undefined) out[m[1]] = value;
  }
  return out;
}

/** UDP ports in [from, to] bound by a socket the process `pid` holds. */
export async function boundUdpPorts(pid: number, range: { from: number; to: number }): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1] !== undefined) inodes.add(m[1]);
  }
  const ports: number[] = [];
  for (const table of ['udp', 'udp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const port = parseInt(cols[1]?.split(':')[1] ?? '', 16);
      if (cols[9] !== undefined && inodes.has(cols[9]) && port >= range.from && port <= range.to) ports.push(port);
    }
  }
  return ports.sort((a, b) => a - b);
}

export async function measure(server: TenorServer): Promise<Measure> {
  const res = await server.api('GET', '/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${res.body.slice(0, 200)}`);
  const { samples, value } = parseExposition(res.body);
  const heap = value('nodejs_heap_used_after_gc_bytes');
  if (heap === undefined) throw new Error('nodejs_heap_used_after_gc_bytes is missing: the server must run with --expose-gc');
  return {
    at: Date.now(),
    calls: value('tenor_calls_in_progress') ?? NaN,
    bridges: value('tenor_bridges_in_progress') ?? NaN,
    engine: labelled(samples, 'tenor_telephony_resources', 'resource'),
    loop: labelled(samples, 'nodejs_active_resources', 'type'),
    agents: labelled(samples, 'tenor_agents', 'state'),
    heapAfterGcBytes: heap,
    fds: (await readdir(`/proc/${server.pid}/fd`)).length,
    rtpPortsBound: (await boundUdpPorts(server.pid, server.rtp)).length,
  };
}

/** The figures that must come back to the baseline, by name, for a comparison. */
export function leakFigures(m: Measure): Record<string, number> {
  return {
    calls: m.calls,
    bridges: m.bridges,
    dialogs: m.engine['dialogs'] ?? 0,
    transactions: m.engine['transactions'] ?? 0,
    'SIP timers': m.engine['timers'] ?? 0,
    'media ports': m.engine['mediaPorts'] ?? 0,
    'pending originates': m.engine['pendingOriginates'] ?? 0,
    'event-loop timers': m.loop['Timeout'] ?? 0,
    'event-loop handles': Object.values(m.loop).reduce((a, b) => a + b, 0),
    'open fds': m.fds,
    'RTP ports bound': m.rtpPortsBound,
  };
}
