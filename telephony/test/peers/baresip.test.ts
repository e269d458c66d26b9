// baresip as a real softphone against SIPp: proves the config generator, the
// ctrl_tcp client (commands, events) and a clean stop before Tenor uses it.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Baresip, netstring, parseNetstrings } from './baresip.js';
import { describeSipp, startSipp } from './sipp.js';
import { rfc4733Digits, rtpFlows, rtpPackets, startCapture } from './capture.js';
import { makeToneWav, wavInfo } from './audio.js';

t.test('GIVEN a SIPp uas WHEN baresip dials it, sends 42 and hangs up THEN the call establishes, carries RTP both ways and closes cleanly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const mic = await makeToneWav(join(dir, 'mic.wav'), { seconds: 30 });
  const uas = await startSipp({ scenario: 'uas-answer-echo.xml', calls: 1, rtpEcho: true, timeoutMs: 40_000 });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  const phone = await Baresip.start({ user: 'alice', mic: { wav: mic }, recordDir: join(dir, 'rec') });
  t.teardown(() => phone.stop());
  const cap = await startCapture({ ports: [uas.mediaPort] });
  t.teardown(() => cap.dispose());

  t.ok((await phone.dial(`sip:9196@127.0.0.1:${uas.port}`)).ok, 'dial accepted');
  await phone.waitForEvent('CALL_ESTABLISHED', { timeoutMs: 10_000 });
  await phone.waitForEvent('CALL_RTPESTAB', { timeoutMs: 10_000 });
  t.ok((await phone.sendDigits('42')).ok, 'sndcode accepted');
  await new Promise((r) => setTimeout(r, 1500));
  const closedFrom = phone.mark();
  await phone.hangup();
  const closed = await phone.waitForEvent('CALL_CLOSED', { from: closedFrom, timeoutMs: 10_000 });
  t.ok(closed, 'CALL_CLOSED after hangup');
  const server = await uas.done;
  t.equal(server.code, 0, describeSipp(server));

  const { packets } = await cap.stop();
  const flows = [...rtpFlows(packets).values()];
  const toUas = flows.find((f) => f.dstPort === uas.mediaPort);
  const fromUas = flows.find((f) => f.srcPort === uas.mediaPort);
  t.ok(toUas && toUas.packets > 50, `baresip sent RTP (${toUas?.packets})`);
  t.ok(fromUas && fromUas.packets > 50, `baresip got RTP back (${fromUas?.packets})`);
  t.ok(toUas && toUas.payloadTypes[0], 'PCMU from baresip');
  t.equal(rfc4733Digits(rtpPackets(packets), { dstPort: uas.mediaPort }), '42', 'digits on the wire');

  await phone.stop();
  const recs = await phone.recordings();
  t.equal(recs.length, 2, 'sndfile wrote the enc and dec sides');
  for (const f of recs) {
    const info = await wavInfo(f);
    t.equal(info.sampleRate, 8000, `${f} is 8 kHz`);
    t.ok(info.seconds > 1, `${f} holds ${info.seconds} s`);
  }
});

t.test('GIVEN a SIPp uac WHEN it calls an auto-answering baresip THEN baresip answers and reports the call', async (t) => {
  const phone = await Baresip.start({ user: 'agent', mic: { sineHz: 440 } });
  t.teardown(() => phone.stop());
  const uac = await startSipp({
    scenario: 'uac-call-expect-bye.xml', remote: `127.0.0.1:${phone.sipPort}`, service: 'agent',
    calls: 1, timeoutMs: 30_000,
  });
  t.teardown(() => uac.stop(500));
  await phone.waitForEvent('CALL_ESTABLISHED', { timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 500));
  await phone.hangup();
  await phone.waitForEvent('CALL_CLOSED', { timeoutMs: 10_000 });
  const r = await uac.done;
  t.equal(r.code, 0, describeSipp(r));
});

t.test('netstring framing round-trips and keeps partial frames', async (t) => {
  const a = netstring('{"a":1}');
  t.equal(a.toString(), '7:{"a":1},');
  const both = Buffer.concat([a, netstring('{"b":"é"}')]);
  const cut = both.subarray(0, both.length - 3);
  const first = parseNetstrings(cut);
  t.same(first.frames, ['{"a":1}']);
  const second = parseNetstrings(Buffer.concat([first.rest, both.subarray(both.length - 3)]));
  t.same(second.frames, ['{"b":"é"}']);
  t.equal(second.rest.length, 0);
});
