// rtp.relay in the site file: an rtpengine ng socket the operator runs. The
// server pings it at start and refuses to start when it does not answer (the
// message names the address and the setting); with the real daemon /health
// shows telephony ok and the services list names the relay; a relay that stops
// answering degrades telephony without failing /health (calls stay on Tenor's
// relay); a bad value or another engine is refused when the file is read.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startRtpengine } from '@tenor/telephony';
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
}
