// FreeSWITCH next to other programs: when some ports of its RTP range are
// already taken (in CI by other tests' sockets, on a site by any other service),
// calls still connect on the free ones instead of failing with
// INCOMPATIBLE_DESTINATION, as they did before switch.conf asked FreeSWITCH to
// try each port before handing it out.
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { randomRtpRange } from '../../src/free-ports.js';
import { SipPeer } from '../contract/sip-peer.js';
import { findEngineBuild } from '../engine-build.js';

t.setTimeout(120_000);
const logger = pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' });

/** Holds `port` on 127.0.0.1 the way another program would; undefined when someone already does. */
function hold(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => { socket.close(); resolve(undefined); });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH RTP port test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  t.test('with most of its RTP ports taken by another program, every call still connects', async (t) => {
    // Ten ports: FreeSWITCH uses the even ones, five of them; four are taken.
    const min = randomRtpRange().min;
    const held = (await Promise.all([0, 2, 4, 6].map((n) => hold(min + n)))).filter((s): s is Socket => s !== undefined);
    t.teardown(() => { for (const s of held) s.close(); });
    const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-rtp-'));
    const fs = await startFreeSwitch({ prefix: build.prefix, folder, rtpPorts: { min, max: min + 9 }, logger });
    t.teardown(async () => { await fs.stop(); await rm(folder, { recursive: true, force: true }); });
    const engine = new FreeSwitchDriver({ eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, logger });
    await engine.start();
    t.teardown(() => engine.stop());
    const phone = await SipPeer.start({ address: '127.0.0.2', modeFor: () => ({ kind: 'answer' }) });
    t.teardown(() => phone.close());

    for (let n = 1; n <= 3; n++) {
      const call = await engine.originate({ kind: 'address', address: `sip:answer@127.0.0.2:${phone.port}` }, { timeoutMs: 10_000 });
      t.equal(call.state, 'answered', `call ${n} connected`);
      const remote = await phone.nextCall();
      await call.hangup();
      await remote.waitEnded();
    }
  });
}
