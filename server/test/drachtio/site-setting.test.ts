// telephony.driver: drachtio in the site file: the SIP edge (telephony.drachtio,
// managed prefix or external server) and the media (telephony.freeswitch) are
// both required and checked with messages naming the key; a managed edge and
// FreeSWITCH start with the server, show on /health and /api/services, let
// phones register at the edge with their device secret only, and stop with it;
// external ones are reached and left running.

import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import t from 'tap';
import { Baresip, freeUdpRange, freeUdpTcpPort } from '../../../telephony/test/peers/index.js';
import { findEngineBuild } from '../../../telephony/test/engine-build.js';
import { startDrachtio, startFreeSwitch } from '@tenor/telephony';
import { alive, problemsOf, siteFile } from '../engines/site-file.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { withDeviceSecrets } from '../sip-devices.js';
import { agentPhone } from '../acd-sip/site.js';

t.setTimeout(90_000);

/** Whether something holds this UDP port on 127.0.0.1 (the edge's SIP port). */
function udpTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}

const ACD = {
  queues: [{ name: 'sales' }],
  agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
};

t.test('drachtio without its settings is refused, naming each missing key', async (t) => {
  const none = problemsOf(t, { telephony: { driver: 'drachtio' } });
  t.same(none.map((p) => p.source.replace(/^.*site\.yaml /, '')), ['telephony.drachtio', 'telephony.freeswitch'], 'the edge and the media are both missing');
  t.match(none[0]?.message, /needs either prefix .* or server \{host, port, secret\}/);
  t.match(none[1]?.message, /takes its media from FreeSWITCH: set prefix .* or eventSocket/);

  const noMedia = problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefix: '/opt/drachtio' } } });
  t.equal(noMedia.length, 1, 'an edge without FreeSWITCH settings');
  t.match(noMedia[0]?.source, /telephony\.freeswitch$/);
  t.match(noMedia[0]?.message, /takes its media from FreeSWITCH/);

  const both = problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefix: '/opt/d', server: { host: '10.0.0.5', port: 9022, secret: 's' } }, freeswitch: { prefix: '/opt/fs' } } });
  t.match(both[0], { source: /telephony\.drachtio$/, message: /not both/ });

  const externalKey = problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefix: '/opt/d', sipPort: 5080 }, freeswitch: { prefix: '/opt/fs' } } });
  t.match(externalKey[0], { source: /telephony\.drachtio\.sipPort$/, message: /listens on sip\.bind and sip\.port/ });

  const fsSip = problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefix: '/opt/d' }, freeswitch: { prefix: '/opt/fs', sipPort: 5080 } } });
  t.match(fsSip[0], { source: /telephony\.freeswitch\.sipPort$/, message: /free port/ });

  const directory = problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefix: '/opt/d' }, freeswitch: { prefix: '/opt/fs', xmlCurl: { listen: '127.0.0.1:8095' } } } });
  t.match(directory[0], { source: /telephony\.freeswitch\.xmlCurl$/, message: /register at the drachtio edge/ });

  const wrongDriver = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { prefix: '/opt/fs' }, drachtio: { prefix: '/opt/d' } } });
  t.match(wrongDriver[0], { source: /telephony\.drachtio$/, message: /driver 'drachtio' only/ });

  t.ok(problemsOf(t, { telephony: { driver: 'drachtio', drachtio: { prefx: '/opt/d' }, freeswitch: { prefix: '/opt/fs' } } }).length > 0, 'a misspelt key is refused');

  t.same(problemsOf(t, {
    telephony: {
      driver: 'drachtio',
      drachtio: { server: { host: '10.0.0.5', port: 9022, secret: 'cymru' }, sipAddress: '10.0.0.5', sipPort: 5060 },
      freeswitch: { eventSocket: { host: '10.0.0.6', port: 8021, password: 'ClueCon' }, sipAddress: '10.0.0.6', sipPort: 5080 },
    },
  }), [], 'an external edge and an external FreeSWITCH are a complete setting');
  t.same(problemsOf(t, { ...ACD }), [], 'a site file without telephony is unchanged');
});

t.test('a managed drachtio-server without a build stops the start with a clear error', async (t) => {
  const dir = tempDir(t, 'tenor-drachtio-setting-');
  const missing = path.join(dir, 'no-such-build');
  const config = testConfig(t, { TENOR_CONFIG: siteFile(dir, { telephony: { driver: 'drachtio', drachtio: { prefix: missing }, freeswitch: { prefix: missing } } }) });
  const err = await startTestApp(t, { config }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof Error, 'the server does not start');
  t.match((err as Error).message, `no drachtio-server build at ${missing} (bin/drachtio is missing)`);
});

const [fsBuild, drachtioBuild] = [await findEngineBuild('freeswitch'), await findEngineBuild('drachtio')];
const builds = 'missing' in fsBuild || 'missing' in drachtioBuild ? undefined : { freeswitch: fsBuild.prefix, drachtio: drachtioBuild.prefix };
const missing = 'missing' in drachtioBuild ? drachtioBuild.missing : 'missing' in fsBuild ? fsBuild.missing : '';
if (builds === undefined && process.env['CI'] === 'true') t.fail(`${missing}: the drachtio site tests must run in CI`);
const withBuilds = builds === undefined ? { skip: `skipped: ${missing}` } : {};

t.test('managed: drachtio-server and FreeSWITCH start with the server, /health names the engine, phones register at the edge, both stop with it', withBuilds, async (t) => {
  if (builds === undefined) return;
  const dir = tempDir(t, 'tenor-drachtio-setting-');
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const config = testConfig(t, {
    TENOR_CONFIG: siteFile(dir, withDeviceSecrets({
      ...ACD, telephony: { driver: 'drachtio', drachtio: { prefix: builds.drachtio }, freeswitch: { prefix: builds.freeswitch } },
    })),
    TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to),
  });
  const { app, services } = await startTestApp(t, { config });

  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, '/health is 200');
  t.equal((JSON.parse(health.body) as { services: Record<string, string> }).services['telephony'], 'ok');
  const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH })).body) as { name: string; description: string; health: { detail?: string } }[];
  t.match(list.find((s) => s.name === 'telephony'), {
    description: /drachtio-server SIP edge .*edge started by Tenor, FreeSWITCH started by Tenor/,
    health: { detail: /^drachtio engine, link up; 0 calls/ },
  }, 'the engine is drachtio, both processes started by Tenor, the link up');
  t.equal(services.get('telephony').name, 'drachtio');
  t.ok(await udpTaken(sipPort), `drachtio-server holds the site's SIP port ${sipPort}`);
  const fsPid = Number(readFileSync(path.join(config.dataDir, 'freeswitch', 'run', 'freeswitch.pid'), 'utf8').trim());
  t.ok(alive(fsPid), `FreeSWITCH runs as PID ${fsPid}`);

  const phone = await agentPhone(t, { sip: `127.0.0.1:${sipPort}` }, 'ann');
  t.ok(phone, 'ann\'s softphone registered at the edge with the device secret Tenor holds');
  // The edge's registrar is Tenor's: a web password is not a device secret.
  const intruder = await Baresip.start({ user: 'ann', registrar: `127.0.0.1:${sipPort}`, password: 'ann-secret-word', registerIntervalS: 300 });
  t.teardown(() => intruder.stop());
  t.equal(await intruder.waitForRegistration(10_000), 'failed', 'ann\'s web password does not register a phone');

  await services.stopAll();
  t.notOk(await udpTaken(sipPort), 'stopping the server stops drachtio-server (the SIP port is free)');
  t.notOk(alive(fsPid), 'and FreeSWITCH');
});

t.test('external: Tenor connects to a drachtio-server and a FreeSWITCH that run already, and leaves them running', withBuilds, async (t) => {
  if (builds === undefined) return;
  const fs = await startFreeSwitch({ prefix: builds.freeswitch, folder: tempDir(t, 'tenor-external-freeswitch-') });
  t.teardown(() => fs.stop());
  const edge = await startDrachtio({ prefix: builds.drachtio, folder: tempDir(t, 'tenor-external-drachtio-') });
  t.teardown(() => edge.stop());
  const dir = tempDir(t, 'tenor-drachtio-setting-');
  const config = testConfig(t, {
    TENOR_CONFIG: siteFile(dir, withDeviceSecrets({
      ...ACD,
      telephony: {
        driver: 'drachtio',
        drachtio: { server: edge.admin, sipAddress: edge.address, sipPort: edge.sipPort },
        freeswitch: { eventSocket: fs.eventSocket, sipAddress: fs.address, sipPort: fs.sipPort },
      },
    })),
  });
  const { app, services } = await startTestApp(t, { config });
  const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH })).body) as { name: string; description: string; health: { detail?: string } }[];
  t.match(list.find((x) => x.name === 'telephony'), { description: /edge external, FreeSWITCH external/, health: { detail: /^drachtio engine, link up/ } });

  await agentPhone(t, { sip: `${edge.address}:${edge.sipPort}` }, 'ann');
  t.pass('ann\'s softphone registered at that drachtio-server with the device secret Tenor holds');

  await services.stopAll();
  t.ok(alive(edge.pid) && alive(fs.pid), 'stopping Tenor leaves an external drachtio-server and FreeSWITCH running');
});

t.test('an external drachtio-server with a wrong secret stops the start, naming the key', withBuilds, async (t) => {
  if (builds === undefined) return;
  const fs = await startFreeSwitch({ prefix: builds.freeswitch, folder: tempDir(t, 'tenor-external-freeswitch-') });
  t.teardown(() => fs.stop());
  const edge = await startDrachtio({ prefix: builds.drachtio, folder: tempDir(t, 'tenor-external-drachtio-') });
  t.teardown(() => edge.stop());
  const dir = tempDir(t, 'tenor-drachtio-setting-');
  const config = testConfig(t, {
    TENOR_CONFIG: siteFile(dir, {
      telephony: {
        driver: 'drachtio',
        drachtio: { server: { ...edge.admin, secret: 'a-guessed-secret' }, sipAddress: edge.address, sipPort: edge.sipPort },
        freeswitch: { eventSocket: fs.eventSocket },
      },
    }),
  });
  const err = await startTestApp(t, { config }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof Error, 'the server does not start');
  t.match((err as Error).message, /telephony\.drachtio\.server: cannot reach drachtio-server at 127\.0\.0\.1:\d+/);
});
