// rtp.relay in the site file: an rtpengine ng socket the operator runs. The
// server pings it at start and refuses to start when it does not answer (the
// message names the address and the setting); with the real daemon /health
// shows telephony ok and the services list names the relay; a relay that stops
// answering degrades telephony without failing /health (calls stay on Tenor's
// relay); a bad value or another engine is refused when the file is read; and
// the server's engine moves a bridge of two trunk calls (real SIPp far ends)
// onto the site's rtpengine.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startRtpengine, type Call } from '@tenor/telephony';
import { freeUdpRange, freeUdpTcpPort, makeToneUlaw, startSipp, type SippProcess } from '../../../telephony/test/peers/index.js';
import type { ConfigProblem } from '../../src/config/load.js';
import { isTenorError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/services/index.js';
import { ADMIN_AUTH, silentLogger, sleep, startTestApp, tempDir, testConfig } from '../helpers.js';

t.setTimeout(120_000);

function siteWithRelay(t: Parameters<typeof tempDir>[0], relayLines: string[], extra: string[] = []): NodeJS.ProcessEnv {
  const dir = tempDir(t, 'tenor-relay-site-');
  writeFileSync(path.join(dir, 'site.yaml'), ['rtp:', '  relay:', ...relayLines.map((l) => `    ${l}`), ...extra, ''].join('\n'));
  return { TENOR_CONFIG: path.join(dir, 'site.yaml') };
}

function problemsOf(env: NodeJS.ProcessEnv): ConfigProblem[] {
  try {
    loadConfig(env, tempDir(t));
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return err.details as ConfigProblem[];
    throw err;
  }
  return [];
}

t.test('rtp.relay is checked when the file is read', async (t) => {
  t.same(problemsOf(siteWithRelay(t, ['engine: rtpengine', 'address: 127.0.0.1', 'port: 22222'])), [], 'a good relay');
  t.equal(testConfig(t).rtp.relay, undefined, 'no relay unless the site names one');
  t.ok(problemsOf(siteWithRelay(t, ['engine: mediaproxy', 'address: 127.0.0.1', 'port: 22222'])).length > 0, 'an unknown engine');
  t.ok(problemsOf(siteWithRelay(t, ['engine: rtpengine', 'address: "127.0.0.1 --evil"', 'port: 22222'])).length > 0, 'an address with a space');
  t.ok(problemsOf(siteWithRelay(t, ['engine: rtpengine', 'address: 127.0.0.1', 'port: 0'])).length > 0, 'port 0');
  t.ok(problemsOf(siteWithRelay(t, ['engine: rtpengine', 'address: 127.0.0.1'])).length > 0, 'no port');
  t.match(
    problemsOf(siteWithRelay(t, ['engine: rtpengine', 'address: 127.0.0.1', 'port: 22222'], ['telephony:', '  driver: freeswitch'])),
    [{ source: /rtp\.relay$/, message: /embedded engine only/ }],
    'another engine than the embedded one',
  );
});

t.test('a relay that does not answer stops the server from starting, with a message that says what to do', async (t) => {
  // A bound UDP socket that never answers: the ng ping times out.
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
  t.teardown(() => silent.close());
  const port = silent.address().port;
  const config = testConfig(t, siteWithRelay(t, ['engine: rtpengine', 'address: 127.0.0.1', `port: ${port}`]));
  const err = await startTestApp(t, { config }).catch((e: unknown) => e);
  t.ok(isTenorError(err, 'TENOR_ERR_SERVICE_START_FAILED'), 'the telephony service fails to start');
  t.match((err as Error).message, new RegExp(`rtp\\.relay: rtpengine at 127\\.0\\.0\\.1:${port} did not answer ping`));
  t.match((err as Error).message, new RegExp(`--listen-ng=127\\.0\\.0\\.1:${port}`), 'it says how rtpengine must listen');
});

/** Debian's rtpengine-daemon (scripts/ensure-test-tools.sh installs it); CI must have it. */
function rtpengineInstalled(): boolean {
  try {
    execFileSync('rtpengine', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

if (!rtpengineInstalled()) {
  if (process.env['CI'] === 'true') t.fail('rtpengine is not installed: the media relay test must run in CI');
  else t.comment('skipped the real-daemon test: rtpengine is not installed');
} else {
  t.test('with the real daemon, /health shows telephony ok and the services list names the relay; a relay gone degrades it', async (t) => {
    const rtpengine = await startRtpengine({ logger: silentLogger });
    t.teardown(() => rtpengine.close());
    const config = testConfig(t, siteWithRelay(t, ['engine: rtpengine', `address: ${rtpengine.ngAddress}`, `port: ${rtpengine.ngPort}`]));
    const { app } = await startTestApp(t, { config, health: { intervalMs: 200, minGapMs: 100 } });
    const health = await app.inject('/health');
    t.equal(health.statusCode, 200);
    t.equal(health.json<{ services: Record<string, string> }>().services['telephony'], 'ok');
    const list = await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH });
    t.match(list.body, new RegExp(`rtpengine media relay at 127\\.0\\.0\\.1:${rtpengine.ngPort} answering`));

    await rtpengine.close();
    let telephony = 'ok';
    for (const give = Date.now() + 20_000; telephony === 'ok' && Date.now() < give; await sleep(100)) {
      telephony = (await app.inject('/health')).json<{ services: Record<string, string> }>().services['telephony'] ?? '';
    }
    t.equal(telephony, 'degraded', 'telephony is degraded once the relay stops answering');
    t.equal((await app.inject('/health')).statusCode, 200, 'but the server stays healthy: calls stay on Tenor\'s relay');
  });

  t.test('the server\'s engine bridges two trunk calls through the site\'s rtpengine', async (t) => {
    const rtpengine = await startRtpengine({ logger: silentLogger });
    t.teardown(() => rtpengine.close());
    const tone = await makeToneUlaw(path.join(tempDir(t, 'tenor-relay-tone-'), 'tone.ul'), { seconds: 5, frequency: 440 });
    // Two far ends that answer, stream a tone and follow re-INVITEs, logging where each sends them.
    const callee = async (): Promise<SippProcess> => {
      const sipp = await startSipp({ scenario: 'uas-answer-stream-follow-reinvites.xml', files: { 'audio.ul': tone }, calls: 1, timeoutMs: 90_000 });
      t.teardown(() => sipp.stop(500));
      await sipp.ready();
      return sipp;
    };
    const [left, right] = [await callee(), await callee()];
    const file = path.join(tempDir(t, 'tenor-relay-e2e-'), 'site.yaml');
    writeFileSync(file, JSON.stringify({
      trunks: [{ name: 'left', host: '127.0.0.1', port: left.port }, { name: 'right', host: '127.0.0.1', port: right.port }],
      rtp: { relay: { engine: 'rtpengine', address: rtpengine.ngAddress, port: rtpengine.ngPort } },
    }));
    const rtp = await freeUdpRange(20, { belowEphemeral: true });
    const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(await freeUdpTcpPort()), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
    const { services } = await startTestApp(t, { config });
    const telephony = services.get('telephony');
    const dial = (number: string, trunk: string): Promise<Call> =>
      telephony.originate({ kind: 'number', number, trunk }, { timeoutMs: 20_000, callerId: { number: '+12125550000' } });
    const a = await dial('+12125551234', 'left');
    const b = await dial('+12125551235', 'right');
    const bridge = await telephony.bridge(a, b);
    for (const give = Date.now() + 15_000; bridge.mediaPath !== 'rtpengine' && Date.now() < give;) await sleep(100);
    t.equal(bridge.mediaPath, 'rtpengine', 'the bridge\'s audio flows through rtpengine');
    await bridge.unbridge();
    await Promise.all([a.hangup(), b.hangup()]);
    const [leftRun, rightRun] = await Promise.all([left.done, right.done]);
    const firstMove = (logs: string): number => Number(/REINVITE c=[0-9.]+ m=([0-9]+)/.exec(logs)?.[1]);
    for (const [name, run] of [['left', leftRun], ['right', rightRun]] as const) {
      const port = firstMove(run.logs);
      t.ok(port >= rtpengine.portMin && port <= rtpengine.portMax, `${name} was re-INVITEd to rtpengine's port ${port}`);
    }
  });
}
