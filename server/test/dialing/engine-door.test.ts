// The engine's door, over real SIP: whichever service asks the telephony
// service to dial (here the test itself, like any loaded module would), a
// number the policy refuses never leaves, and a trunk's concurrent-call cap
// refuses the leg above it. The SIPp "phone network" behind the trunk answers
// every call and logs each number it is asked for.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { OriginateError, type Call } from '@tenor/telephony';
import { freeUdpRange, freeUdpTcpPort } from '../../../telephony/test/peers/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { DialingRefusedError } from '../../src/services/dialing/guard.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { EventLog, homeNetwork, within } from '../acd-sip/site.js';

t.test('a refused number never reaches the trunk, and a trunk takes no more legs than its cap', async (t) => {
  const home = await homeNetwork(t);
  const file = path.join(tempDir(t, 'tenor-dialing-'), 'site.yaml');
  writeFileSync(file, JSON.stringify({
    trunks: [{ name: 'home', host: '127.0.0.1', port: home.port }],
    dialing: { trunks: { home: { concurrent: 1 } } },
  }));
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(await freeUdpTcpPort()), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const { app, services } = await startTestApp(t, { config });
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  const telephony = services.get('telephony');
  const dial = (number: string): Promise<Call> => telephony.originate({ kind: 'number', number, trunk: 'home' }, { timeoutMs: 20_000, callerId: { number: '+12125550000' } });

  // A premium-rate number asked for straight from the engine: refused before any INVITE.
  const premium = await dial('+19005551234').then(() => undefined, (err: unknown) => err);
  t.ok(premium instanceof OriginateError, 'callers see a failed call, as for any unreachable number');
  t.ok(premium instanceof DialingRefusedError && isTenorError(premium.refusal, 'TENOR_ERR_DIALING_REFUSED'), 'with the coded refusal inside');
  t.match(bus.of('dialing_refused')[0]?.payload, { number: '+19005551234', class: 'premium-rate', reason: 'number-class', purpose: 'unspecified', trunk: 'home' }, 'published for the monitor');

  // The trunk's cap is one leg at a time.
  const first = await within(dial('+12125551234'), 30_000, 'the first leg to be answered');
  t.equal(first.state, 'answered', 'the first leg is up');
  const second = await dial('+12125551235').then(() => undefined, (err: unknown) => err);
  t.ok(second instanceof DialingRefusedError, 'a second leg on the same trunk is refused');
  t.match(bus.of('dialing_refused').at(-1)?.payload, { number: '+12125551235', reason: 'trunk-concurrent', trunk: 'home' });
  const during = JSON.parse((await app.inject({ method: 'GET', url: '/api/dialing/stats', headers: ADMIN_AUTH })).body) as { refused: number; byReason: Record<string, number>; caps: { trunks: Record<string, { active: number; lastHour: number }> } };
  t.match(during, { refused: 2, byReason: { 'number-class': 1, 'trunk-concurrent': 1 }, caps: { trunks: { home: { active: 1, lastHour: 1 } } } }, 'counted; one leg up on home');

  const policy = await app.inject({ method: 'GET', url: '/api/dialing/policy', headers: ADMIN_AUTH });
  t.match(JSON.parse(policy.body), { country: 'US', allowClasses: ['domestic', 'toll-free'], agentsMayDialExternal: false, caps: { trunks: { home: { concurrent: 1, perHour: 600 } } } }, 'admins read the policy in force, defaults filled in');

  // Once the first leg ends its place is free again.
  await first.hangup('normal');
  const third = await within(dial('+12125551236'), 30_000, 'the third leg to be answered');
  t.equal(third.state, 'answered', 'a leg after the first ended is placed');
  await third.hangup('normal');

  const logs = (await home.stop(5000)).logs;
  const invited = [...logs.matchAll(/INVITE-NUMBER (\S+)/g)].map((m) => m[1]);
  t.same(invited, ['+12125551234', '+12125551236'], 'only the two allowed legs reached the trunk');
});
