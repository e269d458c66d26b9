// Sends the seeded hostile SIP stream (sip-messages-fuzzed.ts) to a server's
// SIP port over UDP (and over TCP connections it keeps reopening, when asked)
// as fast as a bounded rate allows. Every `probeEvery`-th message is a probe:
// a request with one defect the server can answer (Via to our socket, rport),
// retransmitted like a SIP client would until answered; the report says how
// each probe was answered, so a test can check malformed requests still get
// their 400 while everything else is going on. The probes also pace the
// flood: while one has waited longer than `maxProbeLagMs` for its answer, no
// new message is sent (a server starved of CPU by its neighbours is not
// buried under a backlog its socket would drop, real calls included).

import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { FuzzedMessages, type FuzzKind, type LiveDialog } from './sip-messages-fuzzed.js';

export interface SipFuzzOptions {
  /** The server's SIP address. */
  host: string;
  port: number;
  /** Address the fuzzer sends from (another 127.x address than the real callers). */
  localAddress: string;
  seed: number;
  messages: number;
  /** Upper bound on messages per second. */
  ratePerSecond: number;
  /** Share of messages sent over TCP (0 for UDP only). */
  tcpShare: number;
  corpus: Buffer[];
  liveDialog: () => LiveDialog | undefined;
  /** One probe every this many messages. */
  probeEvery: number;
  /** Pause while the oldest unanswered probe is older than this. */
  maxProbeLagMs: number;
  /** Called about once a second. */
  onProgress?: (sent: number) => void;
}

export interface ProbeOutcome {
  sent: number;
  /** Status of the first answer, by status code. */
  answered: Record<number, number>;
  unanswered: number;
  /** Probes that needed a retransmission before their answer. */
  retransmitted: number;
}

export interface SipFuzzReport {
  sent: number;
  byKind: Partial<Record<FuzzKind, number>>;
  udp: number;
  tcp: number;
  /** UDP datagrams the kernel refused (e.g. over 64 KiB): not sent, counted here. */
  udpRefused: number;
  tcpConnections: number;
  /** Connections the server closed (it does so on a message it cannot frame). */
  tcpClosedByServer: number;
  responses: number;
  probes: ProbeOutcome;
  seconds: number;
  /** Time spent waiting for a late probe's answer before sending more. */
  pausedSeconds: number;
}

interface Probe {
  bytes: Buffer;
  firstSentAt: number;
  lastSentAt: number;
  tries: number;
  status?: number;
}

const PROBE_RETRY_MS = 500;
const PROBE_TRIES = 7;

export async function runSipFuzz(o: SipFuzzOptions): Promise<SipFuzzReport> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, o.localAddress, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const local = `${o.localAddress}:${udp.address().port}`;
  const gen = new FuzzedMessages(o.seed, { target: `${o.host}:${o.port}`, local, corpus: o.corpus, liveDialog: o.liveDialog });
  const report: SipFuzzReport = {
    sent: 0, byKind: {}, udp: 0, tcp: 0, udpRefused: 0, tcpConnections: 0, tcpClosedByServer: 0, responses: 0,
    probes: { sent: 0, answered: {}, unanswered: 0, retransmitted: 0 }, seconds: 0, pausedSeconds: 0,
  };
  const probes = new Map<string, Probe>();
  udp.on('message', (data) => {
    report.responses++;
    const text = data.toString('latin1', 0, Math.min(data.length, 4096));
    const status = /^SIP\/2\.0 (\d{3})/.exec(text)?.[1];
    const callId = /\r\n(?:Call-ID|i)\s*:\s*(probe-\d+)\r\n/i.exec(text)?.[1];
    if (status === undefined || callId === undefined) return;
    const probe = probes.get(callId);
    if (probe && probe.status === undefined) probe.status = Number(status);
  });
  udp.on('error', (err) => {
    report.udpRefused++;
    if (report.udpRefused === 1) console.error(`sip-fuzz: udp socket error: ${err.message}`);
  });
  const sendUdp = (bytes: Buffer): void => {
    udp.send(bytes, o.port, o.host, (err) => {
      if (err) report.udpRefused++;
    });
  };

  let tcp: TcpSocket | undefined;
  const tcpSocket = (): TcpSocket => {
    if (tcp && !tcp.destroyed && tcp.writable) return tcp;
    report.tcpConnections++;
    const socket = connect({ host: o.host, port: o.port, localAddress: o.localAddress });
    socket.on('data', () => report.responses++);
    socket.on('error', () => socket.destroy());
    socket.on('end', () => report.tcpClosedByServer++);
    tcp = socket;
    return socket;
  };

  const started = Date.now();
  let lastProgress = started;
  const retransmitProbes = (now: number): void => {
    for (const probe of probes.values()) {
      if (probe.status !== undefined || probe.tries >= PROBE_TRIES || now - probe.lastSentAt < PROBE_RETRY_MS * probe.tries) continue;
      probe.tries++;
      probe.lastSentAt = now;
      sendUdp(probe.bytes);
    }
  };
  let pausedMs = 0;
  let lastTurn = started;
  const lagging = (now: number): boolean => {
    for (const probe of probes.values()) if (probe.status === undefined && probe.tries < PROBE_TRIES && now - probe.firstSentAt > o.maxProbeLagMs) return true;
    return false;
  };
  while (report.sent < o.messages) {
    const now = Date.now();
    // The rate's clock stops while paused, so no burst follows a pause.
    if (lagging(now)) pausedMs += now - lastTurn;
    lastTurn = now;
    const due = lagging(now) ? 0 : Math.min(o.messages, Math.floor(((now - started - pausedMs) / 1000) * o.ratePerSecond)) - report.sent;
    // At most a few hundred per turn, so responses and the timers get their share of the loop.
    for (let i = 0; i < Math.min(due, 300); i++) {
      report.sent++;
      if (report.sent % o.probeEvery === 0) {
        const callId = `probe-${report.sent}`;
        const bytes = gen.probe(callId);
        probes.set(callId, { bytes, firstSentAt: now, lastSentAt: now, tries: 1 });
        report.probes.sent++;
        report.udp++;
        sendUdp(bytes);
        continue;
      }
      const m = gen.next();
      report.byKind[m.kind] = (report.byKind[m.kind] ?? 0) + 1;
      if (o.tcpShare > 0 && (report.sent % 1000) < o.tcpShare * 1000) {
        report.tcp++;
        tcpSocket().write(m.bytes);
      } else {
        report.udp++;
        sendUdp(m.bytes);
      }
    }
    retransmitProbes(now);
    if (now - lastProgress >= 1000) {
      lastProgress = now;
      o.onProgress?.(report.sent);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  // The last probes' answers (and retransmissions).
  const deadline = Date.now() + PROBE_RETRY_MS * (PROBE_TRIES + 1) * PROBE_TRIES / 2;
  while (Date.now() < deadline && [...probes.values()].some((p) => p.status === undefined && p.tries < PROBE_TRIES)) {
    retransmitProbes(Date.now());
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  report.seconds = (Date.now() - started) / 1000;
  report.pausedSeconds = pausedMs / 1000;
  for (const probe of probes.values()) {
    if (probe.status === undefined) report.probes.unanswered++;
    else {
      report.probes.answered[probe.status] = (report.probes.answered[probe.status] ?? 0) + 1;
      if (probe.tries > 1) report.probes.retransmitted++;
    }
  }
  tcp?.destroy();
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  return report;
}

/** One line per figure, for a test's diagnostics or the bench's output. */
export function describeFuzz(r: SipFuzzReport): string {
  const kinds = Object.entries(r.byKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
  const answered = Object.entries(r.probes.answered).map(([s, n]) => `${s}×${n}`).join(' ');
  return [
    `${r.sent} messages in ${r.seconds.toFixed(1)} s (${Math.round(r.sent / r.seconds)}/s, paused ${r.pausedSeconds.toFixed(1)} s for late answers): udp ${r.udp}, tcp ${r.tcp} over ${r.tcpConnections} connections (${r.tcpClosedByServer} closed by the server), ${r.udpRefused} datagrams refused locally`,
    `kinds: ${kinds}`,
    `responses received: ${r.responses}; probes ${r.probes.sent}: ${answered || 'none answered'}, unanswered ${r.probes.unanswered}, answered after a retransmission ${r.probes.retransmitted}`,
  ].join('\n');
}
