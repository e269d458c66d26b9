// telephony.driver in the site file: every existing site keeps the embedded
// engine; 'freeswitch' needs a build to start (managed) or an event socket to
// reach (external), and says so clearly when it has neither; a managed
// FreeSWITCH starts with the server, shows on /health and /api/services, and
// stops with it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/services/index.js';
import { alive, problemsOf, siteFile } from '../engines/site-file.js';
import { ADMIN_AUTH, freePort, startTestApp, tempDir, testConfig } from '../helpers.js';
import { withDeviceSecrets } from '../sip-devices.js';
import { agentPhone } from '../acd-sip/site.js';
import { findEngineBuild } from '../../../telephony/test/engine-build.js';
import { startFreeSwitch } from '@tenor/telephony';

t.setTimeout(600_000);

t.test('a site file without telephony keeps the embedded engine', async (t) => {
  const dir = tempDir(t, 'tenor-telephony-setting-');
  const config = loadConfig({ TENOR_CONFIG: siteFile(dir, { queues: [{ name: 'sales' }] }) }, dir);
  t.same(config.telephony, {}, 'no telephony section: the defaults');
  const { app } = await startTestApp(t, { config: testConfig(t) });
  const res = await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH });
  const telephony = (JSON.parse(res.body) as { name: string; description: string }[]).find((s) => s.name === 'telephony');
  t.match(telephony?.description, /^Embedded/, 'the embedded engine runs');
});

t.test('a freeswitch driver without a way to reach FreeSWITCH is refused, naming what is missing', async (t) => {
  const none = problemsOf(t, { telephony: { driver: 'freeswitch' } });
  t.equal(none.length, 1);
  t.match(none[0]?.source, /site\.yaml telephony\.freeswitch$/);
  t.match(none[0]?.message, /needs either prefix .* or eventSocket/);

  const both = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { prefix: '/opt/fs', eventSocket: { host: '127.0.0.1', port: 8021, password: 'x' } } } });
  t.match(both[0]?.message, /not both/);

  const externalKeys = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { prefix: '/opt/fs', sipPort: 5080 } } });
  t.match(externalKeys[0]?.source, /telephony\.freeswitch\.sipPort$/);
  t.match(externalKeys[0]?.message, /listens on sip\.bind and sip\.port/);

  const external = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { eventSocket: { host: '10.0.0.5', port: 8021, password: 'secret' } } } });
  t.same(external, [], 'an event socket alone is a complete external setting');

  const noPassword = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { eventSocket: { host: '10.0.0.5', port: 8021, password: 'secret' }, xmlCurl: { listen: '10.0.0.2:8095' } } } });
  t.match(noPassword[0]?.source, /telephony\.freeswitch\.xmlCurl\.password$/);
  t.match(noPassword[0]?.message, /the same in its xml_curl\.conf/, 'an external FreeSWITCH must be told the directory password: it is asked for');

  const eventSocket = { host: '10.0.0.5', port: 8021, password: 'secret' };
  const xmlCurl = { listen: '10.0.0.2:8095', password: 'a-long-directory-password' };
  t.same(problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { eventSocket, xmlCurl, webSocket: 'ws://10.0.0.5:5066' } } }), [],
    'an external FreeSWITCH\'s ws-binding for browser phones, with the directory Tenor serves');
  const wsNoDirectory = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { eventSocket, webSocket: 'ws://10.0.0.5:5066' } } });
  t.match(wsNoDirectory[0]?.source, /telephony\.freeswitch\.webSocket$/);
  t.match(wsNoDirectory[0]?.message, /need xmlCurl/, 'browser phones need the directory: the relay\'s secrets are served there');
  const wsManaged = problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { prefix: '/opt/fs', webSocket: 'ws://127.0.0.1:5066' } } });
  t.match(wsManaged[0]?.source, /telephony\.freeswitch\.webSocket$/, 'a managed FreeSWITCH makes its own binding');
  t.ok(problemsOf(t, { telephony: { driver: 'freeswitch', freeswitch: { eventSocket, xmlCurl, webSocket: 'http://10.0.0.5:5066/x' } } }).length > 0,
    'a URL that is not ws:// or wss://host:port is refused');
});

t.test('an unknown driver or key is a schema error at its line', async (t) => {
  const problems = problemsOf(t, { telephony: { driver: 'asterisk' } });
  t.ok(problems.length > 0);
  t.match(problems[0]?.source, /site\.yaml:\d+:\d+/);
  t.ok(problemsOf(t, { telephony: { freeswitch: { prefx: '/opt/fs' } } }).length > 0, 'a misspelt key is refused');
});

t.test('a managed FreeSWITCH without a build stops the start with a clear error', async (t) => {
  const dir = tempDir(t, 'tenor-telephony-setting-');
  const missing = path.join(dir, 'no-such-build');
  const config = testConfig(t, { TENOR_CONFIG: siteFile(dir, { telephony: { driver: 'freeswitch', freeswitch: { prefix: missing } } }) });
  const err = await startTestApp(t, { config }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof Error, 'the server does not start');
  t.match((err as Error).message, `no FreeSWITCH build at ${missing} (bin/freeswitch is missing)`);
});

const build = await findEngineBuild('freeswitch');
t.test('a managed FreeSWITCH starts with the server and stops with it', 'missing' in build ? { skip: `skipped: ${build.missing}` } : {}, async (t) => {
  if ('missing' in build) return;
  const dir = tempDir(t, 'tenor-telephony-setting-');
  const config = testConfig(t, { TENOR_CONFIG: siteFile(dir, { telephony: { driver: 'freeswitch', freeswitch: { prefix: build.prefix } } }) });
  const { app, services } = await startTestApp(t, { config });

  const health = await app.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, '/health is 200');
  t.equal((JSON.parse(health.body) as { services: Record<string, string> }).services['telephony'], 'ok');

  const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH })).body) as { name: string; description: string; health: { detail?: string } }[];
  const telephony = list.find((s) => s.name === 'telephony');
  t.match(telephony?.description, /FreeSWITCH .*started by Tenor/, 'the engine is FreeSWITCH, started by Tenor');
  t.match(telephony?.health.detail, /^freeswitch engine, link up; 0 calls/, 'its link is up');

  const driver = services.get('telephony');
  t.equal(driver.name, 'freeswitch');
  // FreeSWITCH writes its PID into the run folder Tenor gave it, under the data dir.
  const pid = Number(readFileSync(path.join(config.dataDir, 'freeswitch', 'run', 'freeswitch.pid'), 'utf8').trim());
  t.ok(alive(pid), `FreeSWITCH runs as PID ${pid}`);

  // A reload replaces the engine: the old FreeSWITCH stops first (same SIP port), a new one starts.
  await services.reload('telephony');
  const next = Number(readFileSync(path.join(config.dataDir, 'freeswitch', 'run', 'freeswitch.pid'), 'utf8').trim());
  t.not(next, pid, `a new FreeSWITCH runs (PID ${next})`);
  t.notOk(alive(pid), 'the old one is gone');
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health is 200 after the reload');

  await services.stopAll();
  t.notOk(alive(next), 'stopping the server stops FreeSWITCH');
});

t.test('an external FreeSWITCH: Tenor drives it over its event socket, serves its directory where the site file says, and leaves it running', 'missing' in build ? { skip: `skipped: ${build.missing}` } : {}, async (t) => {
  if ('missing' in build) return;
  const realm = 'tenor-external.test';
  const password = 'xml-curl-password-for-the-test';
  const xmlPort = await freePort();
  // FreeSWITCH configured by hand (here: by the runner), its xml_curl pointing at where Tenor will listen.
  const fs = await startFreeSwitch({
    prefix: build.prefix, folder: tempDir(t, 'tenor-external-freeswitch-'), domain: realm,
    xmlCurl: { url: `http://127.0.0.1:${xmlPort}/freeswitch/directory`, username: 'freeswitch', password },
  });
  t.teardown(() => fs.stop());
  const dir = tempDir(t, 'tenor-telephony-setting-');
  const config = testConfig(t, {
    TENOR_CONFIG: siteFile(dir, withDeviceSecrets({
      sip: { realm },
      telephony: {
        driver: 'freeswitch',
        freeswitch: { eventSocket: fs.eventSocket, sipAddress: fs.address, sipPort: fs.sipPort, xmlCurl: { listen: `127.0.0.1:${xmlPort}`, password } },
      },
      queues: [{ name: 'sales' }],
      agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    })),
  });
  const { app, services } = await startTestApp(t, { config });
  const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH })).body) as { name: string; description: string; health: { detail?: string } }[];
  t.match(list.find((x) => x.name === 'telephony'), { description: /FreeSWITCH .*external/, health: { detail: /^freeswitch engine, link up/ } });

  await agentPhone(t, { sip: `${fs.address}:${fs.sipPort}` }, 'ann');
  t.pass('ann\'s softphone registered to that FreeSWITCH with the device secret Tenor holds');

  const ask = (auth: string): Promise<Response> => fetch(`http://127.0.0.1:${xmlPort}/freeswitch/directory`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ section: 'directory', tag_name: 'domain', key_value: realm, domain: realm, user: 'ann', action: 'sip_auth' }).toString(),
  });
  t.equal((await ask('freeswitch:a-guessed-password')).status, 401, 'the directory refuses any other password');
  t.match(await (await ask(`freeswitch:${password}`)).text(), /id="ann"/, 'and answers the configured one');

  await services.stopAll();
  t.ok(alive(fs.pid), 'stopping Tenor leaves an external FreeSWITCH running');
  t.equal(await ask(`freeswitch:${password}`).then(() => 'answered', () => 'closed'), 'closed', 'Tenor no longer serves its directory');
});
