// The admin console's agent editor shows whether the agent's SIP device has its own
// secret and generates a new one, shown once (headless Chromium); a new softphone agent's
// generated secret is shown after the save. After an upgrade every softphone shows
// "missing" here until the admin gives it a secret.

import t from 'tap';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { openAdminAgents } from '../browser.js';

const wait = { timeout: 15_000 };

t.test('admin console: an agent softphone without a secret gets one, shown once', { timeout: 120_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server); // ann and bob: softphones without a device secret
  const page = await openAdminAgents(t, server.url);
  await page.click('#agent-list tr[data-agent="ann"]');

  await page.waitForSelector('#agent-sip-secret[data-sip-secret="missing"]', wait);
  t.match(await page.textContent('#agent-sip-secret'), /missing: the phone cannot register/, 'the editor says the softphone cannot register yet');
  await page.click('#agent-sip-secret-generate');
  await page.waitForSelector('#agent-sip-secret-shown', wait);
  const shown = (await page.textContent('#agent-sip-secret-shown')) ?? '';
  const secret = /: (\S+)$/.exec(shown.trim())?.[1] ?? '';
  t.equal(secret.length, 24, `the new secret is shown once (${secret.length} characters)`);
  await page.waitForSelector('#agent-sip-secret[data-sip-secret="set"]', wait);
  t.pass('the editor shows it is set');
  t.ok(server.services.get('sipCredentials').lookup('ann'), 'the registrar now has credentials for ann');

  const res = await fetch(`${server.url}/api/agents/ann`, { headers: { authorization: basic('ada', 'ada-password') } });
  const body = await res.text();
  t.match(JSON.parse(body), { sipSecret: 'set' });
  t.notOk(body.includes(secret), 'the API never shows the secret again');

  await page.click('#agent-list tr[data-agent="bob"]');
  await page.waitForSelector('#agent-sip-secret[data-sip-secret="missing"]', wait);
  t.equal(await page.$('#agent-sip-secret-shown'), null, "another agent's editor does not show ann's secret");

  // A new softphone agent saved through the form gets its secret in the save's answer: shown there, once.
  await page.click('#agent-new');
  await page.fill('#agent-login', 'dan');
  await page.fill('#agent-name', 'Dan');
  await page.click('#agent-form-save');
  await page.waitForSelector('#agent-sip-secret[data-sip-secret="set"] #agent-sip-secret-shown', wait);
  const danSecret = /: (\S+)$/.exec(((await page.textContent('#agent-sip-secret-shown')) ?? '').trim())?.[1] ?? '';
  t.equal(danSecret.length, 24, 'a new agent\'s generated secret is shown after saving');
  t.not(danSecret, secret);
});
