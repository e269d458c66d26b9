// SHA-256 offered first by default, MD5 alone for a device the admin marks as an
// older phone, over real SIP on 127.0.0.1:
//  - an older phone (baresip 1.0.0 gives up when offered SHA-256) marked 'md5'
//    registers on its first try, not on its retry ~37 s later;
//  - a device left at the default is challenged SHA-256 first, then MD5 (RFC 8760),
//    and an RFC 8760 client registers with it;
//  - an unknown user gets exactly that challenge (the attack: telling which SIP
//    users exist, or which are older phones, from the 401);
//  - the admin API and the site file set the choice, and it outlives a new secret.

import t, { type Test } from 'tap';
import { describeSipp, normalised401, runSipp } from '../../../telephony/test/peers/index.js';
import { registerStatus, softphoneRegisters, startSipSite, type SipSite } from './site.js';

const OLD_SECRET = 'older-phone-device-secret';
const NEW_SECRET = 'modern-phone-device-secret';

/** The 401 Tenor answers an unauthenticated REGISTER as `user` with, nonce and addresses blanked. */
async function challengeFor(t: Test, site: SipSite, user: string): Promise<string> {
  const run = await runSipp({ scenario: 'uac-register-expect-401.xml', remote: site.sip, calls: 1, vars: { user }, timeoutMs: 15_000 });
  t.equal(run.code, 0, `REGISTER as ${user} is challenged${run.code === 0 ? '' : `: ${describeSipp(run)}`}`);
  return normalised401(run.logs);
}

const algorithmsIn = (challenge: string): string[] => [...challenge.matchAll(/^WWW-Authenticate: Digest .*algorithm=([\w-]+)/gm)].map((m) => m[1] ?? '');

t.test('an older phone marked md5 registers at once; a device at the default and an unknown user get the same SHA-256-first challenge', async (t) => {
  const site = await startSipSite(t, {
    queues: [{ name: 'sales' }],
    agents: [
      { login: 'oldie', name: 'Old Phone', device: { type: 'softphone', secret: OLD_SECRET, digest: 'md5' }, queues: [{ queue: 'sales' }] },
      { login: 'neo', name: 'New Phone', device: { type: 'softphone', secret: NEW_SECRET }, queues: [{ queue: 'sales' }] },
    ],
  });

  const old = await softphoneRegisters(t, site, 'oldie', OLD_SECRET);
  t.equal(old.state, 'ok', `baresip 1.0.0, marked md5, registers on its first try${old.state === 'ok' ? '' : ` (${old.log})`}`);

  const neo = await challengeFor(t, site, 'neo');
  t.same(algorithmsIn(neo), ['SHA-256', 'MD5'], 'a device at the default is offered SHA-256 first, then MD5');
  t.equal(neo, await challengeFor(t, site, 'mallory'), 'an unknown user gets the very same 401 apart from the nonce');
  t.same(algorithmsIn(await challengeFor(t, site, 'oldie')), ['MD5'], 'the older phone is offered MD5 alone');
  t.equal(await registerStatus(site, 'neo', NEW_SECRET), 200, 'an RFC 8760 client registers a device at the default (answering SHA-256, the first it supports)');

  const agents = (await site.api('GET', '/api/agents')).body as unknown as { login: string; sipDigest?: string; device: Record<string, unknown> }[];
  t.match(agents.find((a) => a.login === 'oldie'), { sipDigest: 'md5' }, 'the admin API shows the choice');
  t.match(agents.find((a) => a.login === 'neo'), { sipDigest: 'sha-256' }, 'and the default');
  t.notOk('digest' in (agents.find((a) => a.login === 'oldie')?.device ?? {}), 'the choice is kept with the credentials, not in the profile events carry');
});

t.test('the admin API marks a device md5 and back; the choice outlives a new secret and follows the site file for secrets generated later', async (t) => {
  const site = await startSipSite(t, {
    queues: [{ name: 'sales' }],
    agents: [{ login: 'late', name: 'Late', device: { type: 'softphone', digest: 'md5' }, queues: [{ queue: 'sales' }] }],
  });

  t.match((await site.api('GET', '/api/agents/late')).body, { sipSecret: 'missing', sipDigest: 'md5' }, "before it has a secret, the agent view shows the site file's choice (the admin console's editor keeps it)");
  const generated = await site.api('POST', '/api/agents/late/sip-secret', {});
  t.equal(generated.status, 200);
  t.match((await site.api('GET', '/api/agents/late')).body, { sipSecret: 'set', sipDigest: 'md5' }, "a secret generated later keeps the site file's md5");

  const bob = await site.api('PUT', '/api/agents/bob', { name: 'Bob', device: { type: 'softphone', digest: 'md5' }, queues: [{ queue: 'sales' }] });
  t.match(bob.body, { sipSecret: 'set', sipDigest: 'md5' }, 'a new agent saved as an older phone');
  t.same(algorithmsIn(await challengeFor(t, site, 'bob')), ['MD5'], 'is offered MD5 alone');
  await site.api('POST', '/api/agents/bob/sip-secret', {});
  t.same(algorithmsIn(await challengeFor(t, site, 'bob')), ['MD5'], 'and still after a new secret');
  t.match((await site.api('PUT', '/api/agents/bob', { name: 'Bob', device: { type: 'softphone', digest: 'sha-256' }, queues: [{ queue: 'sales' }] })).body, { sipDigest: 'sha-256' });
  t.same(algorithmsIn(await challengeFor(t, site, 'bob')), ['SHA-256', 'MD5'], 'back at the default: SHA-256 first');
  const invalid = await site.api('PUT', '/api/agents/bob', { name: 'Bob', device: { type: 'softphone', digest: 'sha-1' }, queues: [{ queue: 'sales' }] });
  t.equal(invalid.status, 400, 'an algorithm that is not offered is refused');

  // A supervisor's softphone.
  await site.services.get('users').create({ username: 'sue', password: 'sue-web-password', role: 'supervisor' });
  t.equal((await site.api('PUT', '/api/users/sue/sip-secret/digest', { digest: 'md5' })).status, 404, 'no device secret yet: nothing to mark');
  const sue = await site.api('POST', '/api/users/sue/sip-secret', { digest: 'md5' });
  t.equal(sue.status, 200);
  t.same((await site.api('GET', '/api/users/sue/sip-secret')).body, { sipUser: 'sue', sipSecret: 'set', sipDigest: 'md5' });
  t.same(algorithmsIn(await challengeFor(t, site, 'sue')), ['MD5'], "the supervisor's older phone is offered MD5 alone");
  t.same((await site.api('PUT', '/api/users/sue/sip-secret/digest', { digest: 'sha-256' })).body, { sipUser: 'sue', sipDigest: 'sha-256' });
  t.same(algorithmsIn(await challengeFor(t, site, 'sue')), ['SHA-256', 'MD5']);
  t.equal(await registerStatus(site, 'sue', String(sue.body['secret'])), 200, 'the secret was kept');
});
