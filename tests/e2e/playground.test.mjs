// Playground end-to-end tests (issue 8): the editor, controls, terminal, persistence, share
// links and the seed's story, driven through the UI in headless Chromium. Screenshots of key
// states go to target/e2e/. Performance numbers go to target/e2e/perf.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { launch, openApp, shot, setEditorText, APP_URL, SHOT_DIR } from './browser.mjs';

const EXAMPLE = readFileSync(new URL('../../static/examples/hello-world.yaml', import.meta.url), 'utf8');
const IDS = ['editor', 'apply', 'terminal-input', 'terminal-output', 'play-pause', 'speed', 'clock',
  'cluster-canvas', 'cluster-summary', 'events', 'inspector'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Runs `body` with a fresh app page; screenshot on failure. */
async function withApp(name, body, url = APP_URL) {
  const app = await openApp(browser, url);
  try {
    await body(app);
  } catch (e) {
    await shot(app.page, `playground-${name}-failure`);
    throw e;
  } finally {
    await app.context.close();
  }
}

const clockMs = async (page) => {
  const t = await page.locator('[data-testid=clock]').innerText();
  const m = t.match(/(\d+):(\d+):(\d+)\.(\d)/);
  assert.ok(m, `clock text ${t}`);
  return ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 + +m[4] * 100;
};

async function runCommand(page, line) {
  const before = await page.locator('[data-testid=terminal-output] .term-entry').count();
  await page.fill('[data-testid=terminal-input]', line);
  await page.press('[data-testid=terminal-input]', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=terminal-output] .term-entry').length > n, before);
  return page.locator('[data-testid=terminal-output] .term-entry').last().innerText();
}

test('every test hook exists, no inline script, CSP set, no console error', async () => {
  await withApp('hooks', async ({ page, errors }) => {
    for (const id of IDS) {
      assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, `data-testid=${id}`);
    }
    const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
    assert.equal(inline, 0, 'no inline scripts');
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    // the CSP really is enforced: an injected inline script must not run
    const ran = await page.evaluate(() => {
      window.__x = 0;
      const s = document.createElement('script');
      s.textContent = 'window.__x = 1';
      document.body.appendChild(s);
      return window.__x;
    });
    assert.equal(ran, 0, 'inline script blocked by CSP');
    await shot(page, 'playground-initial');
    const real = errors.filter((e) => !/Content Security Policy/.test(e));
    assert.deepEqual(real, []);
  });
});

test('editor: highlighting, line numbers, inline diagnostics and problems list', async () => {
  await withApp('editor', async ({ page }) => {
    assert.ok(await page.locator('.editor-box .t-key').count() > 5, 'keys highlighted');
    assert.equal(await page.locator('.gutter .gl').count(), EXAMPLE.split('\n').length);
    await setEditorText(page, 'apiVersion: v1\nkind: Pod\nmetadata: [oops\n');
    await page.waitForSelector('.gl-error');
    const marker = await page.locator('.gl-error').first();
    assert.match(await marker.getAttribute('title'), /\d+:\d+: /, 'gutter marker explains');
    assert.ok(await page.locator('.diag').count() >= 1, 'underline at line:column');
    assert.match(await page.locator('.problems .error').first().innerText(), /^[34]:\d+/);
    await shot(page, 'playground-diagnostics');
    // Ctrl+Enter applies
    await setEditorText(page, EXAMPLE);
    await page.locator('[data-testid=editor]').press('Control+Enter');
    await page.waitForSelector('.doc');
    assert.deepEqual(await page.locator('.doc').allInnerTexts(),
      ['Deployment/hello-world-deployment', 'Service/hello-world-lb']);
  });
});

test('tabs and the examples menu', async () => {
  await withApp('tabs', async ({ page }) => {
    const labels = await page.locator('select[aria-label=examples] option').allInnerTexts();
    assert.equal(labels.length, 7, labels.join('|'));
    await page.selectOption('select[aria-label=examples]', { label: 'Node-failure drill' });
    await page.waitForSelector('.tab.active >> text=node-failure.yaml');
    assert.match(await page.inputValue('[data-testid=editor]'), /kind: PodDisruptionBudget/);
    await page.click('.tab-new');
    assert.equal(await page.locator('.tab').count(), 3);
    assert.equal(await page.inputValue('[data-testid=editor]'), '');
    await page.click('.tab >> text=hello-world.yaml');
    assert.match(await page.inputValue('[data-testid=editor]'), /hello-world-deployment/);
  });
});

/** Waits until the virtual clock reads at least `min` ms (no eval: the page's CSP forbids it). */
const waitClock = (page, min, timeout = 15000) => page.waitForFunction((min) => {
  const m = document.querySelector('[data-testid=clock]').textContent.match(/(\d+):(\d+):(\d+)\.(\d)/);
  return ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 + +m[4] * 100 >= min;
}, min, { timeout });

test('controls: play/pause, speed, step, reset; the clock is virtual time', async () => {
  await withApp('controls', async ({ page }) => {
    assert.equal(await clockMs(page), 0);
    const w0 = Date.now();
    await page.click('[data-testid=play-pause]');
    // Yew re-renders on its next tick; on a loaded machine that can be after the click returns.
    await page.waitForSelector('[data-testid=play-pause][aria-pressed=true]', { timeout: 5000 });
    await waitClock(page, 1000);
    const wall = Date.now() - w0;
    await page.click('[data-testid=play-pause]');
    assert.ok(wall >= 900, `1x: 1 s of virtual time took only ${wall} ms of wall time`);
    await page.waitForTimeout(300); // the clock display follows within a frame or two
    const t1 = await clockMs(page);
    await page.waitForTimeout(400);
    assert.equal(await clockMs(page), t1, 'paused clock stays');
    await page.selectOption('[data-testid=speed]', '100');
    await page.click('[data-testid=play-pause]');
    await waitClock(page, t1 + 30000); // 30 s of virtual time: ~0.3 s of wall time
    await page.click('[data-testid=play-pause]');
    const t2 = await clockMs(page);
    await page.click('button:has-text("Step")');
    await waitClock(page, t2 + 50);
    await page.click('button:has-text("Reset")');
    await page.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent === '00:00:00.0');
  });
});

test('timeline: scrubbing back replays the run to that time', async () => {
  await withApp('timeline', async ({ page }) => {
    await page.click('[data-testid=apply]');
    await page.selectOption('[data-testid=speed]', '100');
    await page.click('[data-testid=play-pause]');
    await waitClock(page, 20000);
    await page.click('[data-testid=play-pause]');
    await runCommand(page, 'kubectl get pods');
    const entries = await page.locator('.term-entry').count();
    // drag the timeline back to 5 s (a range input: set its value and fire `change`)
    await page.locator('input.timeline').evaluate((el) => {
      el.value = '5000';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('[data-testid=clock]').textContent === '00:00:05.0');
    assert.equal(await page.locator('.term-entry').count(), entries - 1, 'the later command is undone');
    // forward again: the scripted command replays at its time
    await page.locator('input.timeline').evaluate((el) => {
      el.value = el.max;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction((n) => document.querySelectorAll('.term-entry').length === n, entries);
  });
});

test('timeline: scrubbing back is instant (replay checkpoints), figures in scrub.json', async () => {
  await withApp('scrub', async ({ page }) => {
    // 150 pods for 20 virtual minutes: enough work that replaying it from 0 shows
    await page.click('[data-testid=apply]');
    await runCommand(page, 'kubectl scale deployment hello-world-deployment --replicas=150');
    await page.selectOption('[data-testid=speed]', '1000');
    await page.click('[data-testid=play-pause]');
    await waitClock(page, 20 * 60 * 1000, 60000);
    await page.click('[data-testid=play-pause]');
    await page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid=play-pause]').textContent));
    // from the page's clock: set the timeline, wait until the virtual clock shows the target
    const scrub = (ms) => page.evaluate((ms) => new Promise((res) => {
      const el = document.querySelector('input.timeline');
      const want = new Date(ms).toISOString().slice(11, 21);
      const t0 = performance.now();
      el.value = String(ms);
      el.dispatchEvent(new Event('change', { bubbles: true }));
      const check = () => {
        if (document.querySelector('[data-testid=clock]').textContent === want) res(performance.now() - t0);
        else requestAnimationFrame(check);
      };
      check();
    }), ms);
    const res = {
      back_to_19m_ms: Math.round(await scrub(19 * 60 * 1000)),
      back_to_10m_ms: Math.round(await scrub(10 * 60 * 1000)),
      back_to_30s_ms: Math.round(await scrub(30 * 1000)),
      forward_to_20m_ms: Math.round(await scrub(20 * 60 * 1000)),
      load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    mkdirSync(SHOT_DIR, { recursive: true });
    writeFileSync(`${SHOT_DIR}scrub.json`, JSON.stringify(res, null, 2));
    console.log('# scrub', JSON.stringify(res));
    // the summary after a scrub matches the state at that time: all 150 pods Running
    assert.match(await page.locator('[data-testid=cluster-summary]').innerText(), /\b150 Running\b/);
    if (process.env.PERF_STRICT === '1') {
      assert.ok(res.back_to_10m_ms < 200, `scrub back took ${res.back_to_10m_ms} ms`);
    }
  });
});

test('the canvas tooltip goes when the pointer leaves or the focus moves away', async () => {
  await withApp('tooltip', async ({ page }) => {
    const canvas = page.locator('[data-testid=cluster-canvas]');
    const tip = page.locator('.tooltip');
    // keyboard: arrows show a tooltip; Tab away hides it, and so does Escape
    await canvas.focus();
    await canvas.press('ArrowRight');
    await tip.waitFor();
    await canvas.press('Tab');
    await tip.waitFor({ state: 'detached', timeout: 2000 });
    await canvas.focus();
    await canvas.press('ArrowRight');
    await tip.waitFor();
    await canvas.press('Escape');
    await tip.waitFor({ state: 'detached', timeout: 2000 });
    // pointer: hover the control-plane box (always drawn top left), then leave the canvas
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + 40, box.y + 30);
    await tip.waitFor();
    assert.match(await tip.innerText(), /control plane/);
    await page.mouse.move(box.x + 40, box.y - 40);
    await tip.waitFor({ state: 'detached', timeout: 2000 });
    // pointer tooltip, then focus moves elsewhere by keyboard: it goes too
    await page.mouse.move(box.x + 40, box.y + 30);
    await tip.waitFor();
    await canvas.focus();
    await page.locator('[data-testid=terminal-input]').focus();
    await tip.waitFor({ state: 'detached', timeout: 2000 });
  });
});

test('the canvas tooltip goes when the window loses focus or its object is deleted', async () => {
  await withApp('tooltip-gone', async ({ page }) => {
    const canvas = page.locator('[data-testid=cluster-canvas]');
    const tip = page.locator('.tooltip');
    // window blur (Alt+Tab): no mouseleave comes, the tooltip must still go
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + 40, box.y + 30);
    await tip.waitFor();
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await tip.waitFor({ state: 'detached', timeout: 2000 });
    // a pod's tooltip, then the pod goes away while the tooltip is up
    await page.click('[data-testid=apply]');
    await page.selectOption('[data-testid=speed]', '100');
    await page.click('[data-testid=play-pause]');
    await page.waitForFunction(() => /\b2 Running\b/.test(document.querySelector('[data-testid=cluster-summary]').textContent), null, { timeout: 15000 });
    await page.click('[data-testid=play-pause]');
    await runCommand(page, 'kubectl delete deployment hello-world-deployment');
    await canvas.focus();
    let pod = '';
    for (let i = 0; i < 40 && !pod.startsWith('pod'); i++) {
      await canvas.press('ArrowLeft');
      pod = (await tip.innerText().catch(() => '')) || '';
    }
    assert.match(pod, /^pod .*Terminating/);
    // play (space on the focused canvas) until the pods are gone: the tooltip goes with them
    await canvas.press(' ');
    await page.waitForFunction(() => /\b0 pods\b/.test(document.querySelector('[data-testid=cluster-summary]').textContent), null, { timeout: 20000 });
    await tip.waitFor({ state: 'detached', timeout: 2000 });
  });
});

test('a Service\'s Start load / Stop load buttons run as their commands', async () => {
  await withApp('load', async ({ page }) => {
    await page.click('[data-testid=apply]');
    await page.selectOption('[data-testid=speed]', '100');
    await page.click('[data-testid=play-pause]');
    await page.waitForFunction(() => /\b2 Running\b/.test(document.querySelector('[data-testid=cluster-summary]').textContent), null, { timeout: 15000 });
    await page.click('[data-testid=play-pause]');
    // select the Service with the keyboard (Services come first)
    const canvas = page.locator('[data-testid=cluster-canvas]');
    await canvas.focus();
    await canvas.press('ArrowRight');
    assert.match(await page.locator('.tooltip').innerText(), /^service hello-world-lb/);
    await canvas.press('Enter');
    const out = page.locator('[data-testid=terminal-output]');
    await page.click('[data-testid=inspector] button:has-text("Start load")');
    await page.waitForFunction(() => /load 1 started/.test(document.querySelector('[data-testid=terminal-output]').textContent));
    assert.match(await out.innerText(), /\$ sim load http:\/\/hello-world-lb --rps 20 --for 5m --background/);
    const stop = page.locator('[data-testid=inspector] button:has-text("Stop load")');
    await stop.waitFor();
    // the load runs as time passes
    const t0 = await clockMs(page);
    await page.click('[data-testid=play-pause]');
    await waitClock(page, t0 + 10000);
    await page.click('[data-testid=play-pause]');
    await stop.click();
    await page.waitForFunction(() => /load 1 stopped/.test(document.querySelector('[data-testid=terminal-output]').textContent));
    const text = await out.innerText();
    assert.match(text, /\$ sim load --stop http:\/\/hello-world-lb/);
    const sent = Number(text.match(/load 1 stopped: \S+: (\d+) requests/)[1]);
    assert.ok(sent >= 150, `${sent} requests in 10+ s at 20/s`);
    await page.locator('[data-testid=inspector] button:has-text("Start load")').waitFor();
    await shot(page, 'playground-load-stopped');
  });
});

test('terminal: run, tab completion, history', async () => {
  await withApp('terminal', async ({ page }) => {
    const input = page.locator('[data-testid=terminal-input]');
    await input.fill('kub');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'kubectl ');
    await input.pressSequentially('ge');
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'kubectl get ');
    const out = await runCommand(page, 'help');
    assert.match(out, /kubectl/);
    assert.match(out, /sim terminate/);
    assert.match(await page.locator('[data-testid=terminal-output]').innerText(), /\$ help/);
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'help');
  });
});

test('reload keeps editor tabs, seed and command history', async () => {
  await withApp('persist', async ({ page }) => {
    await setEditorText(page, EXAMPLE.replace('replicas: 2', 'replicas: 3'));
    await page.selectOption('select[aria-label=examples]', { label: 'Taints and tolerations' });
    await page.fill('input[aria-label=seed]', '4242');
    await page.press('input[aria-label=seed]', 'Enter');
    await page.locator('input[aria-label=seed]').blur();
    await runCommand(page, 'kubectl get nodes');
    await page.waitForTimeout(300);
    await page.reload();
    await page.waitForSelector('[data-testid=editor]');
    assert.match(await page.inputValue('[data-testid=editor]'), /gpu-job/, 'active tab restored');
    await page.click('.tab >> text=hello-world.yaml');
    assert.match(await page.inputValue('[data-testid=editor]'), /replicas: 3/, 'edited text restored');
    assert.equal(await page.inputValue('input[aria-label=seed]'), '4242');
    const input = page.locator('[data-testid=terminal-input]');
    await input.click();
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'kubectl get nodes', 'history restored');
  });
});

test('a share link reproduces manifests, seed, actions and time in a fresh profile', async () => {
  let url;
  let expected;
  await withApp('share-source', async ({ page }) => {
    await page.fill('input[aria-label=seed]', '77');
    await page.press('input[aria-label=seed]', 'Enter');
    await page.click('button:has-text("Reset")');
    await setEditorText(page, EXAMPLE.replace('replicas: 2', 'replicas: 4'));
    await page.click('[data-testid=apply]');
    await page.selectOption('[data-testid=speed]', '10');
    await page.click('[data-testid=play-pause]');
    await page.waitForTimeout(700);
    await page.click('[data-testid=play-pause]');
    await runCommand(page, 'kubectl get pods');
    await page.click('button:has-text("Share link")');
    url = await page.inputValue('.share-url');
    assert.match(url, /#s=[A-Za-z0-9_-]+$/);
    expected = {
      editor: await page.inputValue('[data-testid=editor]'),
      terminal: await page.locator('[data-testid=terminal-output]').innerText(),
      clock: await page.locator('[data-testid=clock]').innerText(),
      summary: await page.locator('[data-testid=cluster-summary]').innerText(),
    };
  });
  // a new context is a fresh profile: empty localStorage
  await withApp('share-target', async ({ page }) => {
    await page.waitForFunction((c) => document.querySelector('[data-testid=clock]').textContent === c, expected.clock);
    assert.equal(await page.inputValue('[data-testid=editor]'), expected.editor);
    assert.equal(await page.inputValue('input[aria-label=seed]'), '77');
    assert.equal(await page.locator('[data-testid=terminal-output]').innerText(), expected.terminal);
    assert.equal(await page.locator('[data-testid=cluster-summary]').innerText(), expected.summary);
    await shot(page, 'playground-share-restored');
  }, url);
});

test('the seed story: apply, 2 pods Running, curl, terminate a node, recovery', async (t) => {
  await withApp('story', async ({ page }) => {
    await setEditorText(page, EXAMPLE);
    await page.click('[data-testid=apply]');
    await page.selectOption('[data-testid=speed]', '100');
    await page.click('[data-testid=play-pause]');
    const summary = page.locator('[data-testid=cluster-summary]');
    try {
      await page.waitForFunction(() => /\b2 Running\b/.test(document.querySelector('[data-testid=cluster-summary]').textContent), null, { timeout: 8000 });
    } catch {
      assert.fail(`2 pods never Running (summary: ${await summary.innerText()})`);
    }
    await page.click('[data-testid=play-pause]');
    await shot(page, 'story-1-running');
    const curl = await runCommand(page, 'curl http://hello-world-lb');
    assert.match(curl, /Hello World/i);
    // a pod's inspector explains its placement with the scheduler's per-node verdicts
    const podCanvas = page.locator('[data-testid=cluster-canvas]');
    await podCanvas.focus();
    let pod = '';
    for (let i = 0; i < 40 && !pod.startsWith('pod'); i++) {
      await podCanvas.press('ArrowLeft');
      pod = (await page.locator('.tooltip').innerText().catch(() => '')) || '';
    }
    assert.match(pod, /^pod /);
    await podCanvas.press('Enter');
    await page.waitForSelector('[data-testid=inspector] .describe');
    assert.match(await page.locator('[data-testid=inspector] .describe').innerText(), /Name:/);
    assert.ok(await page.locator('[data-testid=inspector] table.why tr').count() > 0,
      'the inspector shows the scheduler\'s per-node verdicts for the pod');
    await shot(page, 'story-1b-pod-inspector');
    // terminate a node from its menu: select it on the canvas with the keyboard
    const canvas = page.locator('[data-testid=cluster-canvas]');
    await canvas.focus();
    let picked = '';
    for (let i = 0; i < 40 && !picked.startsWith('node'); i++) {
      await canvas.press('ArrowRight');
      picked = (await page.locator('.tooltip').innerText().catch(() => '')) || '';
    }
    assert.match(picked, /^node /);
    await canvas.press('Enter');
    await page.click('[data-testid=inspector] button:has-text("Terminate instance")');
    // The action is echoed as its command; Yew renders on its own scheduler, so wait for it.
    await page.waitForFunction(() => /sim terminate node\//.test(document.querySelector('[data-testid=terminal-output]').textContent), null, { timeout: 10000 });
    await shot(page, 'story-2-terminated');
    const nodesBefore = (await summary.innerText()).match(/^(\d+) nodes/)[1];
    await page.selectOption('[data-testid=speed]', '1000');
    await page.click('[data-testid=play-pause]');
    // the replacement: the instance group brings the node count back with every node Ready,
    // and the Deployment has its 2 pods Running again
    const recovered = await page.waitForFunction((n) => {
      const s = document.querySelector('[data-testid=cluster-summary]').textContent;
      return new RegExp(`^${n} nodes \\(${n} Ready\\)`).test(s) && /\b2 Running\b/.test(s)
        && document.querySelector('[data-testid=clock]').textContent >= '00:06:00.0';
    }, nodesBefore, { timeout: 30000 }).then(() => true, () => false);
    await page.click('[data-testid=play-pause]');
    assert.ok(recovered, `no recovery seen by ${await page.locator('[data-testid=clock]').innerText()}: ${await summary.innerText()}`);
    await shot(page, 'story-3-recovered');
  });
});

test('a panic shows the error panel with the seed and a copyable report', async () => {
  await withApp('panic', async ({ page }) => {
    await page.fill('[data-testid=terminal-input]', 'kubeplay-debug-panic');
    await page.press('[data-testid=terminal-input]', 'Enter');
    const panel = page.locator('[data-testid=panic]');
    await panel.waitFor({ timeout: 5000 });
    assert.match(await panel.innerText(), /Seed \d+/);
    const report = await panel.locator('textarea').inputValue();
    assert.match(report, /seed: \d+/);
    assert.match(report, /debug panic requested/);
    assert.match(report, /#s=[A-Za-z0-9_-]+/, 'report carries the session to reproduce');
    await shot(page, 'playground-panic-panel');
  });
});

test('performance: fps at 1x, 200 nodes / 5,000 pods at 10x, load time, bundle', async () => {
  const perf = {};
  const fps = async (page, ms) => page.evaluate((ms) => new Promise((res) => {
    let n = 0;
    const t0 = performance.now();
    const f = () => { n++; if (performance.now() - t0 < ms) requestAnimationFrame(f); else res(n * 1000 / (performance.now() - t0)); };
    requestAnimationFrame(f);
  }), ms);
  await withApp('perf-load', async ({ page }) => {
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return nav.domContentLoadedEventEnd;
    });
    // interactive = the editor and Apply are rendered by the wasm app
    const ready = await page.evaluate(() => performance.now());
    perf.dom_content_loaded_ms = Math.round(t);
    perf.interactive_by_ms = Math.round(ready);
    await page.click('[data-testid=apply]');
    await page.click('[data-testid=play-pause]');
    perf.fps_seed_1x = Math.round(await fps(page, 2000));
    // click-to-visible-change: play/pause label flips within one frame or two
    const t0 = await page.evaluate(() => performance.now());
    await page.click('[data-testid=play-pause]');
    await page.waitForFunction(() => /Play/.test(document.querySelector('[data-testid=play-pause]').textContent));
    perf.click_to_change_ms = Math.round((await page.evaluate(() => performance.now())) - t0);
    // the same, dispatched inside the page and timed to the animation frame that paints the new
    // label (no automation round trips): median of five clicks, playing and paused in turn
    const inPage = [];
    for (let i = 0; i < 5; i++) {
      inPage.push(await page.evaluate(() => new Promise((res) => {
        const label = () => document.querySelector('[data-testid=play-pause]').textContent;
        const before = label();
        const t0 = performance.now();
        document.querySelector('[data-testid=play-pause]').click();
        const check = () => (label() !== before ? res(performance.now() - t0) : requestAnimationFrame(check));
        requestAnimationFrame(check);
      })));
    }
    inPage.sort((a, b) => a - b);
    perf.click_in_page_ms = { p50: Math.round(inPage[2]), max: Math.round(inPage[4]) };
  });
  await withApp('perf-bench', async ({ page }) => {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.waitForTimeout(500);
    perf.fps_200n_5000p_10x = Math.round(await fps(page, 3000));
    await shot(page, 'perf-bench-200x5000');
  }, `${APP_URL}#bench=200x5000@10`);
  mkdirSync(SHOT_DIR, { recursive: true });
  writeFileSync(`${SHOT_DIR}perf.json`, JSON.stringify(perf, null, 2));
  console.log('# perf', JSON.stringify(perf));
  assert.ok(perf.fps_seed_1x > 0 && perf.fps_200n_5000p_10x > 0, 'frames were drawn');
  // The targets (README): 60 fps at 1x, >= 30 fps for 200 nodes / 5,000 pods at 10x, interactive
  // < 1.5 s. Frame rates depend on machine load (CI and seven builders share two cores), so
  // they are enforced only on request: PERF_STRICT=1.
  if (process.env.PERF_STRICT === '1') {
    assert.ok(perf.interactive_by_ms < 1500, `interactive after ${perf.interactive_by_ms} ms`);
    assert.ok(perf.fps_seed_1x >= 55, `seed example ${perf.fps_seed_1x} fps`);
    assert.ok(perf.click_in_page_ms.p50 < 100, `click to visible ${perf.click_in_page_ms.p50} ms`);
    assert.ok(perf.fps_200n_5000p_10x >= 30, `big cluster ${perf.fps_200n_5000p_10x} fps`);
  }
});
