import t from 'tap';
import { write, type MediaDescription } from 'sdp-transform';
import { answerDirection, createAnswer, createOffer, negotiate, parseRemoteAudio, pathOffer, type LocalAudio, type MediaDirection } from '../../src/embedded/engine/sdp.js';
import { offerCryptoLines, writeCryptoLine } from '../../src/embedded/engine/sdes.js';

const local = { address: '127.0.0.1', port: 40000, direction: 'sendrecv' as const, sessionId: 1, version: 1 };

t.test('our offer lists PCMU, PCMA and telephone-event and reads back', async (t) => {
  const remote = parseRemoteAudio(createOffer(local));
  t.same(remote?.codecs, [{ codec: 'PCMU', pt: 0 }, { codec: 'PCMA', pt: 8 }]);
  t.equal(remote?.telephoneEventPt, 101);
  t.equal(remote?.port, 40000);
  t.equal(remote?.holding, false);
});

t.test('answer picks the offerer\'s first common codec and keeps its event PT', async (t) => {
  const offer = [
    'v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0',
    'm=audio 5004 RTP/AVP 18 8 0 96', 'a=rtpmap:18 G729/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:96 telephone-event/8000', '',
  ].join('\r\n');
  const remote = parseRemoteAudio(offer);
  const chosen = remote && negotiate(remote);
  t.same(chosen, { codec: 'PCMA', pt: 8, telephoneEventPt: 96 });
  const answer = parseRemoteAudio(createAnswer(local, chosen ?? { codec: 'PCMU', pt: 0 }));
  t.same(answer?.codecs, [{ codec: 'PCMA', pt: 8 }]);
  t.equal(answer?.telephoneEventPt, 96);
});

t.test('no common codec means no answer (488)', async (t) => {
  const offer = 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n';
  const remote = parseRemoteAudio(offer);
  t.ok(remote);
  t.equal(remote && negotiate(remote), undefined);
});

t.test('hold is read from sendonly, inactive or 0.0.0.0', async (t) => {
  t.equal(parseRemoteAudio(createOffer({ ...local, direction: 'sendonly' }))?.holding, true);
  t.equal(parseRemoteAudio(createOffer({ ...local, direction: 'inactive' }))?.holding, true);
  t.equal(parseRemoteAudio(createOffer({ ...local, address: '0.0.0.0' }))?.holding, true);
  t.equal(answerDirection('sendonly', 'sendrecv'), 'recvonly');
  t.equal(answerDirection('sendrecv', 'sendonly'), 'sendonly');
  t.equal(answerDirection('inactive', 'sendrecv'), 'inactive');
});

t.test('a direct-media offer keeps the session, narrows to the leg\'s codec and names where to send', async (t) => {
  const own = createOffer({ ...local, version: 3 });
  const moved = pathOffer(own, { codec: 'PCMA', pt: 8, telephoneEventPt: 96 }, { address: '10.0.0.7', port: 6000 });
  const remote = parseRemoteAudio(moved);
  t.equal(remote?.address, '10.0.0.7', 'c= names the other device');
  t.equal(remote?.port, 6000, 'm= names its port');
  t.same(remote?.codecs, [{ codec: 'PCMA', pt: 8 }], 'only the codec the leg uses');
  t.equal(remote?.telephoneEventPt, 96, 'the other device\'s telephone-event payload type');
  t.match(moved, /^o=tenor 1 3 IN IP4 127\.0\.0\.1/m, 'same session id and version as our own offer');
  const back = parseRemoteAudio(pathOffer(own, { codec: 'PCMU', pt: 0 }));
  t.same([back?.address, back?.port], ['127.0.0.1', 40000], 'without an endpoint: our own port');
  t.same(back?.codecs, [{ codec: 'PCMU', pt: 0 }]);
  t.equal(back?.telephoneEventPt, undefined, 'no telephone-event when the leg has none to keep');
});

t.test('plain and SDES descriptions are written directly, the same text as sdp-transform\'s writer', async (t) => {
  // What describe() handed sdp-transform before it wrote these itself (issue 19: ~12 µs a description).
  const viaWriter = (l: LocalAudio, rtp: MediaDescription['rtp'], fmtp: MediaDescription['fmtp']): string => write({
    version: 0,
    origin: { username: 'tenor', sessionId: l.sessionId, sessionVersion: l.version, netType: 'IN', ipVer: 4, address: l.address },
    name: 'tenor', connection: { version: 4, ip: l.address }, timing: { start: 0, stop: 0 },
    media: [{
      type: 'audio', port: l.port, protocol: l.crypto ? 'RTP/SAVP' : 'RTP/AVP', payloads: rtp.map((r) => r.payload).join(' '),
      rtp, fmtp, ptime: 20, direction: l.direction, ...(l.crypto ? { crypto: l.crypto.map(writeCryptoLine) } : {}),
    }],
  });
  const offerRtp = [{ payload: 0, codec: 'PCMU', rate: 8000 }, { payload: 8, codec: 'PCMA', rate: 8000 }, { payload: 101, codec: 'telephone-event', rate: 8000 }];
  let compared = 0;
  for (const direction of ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as MediaDirection[]) {
    for (const crypto of [undefined, offerCryptoLines()]) {
      const l: LocalAudio = { address: '192.0.2.7', port: 31234, direction, sessionId: 4_294_967_296 + 17, version: 3, ...(crypto ? { crypto } : {}) };
      t.equal(createOffer(l), viaWriter(l, offerRtp, [{ payload: 101, config: '0-16' }]), `offer, ${direction}, ${crypto ? 'SDES' : 'RTP'}`);
      t.equal(createAnswer(l, { codec: 'PCMA', pt: 8 }), viaWriter(l, [{ payload: 8, codec: 'PCMA', rate: 8000 }], []), `answer without events, ${direction}`);
      t.equal(
        createAnswer(l, { codec: 'PCMU', pt: 0, telephoneEventPt: 96 }),
        viaWriter(l, [{ payload: 0, codec: 'PCMU', rate: 8000 }, { payload: 96, codec: 'telephone-event', rate: 8000 }], [{ payload: 96, config: '0-16' }]),
        `answer with events, ${direction}`,
      );
      compared += 3;
    }
  }
  t.equal(compared, 24);
});
