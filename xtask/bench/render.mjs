// `cargo xtask render`: how long "Manage access and devices" takes to show a large account's
// devices in headless Chromium. xtask starts the server (`--demo --demo-devices N`) and runs
//
//   node xtask/bench/render.mjs --url http://127.0.0.1:PORT --tools .tools \
//        --chromium /usr/bin/chromium [--runs 7] [--narrow-runs 2] [--all-runs 3] \
//        [--traced-runs 1] [--demo-devices N] [--first-page 50]
//
// Each run is a fresh page of one signed-in browser context (one session, so the count stays
// the same): load /security, click "Manage access and devices", wait for the rows of the
// first page (the other devices, `--first-page` of them: the page draws that many and a
// "Show more") and the frame after it. Then, on that page, how long a search takes to show
// its matches, and "Show more" its next rows; and the layout shift of a full load of the
// page (CLS, summed from `layout-shift` entries as Lighthouse does). A report, not a test:
// the figures depend on the machine.
//
// Beside each run of the app, the same run of `vanilla-devices.js` (see `vanilla.mjs`): the
// same markup and data drawn by hand-written DOM calls, on the same origin, server, session
// and stylesheets, timed the same way from the same response. The ratio of the medians,
// Hallpass ÷ vanilla, is the framework's cost. Its DOM is checked against the app's (first
// page at both widths, and all rows): any difference fails the report. With `--all-runs N`,
// both also click "Show more" until every device is shown, each click once the last one's
// rows are painted (the app draws 50 rows at a time; the vanilla page does the same).
// `--traced-runs N` pairs are traced: where the main thread's time went, and its CPU time
// from the response to the paint, which a busy machine disturbs less than wall time.

import { createRequire } from 'node:module';
import { breakdown, cpuTime } from './trace.mjs';
import { VANILLA, sameDom, serveVanilla, snapshot } from './vanilla.mjs';
import os from 'node:os';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const base = args.url;
const runs = Number(args.runs ?? 7);
const narrowRuns = Number(args['narrow-runs'] ?? 2);
const allRuns = Number(args['all-runs'] ?? 3);
const tracedRuns = Math.max(1, Number(args['traced-runs'] ?? 1));
const firstPage = Number(args['first-page'] ?? 50);
// What a search types: a city of the seeded networks.
const SEARCH = 'lisbon';
const require = createRequire(path.join(path.resolve(args.tools), 'node_modules', '.'));
const { chromium } = require('playwright-core');

const EMAIL = 'demo@hallpass.test';
const PASSWORD = 'correct-horse-battery-staple';
const PROFILE = 'Alex';
const LINK = 'Manage access and devices';
const CAPTION = 'Devices signed in to your account';
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 360, height: 800 };
// CONVENTIONS.md: without the background-networking flags Chromium keeps dialling blocked hosts.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: FLAGS });
try {
  const context = await browser.newContext({ viewport: WIDE });
  const expected = await signIn(context);
  await serveVanilla(context, base);
  const load = os.loadavg()[0];

  // One run of each first, not counted: it warms the HTTP cache and V8's compiled-wasm cache.
  await measure(context, WIDE, expected);
  await measure(context, WIDE, expected, { vanilla: true });
  // The app and the vanilla page take turns, so that other work on the machine slows both.
  const [wide, vanillaWide] = await pairs(context, runs, WIDE, expected, 'first page, table');
  const [narrow, vanillaNarrow] = await pairs(context, narrowRuns, NARROW, expected, 'first page, cards');
  const [all, vanillaAll] = await pairs(context, allRuns, WIDE, expected, 'every row, table', true);
  // Traced runs, in turn too: where the time went, and the main thread's CPU time.
  const cpu = [];
  const vanillaCpu = [];
  for (let i = 0; i < tracedRuns; i++) {
    cpu.push(await measure(context, WIDE, expected, { browser }));
    vanillaCpu.push(await measure(context, WIDE, expected, { browser, vanilla: true }));
  }
  const traced = [['table', cpu[0]]];
  if (narrowRuns) traced.push(['cards', await measure(context, NARROW, expected, { browser })]);
  traced.push(['vanilla, table', vanillaCpu[0]]);
  const shifts = [];
  for (const viewport of [WIDE, NARROW]) shifts.push([viewport, await layoutShift(context, viewport, expected)]);

  const cpus = os.cpus();
  console.log(`\nChromium ${browser.version()}, ${cpus.length} cores (${cpus[0]?.model.trim()}), ` +
    `load average ${load.toFixed(1)} when the runs began (other work on the machine slows every figure)`);
  const seeded = args['demo-devices'] ? ` (--demo-devices ${args['demo-devices']}, and this browser's sign-in)` : '';
  console.log(`GET /api/devices lists ${count(expected)} devices${seeded}.`);
  report(`${count(wide[0].rows)} rows (table, ${WIDE.width} px)`, wide, vanillaWide);
  if (narrow.length) report(`${count(narrow[0].rows)} cards (list, ${NARROW.width} px)`, narrow, vanillaNarrow);
  if (all.length) {
    const clicks = all[0].all.clicks.length;
    console.log(`all ${count(all[0].all.rows)} rows (table), ${clicks} clicks on "Show more", each once the last one's rows ` +
      `are painted, first click to the last rows painted, over ${all.length} runs:`);
    ratio('  ', all, vanillaAll, (r) => r.all.ms);
    console.log('  one click on "Show more" to its 50 rows painted (every click of every run):');
    ratio('  ', all.flatMap((r) => r.all.clicks.map((ms) => ({ ms }))),
      vanillaAll.flatMap((r) => r.all.clicks.map((ms) => ({ ms }))), (r) => r.ms);
  }
  console.log(`search "${SEARCH}", input to its matches painted (${count(wide[0].search.rows)} rows): ${stats(wide, (r) => r.search.ms)}`);
  console.log(`"Show more", click to the next rows painted (${count(wide[0].more.rows)} rows): ${stats(wide, (r) => r.more.ms)}`);
  for (const [viewport, s] of shifts) {
    console.log(`layout shift of a full load of /security/devices at ${viewport.width} px: CLS ${s.cls.toFixed(3)}` +
      ` (${s.entries.map((e) => `${e.value.toFixed(3)} ${e.nodes}`).join('; ') || 'no shift'})`);
  }
  console.log("where the main thread's time went from the response to the paint (one traced run each; " +
    "a fetch's promise continuation runs in no script event, so the vanilla page's script counts as other):");
  for (const [what, r] of traced) {
    const parts = Object.entries(r.breakdown).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${ms(v)}`);
    console.log(`  ${what} (${ms(r.paint - r.responseEnd)} ms): ${parts.join(', ')} ms`);
  }
  console.log(`the main thread's CPU time from the response to the paint, ${count(cpu[0].rows)} rows (table), ` +
    `traced, ${tracedRuns} run${tracedRuns === 1 ? '' : 's'} each (time spent waiting for a core left out):`);
  ratio('  ', cpu, vanillaCpu, (r) => r.cpu);
} finally {
  await browser.close();
}

/// `runs` runs of the app and of the vanilla page, taking turns; checks that the two pages
/// of the first pair read the same (again with the next pair if a relative time ticked).
async function pairs(context, runs, viewport, expected, what, showAll = false) {
  const app = [];
  const vanilla = [];
  for (let i = 0; i < runs; i++) {
    const check = i === 0;
    app.push(await measure(context, viewport, expected, { check, showAll }));
    vanilla.push(await measure(context, viewport, expected, { check, showAll, vanilla: true }));
    if (check) {
      const ticks = sameDom(app[i].dom, vanilla[i].dom, `${what}, ${viewport.width} px`);
      console.log(`vanilla DOM = Hallpass DOM (${what}, ${viewport.width} px): ${app[i].dom.length} lines, ` +
        `${showAll ? app[i].all.rows : app[i].rows} rows${ticks ? `, apart from ${ticks} relative time${ticks > 1 ? 's' : ''} that ticked` : ''}`);
    }
  }
  return [app, vanilla];
}

/// The figures of one list: the headline, then what it is made of, then the vanilla page's.
function report(what, list, vanilla) {
  const runsOf = `${list.length} run${list.length === 1 ? '' : 's'}`;
  console.log(`render ${what}: ${stats(list, (r) => r.paint - r.responseEnd)} over ${runsOf}`);
  console.log(`  script, from the response to the last row in the DOM: ${stats(list, (r) => r.rowsIn - r.responseEnd)}`);
  if (list.every((r) => r.frame)) {
    console.log(`  style, layout and paint of the frame that shows them: ${stats(list, (r) => r.frame.end - r.frame.styleAndLayoutStart)}`);
  }
  console.log(`  vanilla JS, the same markup and data: ${stats(vanilla, (r) => r.paint - r.responseEnd)}; ` +
    `script ${stats(vanilla, (r) => r.rowsIn - r.responseEnd)}` +
    (vanilla.every((r) => r.frame) ? `; frame ${stats(vanilla, (r) => r.frame.end - r.frame.styleAndLayoutStart)}` : ''));
  ratio('  response to painted rows, ', list, vanilla, (r) => r.paint - r.responseEnd);
  console.log(`click on "${LINK}" to rows painted: ${stats(list, (r) => r.paint - r.click)}`);
  console.log(`  server, request sent to last byte of the response: ${stats(list, (r) => r.responseEnd - r.requestStart)}` +
    `; to first byte: ${stats(list, (r) => r.responseStart - r.requestStart)}`);
}

/// Hallpass's and the vanilla page's figures and the ratio of their medians.
function ratio(indent, app, vanilla, pick) {
  const r = median(app.map(pick)) / median(vanilla.map(pick));
  console.log(`${indent}Hallpass ${stats(app, pick)}, vanilla ${stats(vanilla, pick)}: ` +
    `Hallpass ÷ vanilla ${r.toFixed(2)}× (goal ≤ 1.2×)`);
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/// "median 312 ms (min 290, max 340)".
function stats(list, pick) {
  const v = list.map(pick).sort((a, b) => a - b);
  const mid = median(v);
  const spread = v.length > 1 ? ` (min ${ms(v[0])}, max ${ms(v[v.length - 1])})` : '';
  return `median ${ms(mid)} ms${spread}`;
}

function count(n) {
  return n.toLocaleString('en');
}

function ms(x) {
  return Math.round(x).toLocaleString('en');
}

/// Signs in through the API from a page of the app (same origin, so the server's cross-site
/// check passes) and picks the manager profile; returns how many devices the API lists.
async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  const count = await page.evaluate(async ({ EMAIL, PASSWORD, PROFILE }) => {
    const json = { 'Content-Type': 'application/json' };
    const ok = async (response) => {
      if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
      return response;
    };
    const session = await (await ok(await fetch('/api/session', {
      method: 'POST', headers: json, body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    }))).json();
    if (session.two_factor_required) throw new Error('the demo account asks for a two-step code');
    const profiles = await (await ok(await fetch('/api/profiles'))).json();
    const profile = profiles.find((p) => p.name === PROFILE);
    if (!profile) throw new Error(`no profile called ${PROFILE}`);
    await ok(await fetch(`/api/profiles/${encodeURIComponent(profile.id)}/select`, {
      method: 'POST', headers: json, body: '{}',
    }));
    return (await (await ok(await fetch('/api/devices'))).json()).length;
  }, { EMAIL, PASSWORD, PROFILE });
  await page.close();
  return count;
}

/// One run on a fresh page at `viewport`: of the app, or with `vanilla` of the vanilla page
/// (whose `showDevices()` stands for the click). With `browser`, also traces the run and sums
/// the main thread's time between the response and the paint by kind of work; with `check`,
/// returns the page's DOM (`dom`); with `showAll`, shows every row (`all`), and the DOM after.
async function measure(context, viewport, expected, { browser, vanilla, check, showAll } = {}) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  if (vanilla) {
    await page.goto(`${base}${VANILLA}`);
    await page.waitForFunction(() => typeof window.showDevices === 'function', null, { timeout: 60_000 });
  } else {
    await page.goto(`${base}/security`);
    await page.getByRole('link', { name: LINK, exact: true }).waitFor({ timeout: 60_000 });
  }
  if (browser) {
    await browser.startTracing(page, {
      categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'],
    });
  }
  const narrow = viewport.width < 640;
  // The other devices, up to a page of them.
  const rowsWanted = Math.min(expected - 1, firstPage);
  const r = await page.evaluate(async ({ LINK, CAPTION, expected, narrow, vanilla }) => {
    // The table's rows, or the cards: the list whose name is the table's caption.
    const rows = () => narrow
      ? document.querySelectorAll(`main ul[aria-label="${CAPTION}"] > li`)
      : document.querySelectorAll('main table > tbody > tr');
    const link = vanilla
      ? { click: () => window.showDevices() }
      // Its accessible name: Security's link reads "Manage", named by its `aria-label`.
      : [...document.querySelectorAll('main a')]
        .find((a) => (a.getAttribute('aria-label') ?? a.textContent.trim()) === LINK);
    // Long Animation Frames (Chromium 123+): when the frame that rendered the rows began its
    // style and layout, and when its rendering ended.
    const frames = [];
    const loaf = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
      && new PerformanceObserver((l) => frames.push(...l.getEntries()));
    if (loaf) loaf.observe({ type: 'long-animation-frame' });
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`after 60 s the page shows ${rows().length} rows`)), 60_000);
      const observer = new MutationObserver(() => {
        const n = rows().length;
        if (n < expected) return;
        observer.disconnect();
        clearTimeout(timer);
        const rowsIn = performance.now();
        // The frame that shows the rows runs after this animation frame's callbacks; a task
        // queued from here runs once that frame is done.
        requestAnimationFrame(() => setTimeout(() => resolve({ rowsIn, paint: performance.now() }), 0));
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    // Start from a page that has drawn what it shows: the app's is (its last frame came
    // before this script ran); the vanilla page may just have loaded.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    performance.mark('render:click');
    const click = performance.now();
    link.click();
    const { rowsIn, paint } = await done;
    performance.mark('render:painted');
    // The frame's entry is queued some time after the frame.
    const find = () => frames.find((x) => x.startTime <= rowsIn && rowsIn <= x.startTime + x.duration);
    for (let i = 0; loaf && !find() && i < 40; i++) await new Promise((r) => setTimeout(r, 50));
    if (loaf) loaf.disconnect();
    const f = find();
    const fetches = performance.getEntriesByType('resource')
      .filter((e) => new URL(e.name).pathname === '/api/devices' && e.startTime >= click);
    if (fetches.length !== 1) throw new Error(`${fetches.length} requests for /api/devices after the click`);
    const [e] = fetches;
    return {
      click, rowsIn, paint, rows: rows().length,
      frame: f && { styleAndLayoutStart: f.styleAndLayoutStart, end: f.startTime + f.duration },
      requestStart: e.requestStart, responseStart: e.responseStart, responseEnd: e.responseEnd,
    };
  }, { LINK, CAPTION, expected: rowsWanted, narrow, vanilla });
  if (check && !showAll) r.dom = await snapshot(page);
  if (showAll) {
    r.all = await everyRow(page, narrow);
    if (check) r.dom = await snapshot(page);
  } else if (!browser && !vanilla) Object.assign(r, await searchAndMore(page, narrow));
  if (browser) {
    const trace = JSON.parse((await browser.stopTracing()).toString());
    r.breakdown = breakdown(trace, r);
    r.cpu = cpuTime(trace, r);
  }
  await page.close();
  return r;
}

/// On a page showing the list: a search typed at once (one input event), until its matches
/// are painted; cleared again; then "Show more", until its rows are painted.
async function searchAndMore(page, narrow) {
  return page.evaluate(async ({ SEARCH, CAPTION, narrow }) => {
    const rows = () => narrow
      ? document.querySelectorAll(`main ul[aria-label="${CAPTION}"] > li`)
      : document.querySelectorAll('main table > tbody > tr');
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const status = document.querySelector('main .device-status');
    const until = (check) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('after 60 s the page has not changed')), 60_000);
      const observer = new MutationObserver(() => {
        if (!check()) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const input = document.getElementById('device-search');
    const type = (text) => {
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    };
    const before = status.textContent;
    let start = performance.now();
    const changed = until(() => status.textContent !== before);
    type(SEARCH);
    await changed;
    await painted();
    const search = { ms: performance.now() - start, rows: rows().length };
    const all = status.textContent;
    const back = until(() => status.textContent !== all);
    type('');
    await back;
    await painted();
    const n = rows().length;
    const button = [...document.querySelectorAll('main button')].find((b) => b.textContent.startsWith('Show '));
    start = performance.now();
    const grown = until(() => rows().length > n);
    button.click();
    await grown;
    await painted();
    return { search, more: { ms: performance.now() - start, rows: rows().length } };
  }, { SEARCH, CAPTION, narrow });
}

/// On a page showing the first rows: "Show more" until every row is shown, each click once
/// the last one's rows are painted; the time of each click and of them all.
async function everyRow(page, narrow) {
  return page.evaluate(async ({ CAPTION, narrow }) => {
    const rows = () => narrow
      ? document.querySelectorAll(`main ul[aria-label="${CAPTION}"] > li`)
      : document.querySelectorAll('main table > tbody > tr');
    const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const more = () => [...document.querySelectorAll('main button')].find((b) => b.textContent.startsWith('Show '));
    const grown = (n) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`after 60 s still ${n} rows`)), 60_000);
      const observer = new MutationObserver(() => {
        if (rows().length <= n) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    const clicks = [];
    const start = performance.now();
    for (let button = more(); button; button = more()) {
      const n = rows().length;
      const t = performance.now();
      const done = grown(n);
      button.click();
      await done;
      await painted();
      clicks.push(performance.now() - t);
    }
    return { ms: performance.now() - start, clicks, rows: rows().length };
  }, { CAPTION, narrow });
}

/// A full load of /security/devices at `viewport`, as Lighthouse loads it: the layout shifts
/// until the list has been painted and a second more has passed.
async function layoutShift(context, viewport, expected) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        const nodes = (e.sources ?? []).map((s) => s.node?.nodeName?.toLowerCase() ?? '?').join('+');
        window.__shifts.push({ value: e.value, nodes });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${base}/security/devices`);
  await page.waitForFunction((n) =>
    document.querySelectorAll('main table > tbody > tr, main ul[aria-label] > li').length >= n,
  Math.min(expected - 1, firstPage), { timeout: 60_000 });
  await page.waitForTimeout(1000);
  const entries = await page.evaluate(() => window.__shifts);
  await page.close();
  return { cls: entries.reduce((sum, e) => sum + e.value, 0), entries };
}
