// The FreeSWITCH runner: a started FreeSWITCH answers on its event socket only
// with the password Tenor generated, listens on the address it was given, and
// is gone once stopped.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { EslConnection } from '../../src/freeswitch/esl-connection.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { findEngineBuild } from '../engine-build.js';

t.setTimeout(900_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH runner test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-runner-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const fs = await startFreeSwitch({ prefix: build.prefix, folder });
  t.teardown(() => fs.stop());
  t.ok(alive(fs.pid), `FreeSWITCH runs (ready in ${fs.startMs} ms)`);

  t.test('the event socket takes only the generated password', async (t) => {
    const wrong = await EslConnection.connect({ ...fs.eventSocket, password: 'ClueCon' }, ['HEARTBEAT'], 3000)
      .then(() => undefined, (err: unknown) => err);
    t.ok(wrong instanceof Error, 'the vanilla default password is refused');
    const esl = await EslConnection.connect(fs.eventSocket, ['HEARTBEAT']);
    const status = await esl.api('status');
    t.ok(status.ok && status.text.includes('UP'), 'the generated password is accepted');
    esl.close();
  });

  t.test('everything listens on the given address, with no NAT lookups', async (t) => {
    const xml = await readFile(join(folder, 'conf', 'freeswitch.xml'), 'utf8');
    t.match(xml, /name="listen-ip" value="127\.0\.0\.1"/, 'event socket on 127.0.0.1');
    t.match(xml, /name="sip-ip" value="127\.0\.0\.1"/, 'SIP on 127.0.0.1');
    t.notMatch(xml, /stun:/, 'no STUN lookup');
    t.equal(fs.address, '127.0.0.1');
  });

  t.test('stop ends the process', async (t) => {
    await fs.stop();
    t.notOk(alive(fs.pid), 'the PID is gone');
    await fs.stop();
    t.pass('a second stop is harmless');
  });
}
