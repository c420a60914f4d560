// `cargo xtask push`: how long a browser left open takes to show "You're signed out" after
// another device signs it out. xtask starts the server(s) and runs
//
//   node xtask/bench/push.mjs --a http://127.0.0.1:PORT --b http://127.0.0.1:PORT \
//        --tools .tools --chromium /usr/bin/chromium [--runs 20] [--label "SQLite"]
//
// Each run, in headless Chromium: a fresh context B signs in on `--b`, picks the manager
// profile and opens /account, and waits until its `EventSource` is open; a fresh context A
// signs in on `--a` (the other instance when there are two; a fresh sign-in opens the step-up
// window) and, from its own page (real cookies, same origin), sends
// `DELETE /api/devices/{B's device}`. The figure is from A's answer arriving to B showing the
// heading "You're signed out" (and the frame after it), both read as wall-clock time inside
// the pages (`performance.timeOrigin + performance.now()`), so node's own scheduling doesn't
// count (each document's time origin is read from the wall clock when it starts, so two
// pages can disagree by a few ms: a figure of a few ms can read slightly negative). Also when
// B's `EventSource` got `session_ended` (how much is the server and the
// wire, and how much the page's clean-up and load of /signed-out). One warm-up run first,
// not counted. The last line is `RESULT {json}` for xtask.

import { createRequire } from 'node:module';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const runs = Number(args.runs ?? 20);
const require = createRequire(path.join(path.resolve(args.tools), 'node_modules', '.'));
const { chromium } = require('playwright-core');

const EMAIL = 'demo@hallpass.test';
const PASSWORD = 'correct-horse-battery-staple';
const PROFILE = 'Alex';
const HEADING = "You're signed out";
// How long B may take before a run counts as failed: far past the one-second goal.
const PATIENCE = 15_000;
// CONVENTIONS.md: without the background-networking flags Chromium keeps dialling blocked hosts.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];

// Runs in every document of B before the app: marks when the stream opens (the app's
// `web_sys::EventSource::new` looks the constructor up at call time, so a subclass sees it),
// and when the heading first is in the DOM and the frame after that has been drawn. The
// app loads /signed-out afresh, so the marks of the signed-out page are its own document's.
const WATCH = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const Native = window.EventSource;
  if (Native) {
    window.EventSource = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('open', () => { window.__streamOpen = now(); });
        // Reported to node at once: the page leaves (and wipes its storage) right after.
        this.addEventListener('session_ended', () => window.__pushEventAt?.(now()));
      }
    };
  }
  const seen = () => [...document.querySelectorAll('h1, h2, [role=heading]')]
    .some((h) => h.textContent.trim() === ${JSON.stringify(HEADING)});
  new MutationObserver((_, observer) => {
    if (!seen()) return;
    observer.disconnect();
    window.__headingIn = now();
    requestAnimationFrame(() => setTimeout(() => { window.__headingPainted = now(); }, 0));
  }).observe(document, { childList: true, subtree: true });
})();`;

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: FLAGS });
const results = [];
try {
  console.log(`${args.label ?? ''}: B on ${args.b}, A on ${args.a}; one warm-up run, then ${runs}`);
  for (let i = 0; i <= runs; i++) {
    const r = await once();
    if (i === 0) {
      console.log(`  warm-up: ${ms(r.painted)} ms ("${r.reason}")`);
      continue;
    }
    results.push(r);
    console.log(`  run ${String(i).padStart(2)}: answer → session_ended in B ${ms(r.event)} ms, ` +
      `heading in the DOM ${ms(r.inDom)} ms, painted ${ms(r.painted)} ms`);
  }
} finally {
  await browser.close();
}
const painted = results.map((r) => r.painted).sort((a, b) => a - b);
const summary = {
  runs: results.length,
  median: median(painted),
  worst: painted[painted.length - 1],
  best: painted[0],
  median_dom: median(results.map((r) => r.inDom)),
  median_event: median(results.map((r) => r.event)),
  worst_event: Math.max(...results.map((r) => r.event)),
};
console.log(`  ${args.label ?? ''}: median ${ms(summary.median)} ms, worst ${ms(summary.worst)} ms ` +
  `(best ${ms(summary.best)}) over ${summary.runs} runs; to session_ended arriving in B, median ` +
  `${ms(summary.median_event)} ms (worst ${ms(summary.worst_event)}), to the heading in the DOM, median ${ms(summary.median_dom)} ms`);
console.log(`RESULT ${JSON.stringify(summary)}`);

/// One sign-out of B by A; the times from A's answer to B's heading, in ms.
async function once() {
  const b = await browser.newContext();
  const a = await browser.newContext();
  try {
    let eventAt = null;
    await b.exposeFunction('__pushEventAt', (at) => { eventAt ??= at; });
    await b.addInitScript(WATCH);
    const pageB = await b.newPage();
    await pageB.goto(`${args.b}/`);
    await signIn(pageB);
    const device = await pageB.evaluate(async () => {
      const devices = await (await fetch('/api/devices')).json();
      return devices.find((d) => d.current)?.id;
    });
    if (!device) throw new Error("B's own device is not in its GET /api/devices");
    await pageB.goto(`${args.b}/account`);
    await pageB.waitForFunction(() => window.__streamOpen, null, { timeout: PATIENCE });

    const pageA = await a.newPage();
    await pageA.goto(`${args.a}/`);
    await signIn(pageA);
    const answered = await pageA.evaluate(async (id) => {
      const response = await fetch(`/api/devices/${encodeURIComponent(id)}`, { method: 'DELETE' });
      const at = performance.timeOrigin + performance.now();
      if (response.status !== 204) throw new Error(`DELETE /api/devices/${id}: ${response.status} ${await response.text()}`);
      return at;
    }, device);

    // The page navigates to /signed-out on its own: wait for that document's marks.
    await pageB.getByRole('heading', { name: HEADING }).waitFor({ timeout: PATIENCE });
    await pageB.waitForFunction(() => window.__headingPainted, null, { timeout: PATIENCE });
    const marks = await pageB.evaluate(() => ({
      inDom: window.__headingIn,
      painted: window.__headingPainted,
      reason: document.querySelector('main p')?.textContent?.trim() ?? '',
    }));
    if (!marks.reason.startsWith('Signed out from ')) {
      throw new Error(`B shows "${HEADING}" but says "${marks.reason}", not who signed it out`);
    }
    if (eventAt === null) throw new Error('B showed the page without a session_ended event');
    return {
      event: eventAt - answered, inDom: marks.inDom - answered,
      painted: marks.painted - answered, reason: marks.reason,
    };
  } finally {
    await a.close();
    await b.close();
  }
}

/// Signs in through the API from a page of the app (same origin, so the server's cross-site
/// check passes) and picks the manager profile.
async function signIn(page) {
  await page.evaluate(async ({ EMAIL, PASSWORD, PROFILE }) => {
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
  }, { EMAIL, PASSWORD, PROFILE });
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function ms(x) {
  return Math.round(x).toLocaleString('en');
}
