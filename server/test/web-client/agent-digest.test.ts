// The admin console's agent editor marks an older phone "MD5 only" (headless
// Chromium): the save reaches the SIP credentials, so the registrar offers that
// phone MD5 alone, and the editor shows the choice when opened again.

import t from 'tap';
import { seedPeople, startAccessServer } from '../access/harness.js';
import { openAdminAgents } from '../browser.js';
import { waitFor } from '../../../telephony/test/sip-stack/helpers.js';

const wait = { timeout: 15_000 };

t.test('admin console: an agent softphone is marked "MD5 only (older phones)" and back; SHA-256 is the default', { timeout: 120_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server); // ann and bob: softphones without a device secret
  const credentials = server.services.get('sipCredentials');
  const page = await openAdminAgents(t, server.url);

  await page.click('#agent-new');
  await page.fill('#agent-login', 'dan');
  await page.fill('#agent-name', 'Dan');
  t.equal(await page.inputValue('#agent-device-digest'), 'sha-256', 'a new softphone defaults to SHA-256');
  t.match(await page.textContent('#agent-device-digest'), /SHA-256 \(recommended\)[\s\S]*MD5 only \(older phones\)/, 'the choices say which to pick');
  await page.selectOption('#agent-device-digest', 'md5');
  await page.click('#agent-form-save');
  await page.waitForSelector('#agent-sip-secret[data-sip-secret="set"]', wait);
  t.equal(credentials.digest('dan'), 'md5', 'the save marked the phone MD5 only');

  await page.click('#agent-list tr[data-agent="ann"]');
  await page.waitForFunction(() => (document.querySelector('#agent-name') as HTMLInputElement | null)?.value === 'ANN', undefined, wait);
  await page.click('#agent-list tr[data-agent="dan"]');
  await page.waitForFunction(() => (document.querySelector('#agent-device-digest') as HTMLSelectElement | null)?.value === 'md5', undefined, wait);
  t.pass('opened again, the editor shows MD5 only');
  await page.selectOption('#agent-device-digest', 'sha-256');
  await page.click('#agent-form-save');
  await waitFor(() => credentials.digest('dan') === 'sha-256', 15_000, 'the save to set SHA-256 first again');
  t.pass('set back to SHA-256 first');

  await page.selectOption('#agent-device', 'external');
  t.equal(await page.$('#agent-device-digest'), null, 'a phone reached through a trunk has no digest to choose');
});

