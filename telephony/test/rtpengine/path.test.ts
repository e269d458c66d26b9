// rtpenginePath against the real daemon: a route between two real UDP sockets
// carries RTP both ways through rtpengine's ports, close frees it, a half-made
// route is deleted, and a leg's address never reaches rtpengine unchecked.
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import t from 'tap';
import type { MediaEndpoint, PathLeg } from '../../src/embedded/engine/media-path.js';
import { connectRtpengine, RtpengineError, type RtpengineClient } from '../../src/rtpengine/ng-client.js';
import { legSdp, rtpenginePath } from '../../src/rtpengine/path.js';
import { startRtpengine } from '../../src/rtpengine/process.js';
import { rtpengineOrSkip } from './daemon.js';

t.setTimeout(120_000);
const logger = pino({ level: 'silent' });

interface Phone {
  readonly socket: Socket;
  readonly at: MediaEndpoint;
  /** Payloads received so far (the RTP sequence numbers). */
  readonly received: number[];
}

async function phone(): Promise<Phone> {
  const socket = createSocket('udp4');
  const received: number[] = [];
  socket.on('message', (msg) => { if (msg.length >= 12) received.push(msg.readUInt16BE(2)); });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, at: { address: '127.0.0.1', port: socket.address().port }, received };
}

/** A PCMU RTP packet with 20 ms of silence. */
function rtp(seq: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(12 + 160, 0xff);
  packet.writeUInt8(0x80, 0);
  packet.writeUInt8(0, 1);
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(seq * 160, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

function leg(callId: string, at: MediaEndpoint): PathLeg {
  return { callId, receivesAt: at, codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 };
}

/** Sends a packet every 20 ms until `arrived` holds, for at most `boundMs`. */
async function sendUntil(from: Phone, to: MediaEndpoint, arrived: () => boolean, firstSeq: number, boundMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  let seq = firstSeq;
  while (Date.now() < deadline) {
    from.socket.send(rtp(seq++, firstSeq), to.port, to.address);
    await new Promise((r) => setTimeout(r, 20));
    if (arrived()) return true;
  }
  return arrived();
}

t.test('a leg whose address or payload type is not what it should be is refused before anything is sent', async (t) => {
  const bad: PathLeg = { callId: 'c1', receivesAt: { address: '127.0.0.1\r\na=evil', port: 4000 }, codec: 'PCMU', payloadType: 0 };
  t.throws(() => legSdp(bad, 1), /not an IP address/);
  t.throws(() => legSdp({ ...bad, receivesAt: { address: '127.0.0.1', port: 70_000 } }, 1), /port 70000/);
  t.throws(() => legSdp({ ...bad, receivesAt: { address: '127.0.0.1', port: 4000 }, payloadType: 300 }, 1), /payload type/);
  t.match(legSdp(leg('c2', { address: '127.0.0.1', port: 4000 }), 1), /m=audio 4000 RTP\/AVP 0 101\r\n/);
});

if (await rtpengineOrSkip(t)) {
  const rtpengine = await startRtpengine({ logger });
  t.teardown(() => rtpengine.close());
  const client = await connectRtpengine({ address: rtpengine.ngAddress, port: rtpengine.ngPort, logger });
  t.teardown(() => client.close());

  t.test('packets flow both ways through rtpengine\'s ports; after close they no longer do', async (t) => {
    const [a, b] = [await phone(), await phone()];
    t.teardown(() => { a.socket.close(); b.socket.close(); });
    const path = rtpenginePath(client, { logger });
    t.equal(path.name, 'rtpengine');
    const route = await path.open('bridge-1', leg('call-a', a.at), leg('call-b', b.at));
    t.equal(route.aSendsTo.address, '127.0.0.1');
    t.ok(route.aSendsTo.port >= rtpengine.portMin && route.aSendsTo.port <= rtpengine.portMax, 'a sends to a port of rtpengine\'s range');
    t.ok(route.bSendsTo.port >= rtpengine.portMin && route.bSendsTo.port <= rtpengine.portMax, 'b sends to a port of rtpengine\'s range');
    t.not(route.aSendsTo.port, route.bSendsTo.port);

    t.ok(await sendUntil(a, route.aSendsTo, () => b.received.length >= 3, 1000), 'a → rtpengine → b');
    t.ok(await sendUntil(b, route.bSendsTo, () => a.received.length >= 3, 2000), 'b → rtpengine → a');
    t.ok(b.received.every((seq) => seq >= 1000 && seq < 2000), 'b got only a\'s packets');

    await path.close('bridge-1');
    await path.close('bridge-1'); // idempotent
    const gone = await client.request('query', { 'call-id': 'bridge-1' }).catch((e: unknown) => e);
    t.ok(gone instanceof RtpengineError, 'rtpengine no longer knows the bridge');
    const before = b.received.length;
    await sendUntil(a, route.aSendsTo, () => false, 3000, 400);
    t.equal(b.received.length, before, 'a packet sent after close is not forwarded');
  });

  t.test('an answer that fails leaves nothing behind on rtpengine, and the same bridge can be opened again', async (t) => {
    const [a, b] = [await phone(), await phone()];
    t.teardown(() => { a.socket.close(); b.socket.close(); });
    let failAnswer = true;
    const flaky: RtpengineClient = {
      target: client.target,
      ping: (timeoutMs) => client.ping(timeoutMs),
      close: () => client.close(),
      request: (command, params) => (command === 'answer' && failAnswer
        ? Promise.reject(new RtpengineError('answer', 'refused for the test'))
        : client.request(command, params)),
    };
    const path = rtpenginePath(flaky, { logger });
    await t.rejects(path.open('bridge-2', leg('call-a', a.at), leg('call-b', b.at)), /refused for the test/);
    const gone = await client.request('query', { 'call-id': 'bridge-2' }).catch((e: unknown) => e);
    t.ok(gone instanceof RtpengineError, 'the offered call was deleted');
    failAnswer = false;
    const route = await path.open('bridge-2', leg('call-a', a.at), leg('call-b', b.at));
    t.ok(route.aSendsTo.port > 0);
    await t.rejects(path.open('bridge-2', leg('call-a', a.at), leg('call-b', b.at)), /already has an rtpengine route/);
    await path.close('bridge-2');
  });

  t.test('close of a bridge rtpengine already dropped resolves', async (t) => {
    const [a, b] = [await phone(), await phone()];
    t.teardown(() => { a.socket.close(); b.socket.close(); });
    const path = rtpenginePath(client, { logger });
    await path.open('bridge-3', leg('call-a', a.at), leg('call-b', b.at));
    await client.request('delete', { 'call-id': 'bridge-3' });
    await path.close('bridge-3');
    t.pass('closed');
  });
}
