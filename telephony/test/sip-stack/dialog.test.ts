// Dialogs: a full call between two stacks (INVITE/200/ACK, INFO, re-INVITE,
// BYE), 2xx retransmission until the ACK (and BYE when it never comes), route
// sets and CSeq handling.

import t from 'tap';
import type { SipMessage, SipRequest, SipResponse } from '../../src/embedded/sip/message.js';
import { Dialog } from '../../src/embedded/sip/dialog.js';
import type { SipStack } from '../../src/embedded/sip/stack.js';
import { RawUdpPeer, drainAndStop, header, parse, requestText, startStack, uniq, waitFor } from './helpers.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

function inviteFor(uac: SipStack, uas: SipStack, callId: string): SipRequest {
  return {
    kind: 'request', method: 'INVITE', uri: `sip:agent@127.0.0.1:${uas.ports.udp}`,
    headers: [
      { name: 'From', value: '<sip:caller@127.0.0.1>;tag=caller1' },
      { name: 'To', value: '<sip:agent@127.0.0.1>' },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: uac.contact() },
      { name: 'Content-Type', value: 'application/sdp' },
    ],
    body: Buffer.from(SDP),
  };
}

t.test('a call between two stacks: INVITE, 200, ACK, INFO, re-INVITE, BYE', async (t) => {
  const uas = await startStack(t);
  const uac = await startStack(t);
  const uasLog: string[] = [];
  let uasAcks = 0;
  uas.onRequest((req, tx) => {
    const inDialog = uas.findDialog(req) !== undefined;
    uasLog.push(`${req.method}${inDialog ? ' (in dialog)' : ''} ${header(req, 'CSeq') ?? ''}`);
    if (req.method === 'INVITE') {
      const dialog = uas.acceptInvite(tx, { body: { contentType: 'application/sdp', body: SDP } });
      // A re-INVITE is answered in the same dialog: listen once.
      if (!inDialog) dialog.on('ack', () => uasAcks++);
    } else tx.respond(200);
  });
  const callId = uniq('call');
  const tx = uac.sendRequest(inviteFor(uac, uas, callId), { transport: 'udp', address: '127.0.0.1', port: uas.ports.udp ?? 0 });
  const provisional: number[] = [];
  tx.on('provisional', (r) => provisional.push(r.status));
  const ok = await tx.response;
  t.equal(ok.status, 200);
  t.equal(ok.body.toString(), SDP, 'the answer carries the SDP');
  t.match(header(ok, 'Contact') ?? '', /^<sip:127\.0\.0\.1:\d+>$/, 'our Contact in the 2xx');
  const dialog = uac.createUacDialog(tx, ok);
  await waitFor(() => uasAcks === 1, 5000, 'the ACK to reach the UAS dialog');
  t.equal(uas.stats().dialogs, 1);

  const info = await uac.sendInDialog(dialog, 'INFO', { body: 'Signal=5\r\n', contentType: 'application/dtmf-relay' }).response;
  t.equal(info.status, 200, 'INFO inside the dialog');
  const reinvite = uac.sendInDialog(dialog, 'INVITE', { body: SDP });
  const reOk = await reinvite.response;
  t.equal(reOk.status, 200, 're-INVITE answered');
  uac.sendAck(dialog);
  await waitFor(() => uasAcks === 2, 5000, 'the ACK of the re-INVITE');

  const bye = await uac.sendInDialog(dialog, 'BYE').response;
  t.equal(bye.status, 200);
  t.same(uasLog, ['INVITE 1 INVITE', 'INFO (in dialog) 2 INFO', 'INVITE (in dialog) 3 INVITE', 'BYE (in dialog) 4 BYE'], 'CSeq grows inside the dialog');
  t.same([uac.stats().dialogs, uas.stats().dialogs], [0, 0], 'both dialogs ended with the BYE');
  await drainAndStop(t, uac);
  await drainAndStop(t, uas);
});

t.test('UAS 2xx: retransmitted until the ACK, then stopped', async (t) => {
  const uas = await startStack(t);
  let acked = false;
  uas.onRequest((req, tx) => {
    if (req.method !== 'INVITE') return void tx.respond(200);
    uas.acceptInvite(tx, { body: { contentType: 'application/sdp', body: SDP } }).on('ack', () => (acked = true));
  });
  const peer = await RawUdpPeer.open(t);
  const callId = uniq('2xx-retrans');
  peer.send(requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-r2xx;rport', callId, body: SDP, extra: [`Contact: <sip:peer@127.0.0.1:${peer.port}>`] }), uas.ports.udp ?? 0);
  const oks = await peer.waitFor((m) => m.kind === 'response' && m.status === 200, 3);
  const toTag = /tag=([^;>]+)/.exec(header(oks[0]!, 'To') ?? '')?.[1];
  t.ok(toTag);
  // The ACK for a 2xx is a new transaction: a new branch.
  peer.send(requestText({ method: 'ACK', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-r2xx-ack;rport', callId, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), uas.ports.udp ?? 0);
  await waitFor(() => acked, 5000, 'the ACK');
  const count = peer.responses((r) => r.status === 200).length;
  await waitFor(() => uas.stats().timers === 0 || uas.stats().transactions > 0, 3000).catch(() => undefined);
  await waitFor(() => uas.stats().transactions === 0, 10_000, 'the INVITE transaction to end');
  t.ok(peer.responses((r) => r.status === 200).length <= count + 1, 'no more 2xx once acknowledged');
  t.equal(uas.stats().dialogs, 1, 'the dialog stays up until BYE');
  peer.send(requestText({ method: 'BYE', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-r2xx-bye;rport', callId, cseq: 2, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), uas.ports.udp ?? 0);
  await peer.waitFor((m) => m.kind === 'response' && (header(m, 'CSeq') ?? '').endsWith('BYE'));
  t.equal(uas.stats().dialogs, 0, 'BYE ended the dialog');
  await peer.close();
  await drainAndStop(t, uas);
});

t.test('UAS 2xx: without an ACK within 64*T1 the stack sends BYE', async (t) => {
  const uas = await startStack(t);
  let timedOut = false;
  uas.onRequest((_req, tx) => {
    uas.acceptInvite(tx, { body: { contentType: 'application/sdp', body: SDP } }).on('ack-timeout', () => (timedOut = true));
  });
  const peer = await RawUdpPeer.open(t);
  const callId = uniq('no-ack');
  peer.socket.on('message', (data) => {
    const message: SipMessage = parse(data);
    if (message.kind !== 'request' || message.method !== 'BYE') return;
    const lines = data.toString().split('\r\n');
    const pick = (name: string): string => lines.find((l) => l.startsWith(`${name}:`)) ?? '';
    peer.send(['SIP/2.0 200 OK', pick('Via'), pick('From'), pick('To'), pick('Call-ID'), pick('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'), uas.ports.udp ?? 0);
  });
  peer.send(requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-noack2xx;rport', callId, body: SDP, extra: [`Contact: <sip:peer@127.0.0.1:${peer.port}>`] }), uas.ports.udp ?? 0);
  const [bye] = await peer.waitFor((m) => m.kind === 'request' && m.method === 'BYE');
  t.ok(timedOut, "'ack-timeout' emitted");
  t.ok(peer.responses((r) => r.status === 200).length >= 4, '2xx retransmitted meanwhile (T1 doubling up to T2)');
  t.equal(bye?.kind === 'request' && bye.uri, `sip:peer@127.0.0.1:${peer.port}`, 'BYE goes to the remote target (Contact)');
  t.match(header(bye!, 'From') ?? '', /tag=/, 'BYE from our tag');
  await peer.close();
  await drainAndStop(t, uas);
});

t.test('Dialog: route set, Request-URI, CSeq and matching (unit)', async (t) => {
  const invite = parse(requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1', callId: 'd1', cseq: 10 })) as SipRequest;
  const response = parse([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1',
    'Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com:5070;lr;transport=tcp>',
    'From: <sip:tester@127.0.0.1>;tag=ftag1',
    'To: <sip:service@127.0.0.1>;tag=remote9',
    'Call-ID: d1',
    'CSeq: 10 INVITE',
    'Contact: <sip:callee@192.0.2.7:5080>',
    'Content-Length: 0', '', '',
  ].join('\r\n')) as SipResponse;
  const dialog = Dialog.asUac(invite, response, '<sip:me@127.0.0.1:5060>');
  t.same(dialog.routeSet, ['<sip:p1.example.com:5070;lr;transport=tcp>', '<sip:p2.example.com;lr>'], 'UAC reverses Record-Route');
  const bye = dialog.createRequest('BYE');
  t.equal(bye.uri, 'sip:callee@192.0.2.7:5080', 'loose routing: Request-URI is the remote target');
  t.same(bye.headers.filter((h) => h.name === 'Route').map((h) => h.value), ['<sip:p1.example.com:5070;lr;transport=tcp>', '<sip:p2.example.com;lr>']);
  t.equal(header(bye, 'CSeq'), '11 BYE');
  t.equal(header(bye, 'To'), '<sip:service@127.0.0.1>;tag=remote9');
  t.same(dialog.nextHop(), { transport: 'tcp', address: 'p1.example.com', port: 5070 }, 'next hop is the first route');
  t.equal(header(dialog.createAck(), 'CSeq'), '10 ACK', 'ACK reuses the INVITE CSeq');
  t.equal(header(dialog.createRequest('INFO'), 'CSeq'), '12 INFO');
  t.equal(dialog.key, 'd1|ftag1|remote9');

  // Strict routing: a first route without ;lr becomes the Request-URI.
  const strict = Dialog.asUac(invite, { ...response, headers: response.headers.map((h) => (h.name === 'Record-Route' ? { name: h.name, value: '<sip:strict.example.com>' } : h)) }, '<sip:me@127.0.0.1>');
  const strictBye = strict.createRequest('BYE');
  t.equal(strictBye.uri, 'sip:strict.example.com');
  t.same(strictBye.headers.filter((h) => h.name === 'Route').map((h) => h.value), ['<sip:callee@192.0.2.7:5080>']);

  // An incoming request with a lower CSeq is refused; a target refresh updates the remote target.
  const uas = Dialog.asUas(invite, { ...response, headers: response.headers.map((h) => (h.name === 'To' ? { name: 'To', value: '<sip:service@127.0.0.1>;tag=local1' } : h)) }, '<sip:me@127.0.0.1>');
  const old = parse(requestText({ method: 'INFO', via: 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-2', callId: 'd1', cseq: 9 })) as SipRequest;
  t.notOk(uas.acceptRemoteRequest(old), 'CSeq lower than the last one is refused');
  const refresh = parse(requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-3', callId: 'd1', cseq: 11, extra: ['Contact: <sip:moved@192.0.2.8>'] })) as SipRequest;
  t.ok(uas.acceptRemoteRequest(refresh));
  t.equal(uas.remoteTarget, 'sip:moved@192.0.2.8', 're-INVITE refreshes the remote target');
});
