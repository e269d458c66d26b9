// The admin console's webhooks section in headless Chromium: the admin adds a
// subscription through the form (the secret is sent, never shown back), an
// agent's state change fails at a receiver answering 500 until the delivery
// lands in the dead-letter list, which shows it with its error; once the
// receiver is fixed, "Retry now" delivers it and the list empties.
// Screenshot: docs/screenshots/admin-webhooks.png.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';
import { tempDir, testConfig } from '../helpers.js';
import { startReceiver } from '../webhooks/receiver.js';

const screenshots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots');

t.test('an admin subscribes a URL and sees, then retries, a dead letter with its error', { timeout: 120_000 }, async (t) => {
  const receiver = await startReceiver(t);
  receiver.answer = { status: 500 };
  const file = path.join(tempDir(t, 'tenor-webhooks-ui-'), 'site.yaml');
  writeFileSync(file, JSON.stringify({ webhooks: { delivery: { attempts: 2, retryBaseMs: 50 } } }));
  const server = await startAccessServer(t, { config: testConfig(t, { TENOR_CONFIG: file }) });
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();

  await page.goto(`${server.url}/app/#/admin/webhooks`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'ada-password');
  await page.click('#sign-in');
  await page.waitForSelector('.admin-body[data-section="webhooks"]', { timeout: 15_000 });

  await page.click('#webhook-new');
  await page.fill('#webhook-id', 'crm');
  await page.fill('#webhook-url', receiver.url);
  await page.fill('#webhook-secret', 'crm-signing-secret-0123');
  await page.check('#webhook-event-agent_state_changed');
  await page.click('#webhook-form-save');
  await page.waitForSelector('#webhooks tr[data-id="crm"]', { timeout: 10_000 });
  t.match(await page.textContent('#webhooks tr[data-id="crm"]'), /agent_state_changed/, 'the list shows the subscription and its event');
  t.equal(await page.inputValue('#webhook-secret'), '', 'the secret box is empty after the save');
  const listed = await fetch(`${server.url}/api/admin/webhooks`, { headers: { authorization: basic('ada', 'ada-password') } }).then((r) => r.text());
  t.match(listed, /"url":"http:\/\/127\.0\.0\.1:\d+\/hook"/, 'the API has it');
  t.notMatch(listed, /crm-signing-secret/, 'without the secret');

  // A state change the receiver refuses twice (attempts: 2) ends in the dead-letter list.
  const ready = await fetch(`${server.url}/api/agents/ann/state`, { method: 'POST', headers: { authorization: basic('ann', 'ann-password'), 'content-type': 'application/json' }, body: '{"state":"ready"}' });
  t.equal(ready.status, 200);
  await receiver.waitFor(2);
  const row = page.locator('#dead-letters tr[data-subscription="crm"]');
  await row.waitFor({ timeout: 20_000 });
  t.match(await row.textContent(), /agent_state_changed/, 'the dead letter names its event');
  t.equal((await row.locator('.dead-letter-error').textContent())?.trim(), 'answered 500', 'and shows the last error');
  await page.click('#webhooks tr[data-id="crm"]');
  await page.waitForSelector('#webhook-event-agent_state_changed:checked');
  await page.screenshot({ path: path.join(screenshots, 'admin-webhooks.png'), fullPage: true });

  receiver.answer = { status: 200 };
  await row.locator('button[data-action="retry"]').click();
  await page.waitForSelector('#dead-letters-none', { timeout: 20_000 });
  await receiver.waitFor(3);
  t.equal(receiver.received[2]?.headers['tenor-delivery'], receiver.received[0]?.headers['tenor-delivery'], 'retry now delivered the same delivery');
  t.match(await page.textContent('#dead-letters-notice'), /Queued again/);
});
