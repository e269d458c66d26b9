// Headless Debian Chromium driven by playwright-core (Playwright's own browser
// download cannot run here). The flags keep it from reaching for the network.

import { chromium, type Browser, type Page } from 'playwright-core';
import type { Test } from 'tap';

export async function launchBrowser(t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  return browser;
}

/** A page signed in as the seeded admin `ada` with the admin console's agents section open. */
export async function openAdminAgents(t: Test, serverUrl: string): Promise<Page> {
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${serverUrl}/app/`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'ada-password');
  await page.click('#sign-in');
  await page.waitForSelector('nav.tabs a', { timeout: 15_000 });
  await page.click('nav.tabs a[data-page="admin"]');
  await page.click('#admin-sections a[data-section="agents"]');
  return page;
}
