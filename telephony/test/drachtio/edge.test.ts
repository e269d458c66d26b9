// drachtio-server built from the pinned sources, as the SIP edge of a
// drachtio-srf application: with no application logged in it turns requests
// away (503); the admin port takes only the secret Tenor generated; a logged-in
// application answers the requests drachtio passes it, with the headers it sets;
// and once stopped the process and its SIP port are gone.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Srf from 'drachtio-srf';
import t from 'tap';
import { startDrachtio, type RunningDrachtio } from '../../src/drachtio/process.js';
import { findEngineBuild } from '../engine-build.js';

t.setTimeout(900_000);

/** Sends one request over UDP and resolves the first final response (or undefined after timeoutMs). */
function request(d: RunningDrachtio, method: 'OPTIONS' | 'INVITE', timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(response: string | undefined): void {
      clearTimeout(timer);
      socket.close();
      resolve(response);
    }
    socket.on('message', (msg) => {
      const text = msg.toString('latin1');
      if (/^SIP\/2\.0 [2-6]\d\d/.test(text)) finish(text);
    });
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      const tag = randomBytes(6).toString('hex');
      socket.send([
        `${method} sip:5000@127.0.0.1:${d.sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:caller@127.0.0.1:${port}>;tag=${tag}`,
        `To: <sip:5000@127.0.0.1:${d.sipPort}>`,
        `Call-ID: ${tag}@edge-test`,
        `CSeq: 1 ${method}`,
        `Contact: <sip:caller@127.0.0.1:${port}>`,
        'Content-Length: 0',
        '', '',
      ].join('\r\n'), d.sipPort, '127.0.0.1');
    });
  });
}

const status = (response: string | undefined): number | undefined => {
  const code = response?.match(/^SIP\/2\.0 (\d{3})/)?.[1];
  return code === undefined ? undefined : Number(code);
};

function connected(srf: Srf): Promise<Error | undefined> {
  return new Promise((resolve) => {
    srf.on('connect', (err) => resolve(err ?? undefined));
    srf.on('error', (err) => resolve(err));
  });
}

const build = await findEngineBuild('drachtio');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the drachtio tests must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-drachtio-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const drachtio = await startDrachtio({ prefix: build.prefix, folder });
  t.teardown(() => drachtio.stop());
  t.comment(`drachtio-server ready in ${drachtio.startMs} ms (pid ${drachtio.pid}, SIP 127.0.0.1:${drachtio.sipPort})`);

  t.test('with no application logged in, requests are turned away', async (t) => {
    t.equal(status(await request(drachtio, 'OPTIONS')), 503);
  });

  t.test('the admin port takes only the generated secret', async (t) => {
    const intruder = new Srf();
    const refused = connected(intruder);
    intruder.connect({ ...drachtio.admin, secret: 'cymru' });
    t.ok(await refused, 'the vanilla default secret is refused');
    intruder.disconnect();
    t.equal(status(await request(drachtio, 'OPTIONS')), 503, 'and it handles no request');
  });

  t.test('a logged-in application answers what drachtio passes it', async (t) => {
    const srf = new Srf();
    const ready = connected(srf);
    srf.use('options', (req, res) => res.send(200, { headers: { 'X-Tenor-Edge': 'drachtio' } }));
    srf.invite((req, res) => res.send(486));
    srf.connect(drachtio.admin);
    t.equal(await ready, undefined, 'the application logs in with the secret');
    t.teardown(() => srf.disconnect());

    const options = await request(drachtio, 'OPTIONS');
    t.equal(status(options), 200, 'OPTIONS answered by the application');
    t.match(options, /X-Tenor-Edge: drachtio/i, 'with the header it set');
    t.equal(status(await request(drachtio, 'INVITE')), 486, 'an INVITE refused busy by the application');
  });

  t.test('stop ends the process and frees the SIP port', async (t) => {
    await drachtio.stop();
    t.throws(() => process.kill(drachtio.pid, 0), 'the PID is gone');
    t.equal(await request(drachtio, 'OPTIONS', 1000), undefined, 'nothing answers SIP any more');
    await drachtio.stop();
    t.pass('a second stop is harmless');
  });
}
