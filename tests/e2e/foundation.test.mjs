// Foundation end-to-end test (issue 2): the release build loads in real headless Chromium
// with no console error, shows a YAML error with its line, and lists the example's documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openApp, shot, setEditorText } from './browser.mjs';

const EXAMPLE = readFileSync(new URL('../../static/examples/hello-world.yaml', import.meta.url), 'utf8');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('page loads, reports a YAML error with its line, lists the example documents', async (t) => {
  const { page, errors, context } = await openApp(browser);
  try {
    await page.waitForSelector('[data-testid=apply]');
    assert.match(await page.locator('header').innerText(), /kubeplay/);

    // A broken document: an unclosed flow sequence on line 3.
    await setEditorText(page, 'apiVersion: v1\nkind: Pod\nmetadata: [oops\n');
    await page.click('[data-testid=apply]');
    const err = page.locator('.error').first();
    await err.waitFor({ timeout: 10000 });
    assert.match(await err.innerText(), /\b[34]:\d+/, 'error names its line:column');

    // Restore the example and apply it: both documents are listed.
    await setEditorText(page, EXAMPLE);
    await page.click('[data-testid=apply]');
    await page.waitForSelector('.doc', { timeout: 10000 });
    const docs = await page.locator('.doc').allInnerTexts();
    assert.ok(docs.some((d) => d.includes('Deployment/hello-world-deployment')), docs.join('|'));
    assert.ok(docs.some((d) => d.includes('Service/hello-world-lb')), docs.join('|'));
    assert.deepEqual(errors, [], 'no console errors');
  } catch (e) {
    await shot(page, 'foundation-failure');
    throw e;
  } finally {
    await context.close();
  }
});
