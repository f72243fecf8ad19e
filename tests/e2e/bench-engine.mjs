// Performance benchmark on the real engine (issue 8): 200 nodes and a Deployment scaling to
// 5,000 pods, applied through the editor and run at 10× in headless Chromium, including the
// apply and scale-up phase. Records frames per second and input latency per phase to
// target/e2e/bench.json. Not part of the default suite (it runs for minutes on a loaded
// machine): `E2E_FILTER=bench-engine.mjs scripts/e2e.sh`.
// The figures depend on machine load, so the targets are asserted only with PERF_STRICT=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { launch, openApp, shot, setEditorText, SHOT_DIR } from './browser.mjs';

const BENCH = readFileSync(new URL('./fixtures/bench-200x5000.yaml', import.meta.url), 'utf8');
const WALL_LIMIT_MS = Number(process.env.BENCH_WALL_MS || 90000);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** In-page probes: every animation frame's timestamp, and how late a 50 ms timer fires (the
 * wait an input event would see behind whatever task the page is running). */
function installProbes() {
  window.__bench = { frames: [], lag: [] };
  const f = (ts) => { window.__bench.frames.push(ts); requestAnimationFrame(f); };
  requestAnimationFrame(f);
  let due = performance.now() + 50;
  const tick = () => {
    const now = performance.now();
    window.__bench.lag.push([now, Math.max(0, now - due)]);
    due = now + 50;
    setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
}

const pct = (xs, p) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/** Frame and latency figures for the wall-time window [t0, t1) (page clock). */
function window_(data, t0, t1) {
  const fr = data.frames.filter((t) => t >= t0 && t < t1);
  const gaps = fr.slice(1).map((t, i) => t - fr[i]);
  const lag = data.lag.filter(([t]) => t >= t0 && t < t1).map(([, l]) => l);
  return {
    wall_s: +((t1 - t0) / 1000).toFixed(1),
    fps: fr.length > 1 ? Math.round((fr.length - 1) * 1000 / (fr[fr.length - 1] - fr[0])) : 0,
    worst_frame_ms: Math.round(Math.max(0, ...gaps)),
    p95_frame_ms: Math.round(pct(gaps, 0.95)),
    input_lag_p95_ms: Math.round(pct(lag, 0.95)),
    input_lag_max_ms: Math.round(Math.max(0, ...lag)),
  };
}

test('benchmark: 200 nodes / 5,000 pods on the real engine at 10x', async () => {
  const app = await openApp(browser);
  const { page } = app;
  try {
    // the page may be busy for long stretches: measure them instead of failing on them
    page.setDefaultTimeout(180000);
    await page.setViewportSize({ width: 1600, height: 1000 });
    await setEditorText(page, BENCH);
    await page.selectOption('[data-testid=speed]', '10');
    await page.evaluate(installProbes);
    const summary = () => page.locator('[data-testid=cluster-summary]').innerText();
    const now = () => page.evaluate(() => performance.now());
    const clicks = [];
    // a real click with a visible result: the help overlay opens, then Escape closes it
    const clickProbe = async () => {
      const t0 = Date.now();
      try {
        await page.click('button[aria-label=help]', { timeout: 120000 });
        await page.waitForSelector('.help', { timeout: 120000 });
        clicks.push(Date.now() - t0);
        await page.keyboard.press('Escape');
        await page.waitForSelector('.help', { state: 'detached', timeout: 120000 });
      } catch {
        clicks.push(Date.now() - t0); // unresponsive for the whole timeout
      }
    };
    // the same click dispatched inside the page, timed to the animation frame that paints the
    // overlay: what a user waits for, without the automation's round trips to the browser
    const inPage = [];
    const inPageProbe = async () => {
      const ms = await page.evaluate(() => new Promise((res) => {
        const t0 = performance.now();
        document.querySelector('button[aria-label=help]').click();
        const check = () => (document.querySelector('.help')
          ? res(performance.now() - t0)
          : requestAnimationFrame(check));
        requestAnimationFrame(check);
      }));
      inPage.push(Math.round(ms));
      await page.keyboard.press('Escape');
      await page.waitForSelector('.help', { state: 'detached', timeout: 120000 });
    };
    const tApply = await now();
    await page.click('[data-testid=apply]');
    await page.click('[data-testid=play-pause]');
    const marks = { apply: tApply };
    const wall0 = Date.now();
    let last = '';
    // what the page says about its pace while the simulation cannot keep up (frame budget)
    const pace = [];
    const paceText = () => page.evaluate(() => document.querySelector('[data-testid=pace]')?.textContent || '');
    while (Date.now() - wall0 < WALL_LIMIT_MS) {
      await page.waitForTimeout(1000);
      await clickProbe();
      await inPageProbe();
      const p = await paceText();
      if (p) pace.push(p);
      last = await summary();
      if (!marks.nodes && /^20\d nodes \(20\d Ready\)/.test(last)) marks.nodes = await now();
      if (/\b5000 Running\b/.test(last)) { marks.running = await now(); break; }
    }
    // steady state: everything Running, still playing at 10x
    const tSteady = await now();
    await page.waitForTimeout(5000);
    const steadyFrom = clicks.length;
    const steadyInPageFrom = inPage.length;
    for (let i = 0; i < 5; i++) {
      await clickProbe();
      await inPageProbe();
    }
    const tEnd = await now();
    await shot(page, 'bench-200x5000-engine');
    const data = await page.evaluate(() => window.__bench);
    const res = {
      load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      clock_at_end: await page.locator('[data-testid=clock]').innerText(),
      summary_at_end: last,
      time_to_running_s: marks.running ? +((marks.running - marks.apply) / 1000).toFixed(1) : null,
      pace_notes: { n: pace.length, first: pace[0] || null, last: pace[pace.length - 1] || null },
      pace_at_end: await paceText(),
      scale_up: window_(data, marks.apply, marks.running || tSteady),
      until_nodes_ready: marks.nodes ? window_(data, marks.apply, marks.nodes) : null,
      steady_10x: window_(data, tSteady, tEnd),
      click_to_visible_ms: { p50: pct(clicks, 0.5), max: Math.max(...clicks), n: clicks.length },
      click_in_page_scale_up_ms: {
        p50: pct(inPage.slice(0, steadyInPageFrom), 0.5),
        max: Math.max(0, ...inPage.slice(0, steadyInPageFrom)),
        n: steadyInPageFrom,
      },
      click_steady_ms: {
        playwright_p50: pct(clicks.slice(steadyFrom), 0.5),
        in_page_p50: pct(inPage.slice(steadyInPageFrom), 0.5),
        in_page_max: Math.max(0, ...inPage.slice(steadyInPageFrom)),
      },
      reached_5000_running: Boolean(marks.running),
    };
    mkdirSync(SHOT_DIR, { recursive: true });
    writeFileSync(`${SHOT_DIR}bench.json`, JSON.stringify(res, null, 2));
    console.log('# bench', JSON.stringify(res));
    assert.ok(res.steady_10x.fps > 0, 'frames were drawn');
    if (process.env.PERF_STRICT === '1') {
      assert.ok(res.reached_5000_running, `5,000 pods not Running: ${last}`);
      assert.ok(res.steady_10x.fps >= 30, `steady ${res.steady_10x.fps} fps`);
      assert.ok(res.scale_up.input_lag_max_ms < 100, `input lag ${res.scale_up.input_lag_max_ms} ms`);
    }
  } catch (e) {
    await shot(page, 'bench-failure');
    throw e;
  } finally {
    await app.context.close();
  }
});
