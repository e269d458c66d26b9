// The SIPp harness against SIPp itself: proves the harness (free ports, exit
// codes, stat parsing, scenario variables, media) before it is used on Tenor.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSipp, parseSippStats, runSipp, startSipp } from './sipp.js';
import { rfc4733Digits, rtpFlows, rtpPackets, startCapture } from './capture.js';
import { makeToneUlaw } from './audio.js';

t.test('GIVEN a SIPp uas WHEN a SIPp uac places 10 calls THEN all 10 succeed with exit 0', async (t) => {
  const uas = await startSipp({ scenario: 'uas', calls: 10, timeoutMs: 30_000 });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  const uac = await runSipp({
    scenario: 'uac', remote: `127.0.0.1:${uas.port}`, calls: 10, rate: 20, timeoutMs: 30_000,
  });
  t.equal(uac.code, 0, describeSipp(uac));
  t.equal(uac.stats.successful, 10);
  t.equal(uac.stats.failed, 0);
  const server = await uas.done;
  t.equal(server.code, 0, describeSipp(server));
  t.equal(server.stats.successful, 10);
});

t.test('GIVEN nothing listens WHEN a SIPp uac calls THEN the harness reports the failure and the hard timeout ends it', async (t) => {
  const r = await runSipp({
    scenario: 'uac', remote: '127.0.0.1:9', calls: 1, timeoutMs: 3000,
    extraArgs: ['-recv_timeout', '1000'],
  });
  t.not(r.code, 0, describeSipp(r));
});

t.test('GIVEN a SIPp uas with -rtp_echo WHEN a uac streams 2 s of PCMU THEN the wire carries ~100 packets each way, PT 0, every 20 ms', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(join(dir, 'tone.ul'), { seconds: 2 });
  const uas = await startSipp({ scenario: 'uas-answer-echo.xml', calls: 1, rtpEcho: true, timeoutMs: 30_000 });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  const cap = await startCapture({ ports: [uas.mediaPort] });
  t.teardown(() => cap.dispose());
  const uac = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: `127.0.0.1:${uas.port}`, service: '9196', calls: 1,
    pauseMs: 2600, files: { 'audio.ul': ul }, timeoutMs: 30_000,
  });
  t.equal(uac.code, 0, describeSipp(uac));
  t.equal((await uas.done).code, 0);
  const { packets, droppedByKernel } = await cap.stop();
  t.equal(droppedByKernel, 0);
  const flows = [...rtpFlows(packets).values()];
  const toEcho = flows.find((f) => f.dstPort === uas.mediaPort);
  const back = flows.find((f) => f.srcPort === uas.mediaPort);
  if (!toEcho || !back) {
    t.fail(`expected two flows, got ${flows.map((f) => f.key).join(' ')}`);
    return;
  }
  for (const f of [toEcho, back]) {
    t.equal(f.packets, 100, `${f.key}: 2 s of 20 ms packets`);
    t.same(Object.keys(f.payloadTypes), ['0'], `${f.key}: PCMU only`);
    t.ok(f.intervals.p50 > 18 && f.intervals.p50 < 22, `${f.key}: p50 ${f.intervals.p50} ms`);
    t.equal(f.lost, 0);
  }
});

t.test('GIVEN a SIPp uas WHEN a uac play_dtmf sends 123# THEN the capture decodes 1 2 3 # in order', async (t) => {
  const uas = await startSipp({ scenario: 'uas-answer.xml', calls: 1, timeoutMs: 30_000 });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  const cap = await startCapture({ ports: [uas.mediaPort] });
  t.teardown(() => cap.dispose());
  const uac = await runSipp({
    scenario: 'uac-call-send-dtmf.xml', remote: `127.0.0.1:${uas.port}`, service: '5551234', calls: 1,
    pauseMs: 2500, vars: { digits: '123#' }, timeoutMs: 30_000,
  });
  t.equal(uac.code, 0, describeSipp(uac));
  const server = await uas.done;
  t.equal(server.code, 0, describeSipp(server));
  t.match(server.logs, /INVITE-NUMBER 5551234 FROM sipp/, 'the uas logs the dialed number and caller');
  const { packets } = await cap.stop();
  t.equal(rfc4733Digits(rtpPackets(packets), { payloadType: 96 }), '123#');
});

t.test('parseSippStats reads the last line by column name', async (t) => {
  const csv = 'StartTime;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);Retransmissions(P);Retransmissions(C);\n'
    + 'x;1;2;0;0;0;0;\n'
    + 'y;3;7;1;2;4;5;\n';
  const s = parseSippStats(csv);
  t.equal(s.successful, 7);
  t.equal(s.failed, 2);
  t.equal(s.retransmissions, 5);
  t.equal(parseSippStats('').successful, 0);
});
