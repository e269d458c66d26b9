// The ng client against the real rtpengine daemon (started once for this file),
// and against UDP sockets that stay silent or answer garbage.
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import t from 'tap';
import { connectRtpengine, RtpengineError, RtpengineTimeoutError } from '../../src/rtpengine/ng-client.js';
import { startRtpengine } from '../../src/rtpengine/process.js';
import { rtpengineOrSkip } from './daemon.js';

t.setTimeout(120_000);
const logger = pino({ level: 'silent' });

function offerSdp(port: number): string {
  return [
    'v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', '',
  ].join('\r\n');
}

/** A UDP socket on 127.0.0.1 that hands each datagram to `onMessage`. */
async function udpPeer(onMessage: (msg: Buffer, socket: Socket, from: { port: number; address: string }) => void): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => onMessage(msg, socket, rinfo));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}

t.test('a silent ng socket: the request times out with a message naming the address, after retransmitting', async (t) => {
  let received = 0;
  const silent = await udpPeer(() => { received++; });
  t.teardown(() => silent.close());
  const port = silent.address().port;
  const err = await connectRtpengine({ address: '127.0.0.1', port, timeoutMs: 700, retransmitMs: 100, logger }).catch((e: unknown) => e);
  t.ok(err instanceof RtpengineTimeoutError, 'a timeout error');
  t.match((err as Error).message, `rtpengine at 127.0.0.1:${port} did not answer ping within 700 ms`);
  t.ok(received >= 2, `the ping was sent again (${received} datagrams)`);
});

t.test('a reply that is not bencode, or not a dictionary, fails the request; one without a known cookie is ignored', async (t) => {
  const replies = ['not bencode', 'i42e', 'd6:result5:error12:error-reason5:nope!e'];
  let answer = '';
  const fake = await udpPeer((msg, socket, from) => {
    const cookie = msg.toString('latin1', 0, msg.indexOf(0x20));
    socket.send(`unknown-cookie d6:result4:ponge`, from.port, from.address);
    if (msg.includes('4:ping')) socket.send(`${cookie} d6:result4:ponge`, from.port, from.address);
    else socket.send(`${cookie} ${answer}`, from.port, from.address);
  });
  t.teardown(() => fake.close());
  const client = await connectRtpengine({ address: '127.0.0.1', port: fake.address().port, timeoutMs: 1000, logger });
  t.teardown(() => client.close());
  for (const reply of replies) {
    answer = reply;
    const err = await client.request('query', { 'call-id': 'x' }).catch((e: unknown) => e);
    t.ok(err instanceof RtpengineError, `"${reply}" is an RtpengineError`);
  }
  answer = 'd6:result5:error12:error-reason5:nope!e';
  const err = await client.request('query', { 'call-id': 'x' }).catch((e: unknown) => e);
  t.equal((err as RtpengineError).reason, 'nope!', 'error-reason is the reason');
});

const daemon = await rtpengineOrSkip(t);
if (daemon) {
  const rtpengine = await startRtpengine({ logger });
  t.teardown(() => rtpengine.close());

  t.test('ping answers pong; offer, answer, query and delete work on the real daemon', async (t) => {
    const client = await connectRtpengine({ address: rtpengine.ngAddress, port: rtpengine.ngPort, logger });
    t.teardown(() => client.close());
    await client.ping();
    const offer = await client.request('offer', { 'call-id': 'ng-1', 'from-tag': 'a', sdp: offerSdp(4000) });
    t.equal(offer['result'], 'ok');
    t.match(String(offer['sdp']), /m=audio \d+ RTP\/AVP 0/, 'the offer comes back with rtpengine\'s port');
    t.notMatch(String(offer['sdp']), /m=audio 4000 /, 'not the caller\'s');
    const answer = await client.request('answer', { 'call-id': 'ng-1', 'from-tag': 'a', 'to-tag': 'b', sdp: offerSdp(4002) });
    t.equal(answer['result'], 'ok');
    const query = await client.request('query', { 'call-id': 'ng-1' });
    t.equal(query['result'], 'ok');
    await client.request('delete', { 'call-id': 'ng-1' });
    const gone = await client.request('query', { 'call-id': 'ng-1' }).catch((e: unknown) => e);
    t.ok(gone instanceof RtpengineError, 'the call is gone after delete');
  });

  t.test('an error reply rejects with rtpengine\'s error-reason', async (t) => {
    const client = await connectRtpengine({ address: rtpengine.ngAddress, port: rtpengine.ngPort, logger });
    t.teardown(() => client.close());
    const err = await client.request('answer', { 'call-id': 'never-offered', 'from-tag': 'a', 'to-tag': 'b', sdp: offerSdp(4000) })
      .catch((e: unknown) => e);
    t.ok(err instanceof RtpengineError);
    t.match((err as RtpengineError).reason, /unknown call-id/i);
    t.match((err as Error).message, /^rtpengine answer failed: /);
  });

  t.test('close fails waiting requests and is idempotent', async (t) => {
    const client = await connectRtpengine({ address: rtpengine.ngAddress, port: rtpengine.ngPort, logger });
    await client.close();
    await client.close();
    await t.rejects(client.ping(), /closed/);
  });
}
