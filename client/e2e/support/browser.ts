// Headless Chromium as Debian ships it, driven by playwright-core; no browser is downloaded.
import { Browser, Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Each launch runs on a fresh temporary profile (playwright makes and removes it). */
export const launchBrowser = (executablePath = CHROMIUM): Promise<Browser> => chromium.launch({ executablePath, args: ARGS, headless: true });

/** A page of its own (own storage, so its own user) signed in as `user` on `base`. */
export const signIn = async (browser: Browser, base: string, user: string, hash = '#/chat/lobby', viewport = { width: 1280, height: 800 }): Promise<Page> => {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${base}/${hash}`);
  await page.getByLabel('Your name').fill(user);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('[data-connection="open"]').waitFor();
  return page;
};
