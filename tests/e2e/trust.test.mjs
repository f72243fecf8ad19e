// Web safety end-to-end tests (issue 9 part 4): text from manifests and share links is shown
// as text, never parsed as HTML; a share link may carry only the playground's own commands;
// the page's Content-Security-Policy stops inline scripts and inline event handlers.
//
// Every payload here would, if it reached the DOM as HTML, create an <img> whose error
// handler sets `document.title`. The tests look for the payload as visible text, for any
// <img> or `onerror` attribute in the document, and for the title.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { launch, openApp, shot, setEditorText, APP_URL } from './browser.mjs';

// No quotes inside, so it sits in any YAML scalar and any shell word as it is.
const XSS = '<img src=x onerror=document.title=/pwned/.source>';

// A valid Deployment with the payload in an annotation, an env value and a container
// argument, a ConfigMap (not simulated: the loader says so, naming it) and an invalid Pod
// with it in its name and a label value (so it comes back inside error messages).
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: xss-web
  annotations:
    note: '${XSS}'
spec:
  replicas: 1
  selector:
    matchLabels: {app: xss-web}
  template:
    metadata:
      labels: {app: xss-web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: ['${XSS}']
        env:
        - name: GREETING
          value: '${XSS}'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: xss-config
data:
  page.html: '${XSS}'
---
apiVersion: v1
kind: Pod
metadata:
  name: '${XSS}'
  labels:
    bad: '${XSS}'
spec:
  containers:
  - name: c
    image: nginx
`;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function withApp(name, body, url = APP_URL) {
  const app = await openApp(browser, url);
  try {
    await body(app);
  } catch (e) {
    await shot(app.page, `trust-${name}-failure`);
    throw e;
  } finally {
    await app.context.close();
  }
}

async function runCommand(page, line) {
  const before = await page.locator('[data-testid=terminal-output] .term-entry').count();
  await page.fill('[data-testid=terminal-input]', line);
  await page.press('[data-testid=terminal-input]', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=terminal-output] .term-entry').length > n, before);
  return page.locator('[data-testid=terminal-output] .term-entry').last().innerText();
}

/** A share link as the page writes it: JSON → raw DEFLATE → base64url. */
function shareLink(session) {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(session)));
  return `${APP_URL}#s=${packed.toString('base64url')}`;
}

/** Nothing the payload could have created exists, and nothing ran. */
async function assertInert(page, errors) {
  const dom = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
    title: document.title,
  }));
  assert.equal(dom.imgs, 0, 'no <img> element was created');
  assert.equal(dom.handlers, 0, 'no inline event handler attribute exists');
  assert.notEqual(dom.title, 'pwned');
  // had markup been parsed, the blocked handler would show up as a CSP report
  assert.deepEqual(errors.filter((e) => /Content Security Policy|inline event handler/.test(e)), []);
}

test('names, labels, annotations, env values and messages from YAML render as text', async () => {
  await withApp('yaml', async ({ page, errors }) => {
    await setEditorText(page, MANIFEST);
    // the problems panel lists the invalid name and label with the payload quoted
    await page.click('[data-testid=apply]');
    const applied = await page.locator('[data-testid=terminal-output] .term-entry').last().innerText();
    assert.match(applied, /deployment\.apps\/xss-web created/);
    assert.ok(applied.includes('<img src=x'), `apply's error quotes the bad name as text: ${applied}`);
    const describe = await runCommand(page, 'kubectl describe deployment xss-web');
    assert.ok(describe.includes(`note: ${XSS}`), `annotation as text: ${describe}`);
    assert.match(describe, /GREETING:\s+<img src=x onerror=document\.title=\/pwned\/\.source>/, 'env value as text');
    const yaml = await runCommand(page, 'kubectl get deployment xss-web -o yaml');
    assert.ok(yaml.includes('<img src=x onerror='), `-o yaml as text: ${yaml}`);
    const bad = await runCommand(page, `kubectl get pod '${XSS}'`);
    assert.ok(bad.includes('<img src=x'), `error message quotes the name as text: ${bad}`);
    await page.waitForTimeout(500);
    await assertInert(page, errors);
    await shot(page, 'trust-yaml-as-text');
  });
});

test('text from a share link renders as text', async () => {
  const session = {
    v: 1,
    seed: 5,
    tabs: [{ name: 'xss.yaml', text: MANIFEST }],
    active: 0,
    actions: [
      { t: 0, k: 'apply', p: `xss.yaml\n${MANIFEST}` },
      { t: 2000, k: 'cmd', p: 'kubectl describe deployment xss-web' },
      { t: 2000, k: 'cmd', p: `kubectl get pods ${XSS}` },
    ],
    now: 4000,
  };
  await withApp('share-text', async ({ page, errors }) => {
    await page.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent === '00:00:04.0');
    assert.equal(await page.inputValue('[data-testid=editor]'), MANIFEST);
    const out = await page.locator('[data-testid=terminal-output]').innerText();
    assert.ok(out.includes(`note: ${XSS}`), out);
    assert.ok(out.includes(`kubectl get pods ${XSS}`), 'the command line echoed as text');
    await page.waitForTimeout(500);
    await assertInert(page, errors);
  }, shareLink(session));
});

test('a share link carrying a command that is not the playground\'s is refused', async () => {
  for (const line of ['kubeplay-debug-panic', XSS, 'rm -rf /']) {
    const session = {
      v: 1,
      seed: 9,
      tabs: [{ name: 'x.yaml', text: 'kind: ConfigMap\n' }],
      active: 0,
      actions: [
        { t: 0, k: 'cmd', p: 'kubectl get nodes' },
        { t: 1000, k: 'cmd', p: line },
      ],
      now: 3000,
    };
    await withApp('share-refused', async ({ page, errors }) => {
      const banner = page.locator('.banner-error');
      await banner.waitFor({ timeout: 10000 });
      const text = await banner.innerText();
      assert.match(text, /share link in the address cannot be opened: action 2 runs `/);
      assert.ok(text.includes(line), `the refused line quoted as text: ${text}`);
      assert.match(text, /not a playground command/);
      // nothing from the link ran: fresh page, empty terminal, no panic panel
      assert.equal(await page.locator('[data-testid=panic]').count(), 0);
      assert.equal(await page.locator('[data-testid=terminal-output] .term-entry').count(), 0);
      assert.notEqual(await page.inputValue('input[aria-label=seed]'), '9');
      await assertInert(page, errors);
    }, shareLink(session));
  }
});

test('damaged, oversized and bomb links say why and the page keeps working', async () => {
  const cases = [
    ['#s=%%%', /cannot be part of a share link/],
    [`#s=${deflateRawSync(Buffer.alloc(32 << 20, 32)).toString('base64url')}`, /unpacks to more than 4 MiB/],
    [`#s=${deflateRawSync(Buffer.from('{"v":1}')).toString('base64url')}`, /does not hold a session: missing field/],
    [`#s=${deflateRawSync(Buffer.from(JSON.stringify({ v: 1, seed: 1, tabs: [], actions: [], now: 1e15 }))).toString('base64url')}`, /past 100 days/],
  ];
  for (const [hash, why] of cases) {
    await withApp('share-damaged', async ({ page }) => {
      const banner = page.locator('.banner-error');
      await banner.waitFor({ timeout: 10000 });
      assert.match(await banner.innerText(), why);
      assert.match(await runCommand(page, 'kubectl get nodes'), /Ready/, 'the page still works');
    }, `${APP_URL}${hash}`);
  }
});

test('the CSP stops inline event handlers, not just inline <script>', async () => {
  await withApp('csp', async ({ page }) => {
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'|\*|data:|blob:/, scriptSrc);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /base-uri 'self'/);
    // markup that did reach the DOM as HTML still could not run its handler
    const handler = await page.evaluate(() => new Promise((resolve) => {
      window.__handler = 0;
      const box = document.createElement('div');
      box.innerHTML = '<img src="x-missing.png" onerror="window.__handler = 1">';
      document.body.appendChild(box);
      setTimeout(() => { box.remove(); resolve(window.__handler); }, 800);
    }));
    assert.equal(handler, 0, 'inline onerror handler blocked');
  });
});
