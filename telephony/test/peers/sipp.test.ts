// The SIPp harness against SIPp itself: proves the harness (free ports, exit
// codes, stat parsing, scenario variables, media) before it is used on Tenor.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

t.test('GIVEN nothing listens WHEN a SIPp uac calls THEN SIPp itself ran, timed out waiting for an answer and exited 1 with the call failed', async (t) => {
  const r = await runSipp({
    scenario: 'uac', remote: '127.0.0.1:9', calls: 1, timeoutMs: 20_000,
    extraArgs: ['-recv_timeout', '1000'],
  });
  t.equal(r.code, 1, `SIPp's own exit code for "some calls failed": ${describeSipp(r)}`);
  t.equal(r.timedOut, false, 'SIPp ended the call by its receive timeout, not the harness by its hard one');
  t.same([r.stats.successful, r.stats.failed, Number(r.stats.raw['FailedTimeoutOnRecv(C)'])], [0, 1, 1], 'the stat file counts one call failed on a receive timeout');
  t.match(r.errors, /receive timeout/, 'the error file says why');
});

t.test('GIVEN a SIPp uac whose INVITE is never answered WHEN the hard timeout passes THEN the harness kills it and says so', async (t) => {
  const started = Date.now();
  const r = await runSipp({ scenario: 'uac', remote: '127.0.0.1:9', calls: 1, timeoutMs: 1500 });
  t.equal(r.timedOut, true, describeSipp(r));
  t.equal(r.signal, 'SIGKILL');
  t.equal(r.code, null);
  t.ok(Date.now() - started < 10_000, 'within the hard timeout, not SIPp\'s own 64*T1');
});

t.test('GIVEN no SIPp program WHEN a test runs SIPp THEN the harness rejects naming it, never a result a failure test could take for SIPp\'s', async (t) => {
  await t.rejects(runSipp({ scenario: 'uac', remote: '127.0.0.1:9', calls: 1, command: '/nonexistent/sipp' }), { message: /SIPp could not be started \('\/nonexistent\/sipp': .*ENOENT.*apt-get install sip-tester/ });
});

t.test('GIVEN another process takes a port SIPp was given WHEN SIPp exits with errno 98 THEN the harness starts it again on fresh ports and the run succeeds', async (t) => {
  // A stand-in for the race: the first start fails exactly as SIPp does when a
  // neighbour binds its port first; the next starts are the real SIPp.
  const dir = await mkdtemp(join(tmpdir(), 'tenor-sipp-taken-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const marker = join(dir, 'failed-once');
  const wrapper = join(dir, 'sipp-port-taken-once');
  await writeFile(wrapper, `#!/bin/sh\nif [ ! -e '${marker}' ]; then touch '${marker}'; echo "Unable to bind main socket, errno = 98 (Address already in use)" >&2; exit 254; fi\nexec sipp "$@"\n`, { mode: 0o755 });
  const uas = await startSipp({ scenario: 'uas', calls: 1, timeoutMs: 30_000, command: wrapper });
  t.teardown(() => uas.stop(500));
  await uas.ready();
  const uac = await runSipp({ scenario: 'uac', remote: `127.0.0.1:${uas.port}`, calls: 1, timeoutMs: 30_000 });
  t.equal(uac.code, 0, describeSipp(uac));
  const server = await uas.done;
  t.equal(server.stats.successful, 1, `the second start answered the call: ${describeSipp(server)}`);
});

t.test('GIVEN a SIPp whose SIP port stays taken WHEN it is started THEN it fails with SIPp\'s own errno 98 after a bounded number of tries, never hangs', async (t) => {
  const taken = createSocket('udp4');
  await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
  t.teardown(() => taken.close());
  const r = await runSipp({ scenario: 'uas', port: taken.address().port, calls: 1, timeoutMs: 10_000 });
  t.equal(r.code, 254, describeSipp(r));
  t.match(r.stderr, /errno = 98/);
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
