// The admin console's API tokens section in headless Chromium: the admin makes an
// agent token for ann through the form, sees its secret once, the token works as
// ann over the API, and "Revoke" makes it stop at once.

import t from 'tap';
import { seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

t.test('an admin makes a token, sees its secret once, and revokes it', { timeout: 120_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
  page.on('dialog', (dialog) => void dialog.accept());

  await page.goto(`${server.url}/app/#/admin/api-tokens`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'ada-password');
  await page.click('#sign-in');
  await page.waitForSelector('#token-form', { timeout: 15_000 });

  await page.fill('#token-name', 'CRM sync');
  await page.selectOption('#token-role', 'agent');
  await page.fill('#token-agent', 'nobody');
  await page.click('#token-create');
  await page.waitForSelector('#token-problem', { timeout: 10_000 });
  t.match(await page.textContent('#token-problem'), /no agent with login 'nobody'/, "the server's refusal is shown");

  await page.fill('#token-agent', 'ann');
  await page.click('#token-create');
  const secret = (await page.locator('#token-secret code').textContent({ timeout: 10_000 }))?.trim() ?? '';
  t.match(secret, /^tnr_[0-9a-f]{16}_/, 'the secret is shown once');
  const row = page.locator('#token-list tr[data-status="active"]');
  await row.waitFor({ timeout: 10_000 });
  t.match(await row.textContent(), /CRM sync.*ann/, 'the list shows the token and its agent');
  t.notMatch(await page.textContent('#token-list') ?? '', new RegExp(secret.slice(22)), 'but never its secret');

  const me = async () => (await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status;
  t.equal(await me(), 200, 'the token works');
  await row.locator('button[data-revoke]').click();
  await page.waitForSelector('#token-list tr[data-status="revoked"]', { timeout: 10_000 });
  t.equal(await me(), 401, 'revoked: refused at once');
});
