// SIP credentials of their own, over real SIP on 127.0.0.1: the registrar
// no longer accepts web passwords (the attack: guessing admin's password
// through REGISTER), devices register with their device secret, and the
// admin API generates, shows once, rotates and removes those secrets.

import t from 'tap';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';
import { registerStatus, softphoneRegisters, startSipSite } from './site.js';

const ADMIN_WEB_PASSWORD = 'pw-admin-secret'; // testConfig's TENOR_ADMIN_PASSWORD
const REFUSED = [401, 403];

t.test("a REGISTER answering the challenge with a web password is refused, admin's included; the device secret registers", async (t) => {
  const site = await startSipSite(t, withDeviceSecrets({
    queues: [{ name: 'sales' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-web-password', queues: [{ queue: 'sales' }] }],
  }));

  // One answer each: the registrar's per-user lockout would answer any further try 503 without checking it.
  const adminStatus = await registerStatus(site, 'admin', ADMIN_WEB_PASSWORD);
  t.ok(REFUSED.includes(adminStatus), `a REGISTER as admin answering the challenge with the admin's web password is refused (${adminStatus})`);
  const admin = await softphoneRegisters(t, site, 'admin', ADMIN_WEB_PASSWORD);
  t.equal(admin.state, 'failed', 'and so is a real softphone trying it');
  const annWebStatus = await registerStatus(site, 'ann', 'ann-web-password');
  t.ok(REFUSED.includes(annWebStatus), `ann's web password does not register as ann (${annWebStatus})`);

  const annDevice = await softphoneRegisters(t, site, 'ann', deviceSecret('ann'));
  t.equal(annDevice.state, 'ok', `ann's device secret from the site file registers it${annDevice.state === 'ok' ? '' : ` (${annDevice.log})`}`);

  const agents = (await site.api('GET', '/api/agents')).body as unknown as { login: string; sipSecret: string }[];
  t.match(agents.find((a) => a.login === 'ann'), { sipSecret: 'set' }, 'the admin API shows the secret is set');
  t.notOk(JSON.stringify(agents).includes(deviceSecret('ann')), 'but never the secret itself');
});

t.test('an agent created through the API gets a generated secret, shown once; a new one replaces it', async (t) => {
  const site = await startSipSite(t, { queues: [{ name: 'sales' }] });

  const created = await site.api('PUT', '/api/agents/bob', { name: 'Bob', queues: [{ queue: 'sales' }] });
  t.equal(created.status, 200);
  const first = String(created.body['secret']);
  t.match(created.body, { login: 'bob', sipSecret: 'set' }, 'the answer that creates the softphone says its secret is set');
  t.ok(Buffer.from(first, 'base64url').length >= 16, `and shows the generated secret, at least 128 bits (${first.length} characters)`);
  const again = await site.api('GET', '/api/agents/bob');
  t.notOk('secret' in again.body, 'reading the agent never shows it again');
  t.equal((await site.api('PUT', '/api/agents/bob', { name: 'Bob B.', queues: [{ queue: 'sales' }] })).body['secret'], undefined, 'nor does an edit');
  t.equal(await registerStatus(site, 'bob', first), 200, 'the generated secret registers');

  const rotated = await site.api('POST', '/api/agents/bob/sip-secret', {});
  t.equal(rotated.status, 200);
  t.match(rotated.body, { login: 'bob', sipUser: 'bob' });
  const second = String(rotated.body['secret']);
  t.not(second, first, 'a new secret');
  t.ok(REFUSED.includes(await registerStatus(site, 'bob', first)), 'the old secret stops working');
  t.equal(await registerStatus(site, 'bob', second), 200, 'the new one registers');

  const chosen = await site.api('POST', '/api/agents/bob/sip-secret', { secret: 'bob-chosen-secret-42' });
  t.equal(chosen.body['secret'], 'bob-chosen-secret-42', 'the admin may choose the secret');
  t.equal(await registerStatus(site, 'bob', 'bob-chosen-secret-42'), 200);
  const short = await site.api('POST', '/api/agents/bob/sip-secret', { secret: 'too-short' });
  t.equal(short.status, 400, 'a chosen secret needs at least 16 characters');

  // A device reached through a trunk has no SIP credentials at all.
  const external = await site.api('PUT', '/api/agents/bob', { name: 'Bob', device: { type: 'external', number: '+12125550123' }, queues: [{ queue: 'sales' }] });
  t.match(external.body, { sipSecret: 'none' }, 'an external number has no SIP device');
  t.ok(REFUSED.includes(await registerStatus(site, 'bob', 'bob-chosen-secret-42')), 'and the softphone secret went with the softphone');
  const refused = await site.api('POST', '/api/agents/bob/sip-secret', {});
  t.match(refused, { status: 400, body: { error: { code: 'TENOR_ERR_VALIDATION' } } }, 'no secret for a device without SIP');

  t.equal((await site.api('DELETE', '/api/agents/bob')).status, 204);
  t.equal((await site.api('PUT', '/api/agents/bob', { name: 'Bob again', queues: [{ queue: 'sales' }] })).body['sipSecret'], 'set', 'a new agent of that name gets a new secret');
  t.ok(REFUSED.includes(await registerStatus(site, 'bob', 'bob-chosen-secret-42')), 'an earlier secret never comes back');
});

t.test("a supervisor's softphone registers only with a device secret the admin gives it", async (t) => {
  const site = await startSipSite(t, { queues: [{ name: 'sales' }] });
  await site.services.get('users').create({ username: 'sue', password: 'sue-web-password', role: 'supervisor' });
  t.ok(REFUSED.includes(await registerStatus(site, 'sue', 'sue-web-password')), "sue's web password does not register");
  t.same((await site.api('GET', '/api/users/sue/sip-secret')).body, { sipUser: 'sue', sipSecret: 'missing' });

  const given = await site.api('POST', '/api/users/sue/sip-secret', {});
  t.equal(given.status, 200);
  const secret = String(given.body['secret']);
  t.equal(await registerStatus(site, 'sue', secret), 200, 'the generated secret registers her softphone');
  t.same((await site.api('GET', '/api/users/sue/sip-secret')).body, { sipUser: 'sue', sipSecret: 'set', sipDigest: 'sha-256' }, 'with the default digest: SHA-256 first');

  t.equal((await site.api('DELETE', '/api/users/sue/sip-secret')).status, 204);
  t.ok(REFUSED.includes(await registerStatus(site, 'sue', secret)), 'removed, it stops working');
  await site.api('POST', '/api/users/sue/sip-secret', { secret: 'sue-secret-again-1' });
  t.equal((await site.api('DELETE', '/api/users/sue')).status, 204, 'sue deleted');
  t.ok(REFUSED.includes(await registerStatus(site, 'sue', 'sue-secret-again-1')), "a deleted user's softphone no longer registers");
  t.equal((await site.api('POST', '/api/users/nobody/sip-secret', {})).status, 404);
});
