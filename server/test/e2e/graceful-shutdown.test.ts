// SIGTERM while a caller is connected: the server stops taking new calls and
// says so on /health, the call in progress goes on to its natural end, then the
// process exits 0. Real SIPp peers against `tenor start`.

import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSipp, makeToneUlaw, runSipp, startSipp } from '../../../telephony/test/peers/index.js';
import { startTenorProcess } from './tenor-process.js';

t.test('SIGTERM: new calls refused, the call in progress ends normally, then exit 0', async (t) => {
  const tenor = await startTenorProcess(t, { env: { TENOR_SHUTDOWN_GRACE_SECONDS: '20' } });
  const { httpPort, exited } = tenor;
  const remote = tenor.sip;

  // A caller on the echo test for 4 s.
  const dir = await mkdtemp(path.join(tmpdir(), 'tenor-shutdown-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(path.join(dir, 'tone.ul'), { seconds: 4 });
  const inCall = await startSipp({ scenario: 'uac-call-echo-rtp.xml', remote, service: '9196', calls: 1, pauseMs: 4000, files: { 'audio.ul': ul }, timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1500));

  tenor.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
  t.equal(health.status, 503, '/health tells load balancers to stop sending work');
  t.match(await health.json(), { status: 'shutting-down' });

  const late = await runSipp({ scenario: 'uac-call-echo-rtp.xml', remote, service: '9196', calls: 1, pauseMs: 500, files: { 'audio.ul': ul }, timeoutMs: 15_000 });
  t.not(late.code, 0, 'a new call is refused while shutting down');
  t.match(late.errors, /received 'SIP\/2\.0 503 Service Unavailable/, 'the refusal is 503 Service Unavailable');

  const first = await inCall.done;
  const ended = Date.now();
  t.equal(first.code, 0, `the call in progress ended normally: ${describeSipp(first)}`);
  const { code, at } = await exited;
  t.equal(code, 0, 'exit code 0');
  t.ok(at >= ended - 1000, 'the server waited for the call to end before exiting');
});
