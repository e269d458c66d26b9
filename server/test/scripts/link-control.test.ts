// Self-service links over real HTTP: a lifetime cap (minting longer is
// refused; a link signed for longer, or an old-form one-year link, is refused
// when opened), withdrawal by id (supervisors and admins), key rotation that
// invalidates every link out there, and a limit on opening links per address.

import t, { type Test } from 'tap';
import { installationSecret } from '../../src/core/secret.js';
import { signLink } from '../../src/services/scripts/links.js';
import type { SelfServiceSettings } from '../../src/services/scripts/settings.js';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { ADMIN_AUTH, testConfig } from '../helpers.js';

const DAY = 86_400;

async function site(t: Test, selfService: SelfServiceSettings = {}) {
  const config = { ...testConfig(t), selfService };
  const server: AccessServer = await startAccessServer(t, { config });
  const call = async (method: string, url: string, body?: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${url}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { error?: { code: string } } };
  };
  const customer = (await call('POST', '/api/customers', { name: 'Grace', phones: ['+12125550142'] }, ADMIN_AUTH)).body as { id: number };
  const mint = async (validHours: number, headers: Record<string, string> = ADMIN_AUTH) =>
    call('POST', '/api/scripts/report-a-fault/links', { customerId: customer.id, validHours }, headers);
  const open = (token: string) => call('GET', `/api/self-service/links/${encodeURIComponent(token)}`);
  const start = (token: string) => call('POST', '/api/self-service/sessions', { token });
  return { server, config, call, customer, mint, open, start };
}

t.test('a link lives at most selfService.linkMaxDays', async (t) => {
  const s = await site(t);
  const tooLong = await s.mint(24 * 8);
  t.same([tooLong.status, tooLong.body.error?.code], [400, 'TENOR_ERR_LINK_LIFETIME'], 'an 8-day link is refused (default cap 7 days)');
  t.equal((await s.mint(24 * 7)).status, 201, 'a 7-day link is made');

  const now = Math.floor(Date.now() / 1000);
  const scripts = s.server.services.get('scripts');
  const stale = scripts.signLink({ scriptId: 'report-a-fault', customerId: s.customer.id, issuedAt: now - 8 * DAY, expiresAt: now + DAY });
  t.same([(await s.open(stale)).status, (await s.start(stale)).body.error?.code], [403, 'TENOR_ERR_LINK_INVALID'], 'a link older than the cap is refused');
  // What the old code minted: a one-year link with no issue time, signed with the installation secret.
  const yearLong = signLink(installationSecret(s.config.dataDir), { scriptId: 'report-a-fault', customerId: s.customer.id, expiresAt: now + 365 * DAY });
  const opened = await s.start(yearLong);
  t.same([opened.status, opened.body.error?.code], [403, 'TENOR_ERR_LINK_INVALID'], 'an old one-year link is refused');
  const shortOld = signLink(installationSecret(s.config.dataDir), { scriptId: 'report-a-fault', customerId: s.customer.id, expiresAt: now + 2 * DAY });
  t.equal((await s.start(shortOld)).status, 201, 'an old link within the cap still works');

  const site14 = await site(t, { linkMaxDays: 14 });
  t.equal((await site14.mint(24 * 8)).status, 201, 'a site may allow longer links');
});

t.test('a withdrawn link is refused; only supervisors and admins withdraw', async (t) => {
  const s = await site(t);
  await seedPeople(s.server);
  const link = (await s.mint(24)).body as { id: string; token: string };
  t.equal((await s.open(link.token)).status, 200, 'the link opens');
  t.equal((await s.call('DELETE', `/api/script-links/${link.id}`, undefined, { authorization: basic('ann', 'ann-password') })).status, 403, 'an agent cannot withdraw a link');
  t.equal((await s.call('DELETE', `/api/script-links/${link.id}`, undefined, { authorization: basic('sue', 'sue-password') })).status, 204, 'a supervisor withdraws it');
  const opened = await s.open(link.token);
  t.same([opened.status, opened.body.error?.code], [403, 'TENOR_ERR_LINK_REVOKED'], 'opening it is refused');
  t.equal((await s.start(link.token)).body.error?.code, 'TENOR_ERR_LINK_REVOKED', 'starting a run too');
  const other = (await s.mint(24)).body as { token: string };
  t.equal((await s.start(other.token)).status, 201, 'other links keep working');
});

t.test('rotating the key invalidates every link made before', async (t) => {
  const s = await site(t);
  await seedPeople(s.server);
  const before = (await s.mint(24)).body as { token: string };
  t.equal((await s.call('POST', '/api/script-links/rotate-key', {}, { authorization: basic('sue', 'sue-password') })).status, 403, 'a supervisor cannot rotate the key');
  const rotated = await s.call('POST', '/api/script-links/rotate-key', {}, ADMIN_AUTH);
  t.same([rotated.status, rotated.body['generation']], [200, 1], 'an admin rotates it');
  t.equal((await s.open(before.token)).body.error?.code, 'TENOR_ERR_LINK_INVALID', 'a link made before is refused');
  const after = (await s.mint(24)).body as { token: string };
  t.equal((await s.start(after.token)).status, 201, 'a new link works');

  // The rotation survives a restart.
  await s.server.stop();
  const again = await startAccessServer(t, { config: s.config });
  t.equal((await fetch(`${again.url}/api/self-service/links/${encodeURIComponent(before.token)}`)).status, 403, 'still refused after a restart');
  t.equal((await fetch(`${again.url}/api/self-service/links/${encodeURIComponent(after.token)}`)).status, 200, 'the new link still opens');
});

t.test('opening links is limited per client address', async (t) => {
  const s = await site(t, { opensPerAddressPerHour: 5 });
  const link = (await s.mint(24)).body as { token: string };
  for (let i = 1; i <= 5; i++) t.equal((await s.open(link.token)).status, 200, `open ${i}`);
  const sixth = await s.open(link.token);
  t.same([sixth.status, sixth.body.error?.code], [429, 'TENOR_ERR_SELF_SERVICE_LIMIT'], 'the sixth within the hour is refused');
  t.ok(Number(sixth.retryAfter) > 0, 'with Retry-After');
  const forged = await s.open('x'.repeat(40) + '.' + 'y'.repeat(43));
  t.equal(forged.status, 429, 'guessing tokens counts against the same limit');
});
