// SIGTERM while a caller is connected: the server stops taking new calls and
// says so on /health, the call in progress goes on to its natural end, then the
// process exits 0. Real SIPp peers against `tenor start`.

import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSipp, freeTcpPort, freeUdpRange, freeUdpTcpPort, makeToneUlaw, runSipp, startSipp } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

t.test('SIGTERM: new calls refused, the call in progress ends normally, then exit 0', async (t) => {
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const child = spawn(process.execPath, [cli, 'start'], {
    env: {
      ...process.env,
      TENOR_HTTP_PORT: String(httpPort),
      TENOR_SIP_PORT: String(sipPort),
      TENOR_BIND: '127.0.0.1',
      TENOR_RTP_PORT_MIN: String(rtp.from),
      TENOR_RTP_PORT_MAX: String(rtp.to),
      TENOR_DATA_DIR: tempDir(t),
      TENOR_LOG_LEVEL: 'warn',
      TENOR_SHUTDOWN_GRACE_SECONDS: '20',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start banner: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('SIP:')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const remote = `127.0.0.1:${sipPort}`;

  // A caller on the echo test for 4 s.
  const dir = await mkdtemp(path.join(tmpdir(), 'tenor-shutdown-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(path.join(dir, 'tone.ul'), { seconds: 4 });
  const inCall = await startSipp({ scenario: 'uac-call-echo-rtp.xml', remote, service: '9196', calls: 1, pauseMs: 4000, files: { 'audio.ul': ul }, timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1500));

  child.kill('SIGTERM');
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
