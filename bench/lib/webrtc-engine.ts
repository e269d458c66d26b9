// The engine side of bench/webrtc-legs.ts, in its own process so that its CPU
// is counted alone (/proc/<pid>/stat): an EmbeddedDriver whose SIP WebSockets
// are carried over the IPC channel (one per caller id), answering the echo
// number. Messages: {id, text} both ways; {stats: true} → {stats: {...}}.
import pino from 'pino';
import { EmbeddedDriver } from '../../telephony/src/embedded/engine/driver.js';
import { InMemoryCredentialStore } from '../../telephony/src/embedded/registrar/credentials.js';
import type { SipWebSocketSink } from '../../telephony/src/driver.js';

type Inbound = { id: string; text: string } | { stats: true } | { stop: true };

const driver = new EmbeddedDriver({
  sipPort: 0, rtpPorts: { min: 42000, max: 43999 }, domain: 'bench.test', credentials: new InMemoryCredentialStore({}),
  logger: pino({ level: process.env.TENOR_BENCH_LOG ?? 'silent' }), rateLimit: { exempt: ['127.0.0.1'] },
  callLimits: { maxUnansweredPerSource: 10_000, maxCallsPerSource: 10_000, maxCalls: 10_000 }, mediaTimeoutMs: 0,
});
await driver.start();
const sinks = new Map<string, SipWebSocketSink>();
process.on('message', (raw: Inbound) => {
  if ('stats' in raw) {
    process.send?.({ stats: driver.stats().traffic?.rtp });
    return;
  }
  if ('stop' in raw) {
    void driver.stop().then(() => process.exit(0));
    return;
  }
  let sink = sinks.get(raw.id);
  if (!sink) {
    sink = driver.attachSipWebSocket({
      user: raw.id, remote: { address: '127.0.0.1', port: 10_000 + sinks.size }, secure: false,
      send: (text) => process.send?.({ id: raw.id, text }),
      close: () => undefined,
    });
    sinks.set(raw.id, sink);
  }
  sink.receive(Buffer.from(raw.text));
});
process.send?.({ ready: true });
