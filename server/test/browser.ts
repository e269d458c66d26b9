// Headless Debian Chromium driven by playwright-core (Playwright's own browser
// download cannot run here). The flags keep it from reaching for the network.

import { chromium, type Browser } from 'playwright-core';
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
