// The telephony a user meets right after the README start command: the server
// started as `tenor start` answers SIP on TENOR_SIP_PORT, echoes a call to
// 9196 and does not reveal which users exist. Real SIPp peers, real packets.

import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSipp, makeToneUlaw, normalised401, rtpFlows, runSipp, startCapture } from '../../../telephony/test/peers/index.js';
import { startTenorProcess } from './tenor-process.js';

t.test('tenor start: OPTIONS 200, the echo number echoes RTP, identical 401s for known and unknown users', async (t) => {
  const tenor = await startTenorProcess(t, { args: ['--demo'] });
  const { rtp } = tenor;
  const remote = tenor.sip;

  const options = await runSipp({ scenario: 'uac-options.xml', remote, service: 'tenor', calls: 1, timeoutMs: 15_000 });
  t.equal(options.code, 0, `OPTIONS answered 200: ${describeSipp(options)}`);

  const dir = await mkdtemp(path.join(tmpdir(), 'tenor-e2e-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(path.join(dir, 'tone.ul'), { seconds: 2 });
  const capture = await startCapture({ portRange: rtp });
  t.teardown(() => capture.dispose());
  const echo = await runSipp({ scenario: 'uac-call-echo-rtp.xml', remote, service: '9196', calls: 1, pauseMs: 2600, files: { 'audio.ul': ul }, timeoutMs: 20_000 });
  t.equal(echo.code, 0, describeSipp(echo));
  const flows = [...rtpFlows((await capture.stop()).packets).values()];
  const inRange = (p: number): boolean => p >= rtp.from && p <= rtp.to;
  const sent = flows.find((f) => inRange(f.dstPort))?.packets ?? 0;
  const echoed = flows.find((f) => inRange(f.srcPort))?.packets ?? 0;
  t.equal(sent, 100, 'SIPp sent 2 s of 20 ms packets');
  t.ok(echoed >= sent * 0.97 && echoed <= sent * 1.03, `the caller got its packets back (${echoed} of ${sent})`);

  // alice exists (demo data); mallory does not.
  const known = await runSipp({ scenario: 'uac-register-expect-401.xml', remote, calls: 1, vars: { user: 'alice' }, timeoutMs: 15_000 });
  const unknown = await runSipp({ scenario: 'uac-register-expect-401.xml', remote, calls: 1, vars: { user: 'mallory' }, timeoutMs: 15_000 });
  t.equal(known.code, 0, describeSipp(known));
  t.equal(unknown.code, 0, describeSipp(unknown));
  t.match(normalised401(known.logs), /^SIP\/2.0 401 [\s\S]*WWW-Authenticate: Digest realm="tenor-[0-9a-f]{16}"/);
  t.equal(normalised401(known.logs), normalised401(unknown.logs), 'the same 401 apart from the nonce');
  t.match(normalised401(known.logs), /WWW-Authenticate: Digest [^\n]*algorithm=SHA-256[^\n]*\nWWW-Authenticate: Digest [^\n]*algorithm=MD5/,
    'by default SHA-256 is offered first, then MD5 (RFC 8760)');

  tenor.child.kill('SIGTERM');
  t.equal((await tenor.exited).code, 0, 'SIGTERM stops it with exit code 0');
});
