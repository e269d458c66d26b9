// A burst of SIP datagrams that arrives while the event loop is busy (a GC, a
// long task) waits in the kernel's receive buffer of the SIP socket. With the
// kernel's default (~200 KB) a burst at high call rates overflowed it and the
// kernel dropped INVITEs, ACKs and 200s: retransmissions and failed calls
// (issue 19, docs/performance.md). The transport asks for 4 MiB.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import { UDP_RECEIVE_BUFFER_BYTES } from '../../src/embedded/sip/transport/udp.js';
import { drainAndStop, requestText, startStack, waitFor } from './helpers.js';

const BURST = 1500;

/** Sends the datagrams from another thread, then raises the flag the blocked main thread waits on. */
const SENDER = `
const { workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const socket = dgram.createSocket('udp4');
const flag = new Int32Array(workerData.flag);
socket.bind(0, '127.0.0.1', () => {
  let left = workerData.texts.length;
  for (const text of workerData.texts) {
    socket.send(Buffer.from(text), workerData.port, '127.0.0.1', () => {
      if (--left > 0) return;
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      // Kept open a moment so the answers find the port.
      setTimeout(() => socket.close(), 3000);
    });
  }
});
`;

const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());

t.test(`${BURST} requests that arrive while the event loop is blocked are all answered`, {
  skip: rmemMax < UDP_RECEIVE_BUFFER_BYTES ? `net.core.rmem_max is ${rmemMax}: the kernel caps the receive buffer below ${UDP_RECEIVE_BUFFER_BYTES}` : false,
}, async (t) => {
  const stack = await startStack(t, { rateLimit: false });
  let answered = 0;
  stack.onRequest((_req, tx) => {
    answered++;
    tx.respond(200);
  });
  const texts = Array.from({ length: BURST }, (_, i) => requestText({
    method: 'OPTIONS', via: `SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-burst-${i};rport`, callId: `burst-${i}`,
  }));
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(SENDER, { eval: true, workerData: { port: stack.ports.udp, texts, flag } });
  t.teardown(() => worker.terminate());
  // Block this thread (the event loop reads nothing) until every datagram is in the kernel's queue.
  const waited = Atomics.wait(new Int32Array(flag), 0, 0, 20_000);
  t.not(waited, 'timed-out', 'the burst was sent while the loop stood still');
  await waitFor(() => answered === BURST, 20_000, `${BURST} requests (got ${answered})`).catch(() => undefined);
  t.equal(answered, BURST, 'no request of the burst was dropped by the kernel');
  await drainAndStop(t, stack);
});
