// Shared launcher for the browser end-to-end tests: Debian's Chromium driven by
// playwright-core (never `npx playwright install`: downloads cannot work here).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const APP_URL = process.env.APP_URL || 'http://127.0.0.1:8080/';
export const SHOT_DIR = new URL('../../target/e2e/', import.meta.url).pathname;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
}

/** Opens the app in a fresh page, collecting console errors and page errors. */
export async function openApp(browser, url = APP_URL) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('[data-testid=editor]', { timeout: 15000 });
  return { context, page, errors };
}

/** Saves a screenshot under target/e2e/ (used on failure and for key states). */
export async function shot(page, name) {
  mkdirSync(SHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SHOT_DIR}${name}.png` }).catch(() => {});
}

/** Replaces the editor's text, whatever editor component is behind the test id. */
export async function setEditorText(page, text) {
  const editor = page.locator('[data-testid=editor]');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  if ((await editor.evaluate((el) => el.tagName)) === 'TEXTAREA') {
    await editor.fill(text);
  } else {
    await page.keyboard.insertText(text);
  }
}
