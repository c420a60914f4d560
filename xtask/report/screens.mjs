// `cargo xtask screens`: a full-page screenshot of every page and dialog at 1280 and 360 px,
// light and dark, signed out and signed in. xtask builds the app, starts a `--demo` server
// on a fresh database and runs
//
//   node xtask/report/screens.mjs --url https://127.0.0.1:PORT --tools .tools \
//        --chromium /usr/bin/chromium --out target/screens
//
// It writes `<page>[-<dialog>]-<width>-<theme>.png` and `manifest.json` (one entry per shot:
// taken, missing or failed, and why) into --out; xtask turns the manifest into index.html.
// Elements are found by role and accessible name, as the end-to-end tests find them, so the
// script survives markup changes. A shot that fails is recorded and the run goes on.

import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const base = args.url;
const out = path.resolve(args.out);
const require = createRequire(path.join(path.resolve(args.tools), 'node_modules', '.'));
const { chromium } = require('playwright-core');

// The demo data of `hallpass-server --demo` (crates/server/src/demo.rs).
const DEMO = { email: 'demo@hallpass.test', password: 'correct-horse-battery-staple', profile: 'Alex' };
const SECOND = { email: 'second@hallpass.test', password: 'second-account-password', profile: 'Riley' };
const JORDAN_PIN = '2468';

const WIDTHS = [1280, 360];
const THEMES = ['light', 'dark'];
const HEIGHT = 800;
// How long one element may take to appear (a page's heading, a dialog).
const WAIT = 15_000;
// CONVENTIONS.md: without the background-networking flags Chromium keeps dialling blocked hosts.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];

const heading = (name) => ({ role: 'heading', name });
const dialog = (name) => ({ role: 'dialog', name });
const click = (role, name, which = 'first') => async (page) => {
  await page.getByRole(role, { name })[which]().click();
};

// Every shot, in the order they are taken. Each one:
// - `page` and optional `dialog`: the file name (`<page>[-<dialog>]-<width>-<theme>.png`);
// - `as`: the browser it is taken in (see SESSIONS; each is set up once, on first use);
// - `path`: where to go first (none: carry on from the shot before, in the same browser);
// - `open(page, state)`: what to do there (click the button that opens a dialog…);
// - `ready`: the element whose appearance means the shot can be taken (role and name);
// - `close(page)`: what puts the page back for the next shot (Cancel in a dialog…).
// A path that the app answers with "Page not found" is recorded as missing.
// Cancel in the topmost dialog ("Confirm it's you" may sit on the dialog it interrupted).
const cancel = async (page) => {
  const open = await page.getByRole('dialog').count();
  await page.getByRole('dialog').last().getByRole('button', { name: 'Cancel' }).click();
  for (const end = Date.now() + WAIT; (await page.getByRole('dialog').count()) >= open;) {
    if (Date.now() > end) throw new Error('the dialog stayed open after Cancel');
    await page.waitForTimeout(50);
  }
};
// "Confirm it's you" sets aside the dialog it interrupts and brings it back on Cancel, so
// closing it means cancelling until no dialog is left.
const cancelAll = async (page) => {
  for (const end = Date.now() + WAIT; (await page.getByRole('dialog').count()) > 0;) {
    if (Date.now() > end) throw new Error('a dialog stayed open after Cancel');
    await page.getByRole('dialog').last().getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(100);
  }
};
const SHOTS = [
  { page: 'home', as: 'out', path: '/', ready: heading(/./) },
  { page: 'signin', as: 'out', path: '/signin', ready: heading('Sign in') },
  { page: 'signin-forgot', as: 'out', path: '/signin/forgot', ready: heading(/forgot|reset/i) },
  { page: 'signed-out', as: 'out', path: '/signed-out?reason=here', ready: heading("You're signed out") },
  { page: 'not-found', as: 'out', path: '/no-such-page', ready: heading('Page not found') },
  { page: 'account-signed-out', as: 'out', path: '/account', ready: heading(/./) },

  { page: 'profiles', as: 'chooser', path: '/profiles', ready: heading("Who's watching?") },
  { page: 'profiles', dialog: 'pin', as: 'chooser', path: '/profiles',
    open: click('button', 'Jordan'), ready: dialog(/PIN/), close: cancel },
  { page: 'manage-profiles', as: 'demo', path: '/profiles/manage', ready: heading('Manage profiles') },
  { page: 'manage-profiles', dialog: 'add', as: 'demo',
    open: click('button', 'Add profile'), ready: dialog(/^Add/), close: cancel },
  { page: 'manage-profiles', dialog: 'edit', as: 'demo',
    open: click('button', /^Edit /, 'last'), ready: dialog(/^Edit /), close: cancel },
  { page: 'manage-profiles', dialog: 'delete', as: 'demo',
    open: click('button', /^Delete /, 'last'), ready: dialog(/^Delete /), close: cancel },
  { page: 'account', as: 'demo', path: '/account', ready: heading('Account') },
  { page: 'account', dialog: 'unlink', as: 'demo',
    open: click('button', /^Unlink /), ready: dialog(/^Unlink /), close: cancel },
  { page: 'change-password', as: 'demo', path: '/account/password', ready: heading('Change password') },
  { page: 'change-email', as: 'demo', path: '/account/email', ready: heading(/email/i) },
  { page: 'change-phone', as: 'demo', path: '/account/phone', ready: heading(/phone/i) },
  { page: 'recovery', as: 'demo', path: '/account/recovery', ready: heading(/recovery/i) },
  { page: 'security', as: 'demo', path: '/security', ready: heading(/^Security/) },
  { page: 'two-step', as: 'demo', path: '/security/two-step', ready: heading(/^Two-step verification/) },
  { page: 'devices', as: 'demo', path: '/security/devices', ready: heading('Manage access and devices') },
  // The last row is another device: the current one comes first.
  { page: 'devices', dialog: 'rename', as: 'demo',
    open: click('button', /^Rename /, 'last'), ready: dialog(/^Rename /), close: cancel },
  { page: 'devices', dialog: 'sign-out', as: 'demo',
    open: click('button', /^Sign out (?!of all)/, 'last'), ready: dialog(/^Sign out .*\?$/), close: cancel },
  { page: 'devices', dialog: 'sign-out-all', as: 'demo',
    open: click('button', 'Sign out of all devices'), ready: dialog('Sign out of all devices?'), close: cancel },
  { page: 'activity', as: 'demo', path: '/security/activity', ready: heading('Account activity') },
  { page: 'activity', dialog: 'wasnt-you', as: 'demo',
    open: click('button', /^Wasn't you/), ready: dialog(/\?$/), close: cancel },
  { page: 'account', dialog: 'kids-profile', as: 'kids', path: '/account',
    ready: heading("This profile can't manage the account") },
  { page: 'not-found', dialog: 'signed-in', as: 'demo', path: '/no-such-page', ready: heading('Page not found') },

  // Two-step set-up on the second account, so the demo account keeps two-step off.
  { page: 'two-step', dialog: 'setup-qr', as: 'second', path: '/security/two-step',
    open: turnOnTwoStep, ready: heading('Set up your authenticator app') },
  { page: 'two-step', dialog: 'recovery-codes', as: 'second',
    open: confirmTwoStep, ready: heading('Save your recovery codes') },
  { page: 'two-step', dialog: 'on', as: 'second',
    open: click('button', 'Done'), ready: heading(/^Two-step verification is on/) },
  { page: 'two-step', dialog: 'new-codes', as: 'second',
    open: click('button', 'Get new recovery codes'), ready: dialog('Get new recovery codes?'), close: cancel },
  { page: 'two-step', dialog: 'turn-off', as: 'second',
    open: click('button', 'Turn off', 'first'), ready: dialog('Turn off two-step verification?'), close: cancel },
  { page: 'signin', dialog: 'two-step', as: 'out', path: '/signin',
    open: (page) => signInThroughThePage(page, SECOND), ready: heading('Two-step verification') },

  // Last: it moves the server's clock on 11 minutes, so the sign-in is no longer recent.
  { page: 'confirm-its-you', as: 'demo', path: '/security/devices', open: stepUp, ready: dialog("Confirm it's you"),
    close: cancelAll },
];

// How each browser starts: signed out, or signed in over the API and with a profile chosen.
const SESSIONS = {
  out: async () => {},
  demo: (context) => signInOverTheApi(context, DEMO),
  // Just signed in: no profile chosen yet, as "Who's watching?" first appears.
  kids: (context) => signInOverTheApi(context, { ...DEMO, profile: 'Kids' }),
  chooser: (context) => signInOverTheApi(context, { ...DEMO, profile: null }),
  second: (context) => signInOverTheApi(context, SECOND),
};

/// Signs in from a page of the app (same origin, so the server's cross-site check passes)
/// and chooses `who.profile` (one without a PIN), if it names one.
async function signInOverTheApi(context, who) {
  const page = await context.newPage();
  await page.goto(`${base}/signed-out`);
  await page.evaluate(async (who) => {
    const json = { 'Content-Type': 'application/json' };
    const ok = async (r) => {
      if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
      return r;
    };
    await ok(await fetch('/api/session', {
      method: 'POST', headers: json, body: JSON.stringify({ email: who.email, password: who.password }),
    }));
    if (!who.profile) return;
    const profiles = await (await ok(await fetch('/api/profiles'))).json();
    const profile = profiles.find((p) => p.name === who.profile);
    if (!profile) throw new Error(`no profile called ${who.profile}`);
    await ok(await fetch(`/api/profiles/${encodeURIComponent(profile.id)}/select`, {
      method: 'POST', headers: json, body: '{}',
    }));
  }, who);
  await page.close();
}

async function signInThroughThePage(page, who) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: WAIT });
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/// "Turn on", keeping the secret the server answers with for the code of the next step.
async function turnOnTwoStep(page, state) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST'
    && new URL(r.url()).pathname === '/api/two-factor/totp', { timeout: WAIT });
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  state.secret = (await (await answer).json()).secret;
}

async function confirmTwoStep(page, state) {
  if (!state.secret) throw new Error('set-up did not start, so there is no secret');
  await page.getByLabel('Code', { exact: true }).fill(totp(state.secret));
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
}

/// Moves the server's clock past the 10 minutes a sign-in counts as recent, then signs out
/// another device: the app asks "Confirm it's you".
async function stepUp(page) {
  const status = await page.evaluate(async () => (await fetch('/api/dev/clock', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_seconds: 11 * 60 }),
  })).status);
  if (status !== 204) throw new Error(`moving the server's clock answered ${status}`);
  await page.getByRole('button', { name: /^Sign out (?!of all)/ }).last().click();
  await page.getByRole('dialog', { name: /^Sign out .*\?$/ }).getByRole('button', { name: /^Sign out/ }).click();
}

/// RFC 6238 with the defaults authenticator apps use: SHA-1, 6 digits, 30 s.
function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/// Counts the page's requests in flight, for [`quiet`].
function track(page) {
  page.inFlight = 0;
  page.on('request', () => { page.inFlight += 1; });
  for (const done of ['requestfinished', 'requestfailed']) page.on(done, () => { page.inFlight -= 1; });
}

/// Waits until no request has been in flight for 300 ms (at most 5 s): the page's data has
/// come, whatever the page shows while it loads.
async function quiet(page) {
  let since = Date.now();
  for (const end = Date.now() + 5_000; Date.now() < end && Date.now() - since < 300;) {
    if (page.inFlight > 0) since = Date.now();
    await page.waitForTimeout(25);
  }
}

/// Waits for what the shot is of; then for the network to go quiet, for skeletons and busy
/// regions to go (at most a few seconds: a page that never stops loading is shot as it is)
/// and for web fonts.
async function settle(page, ready) {
  const target = page.getByRole(ready.role, { name: ready.name }).first();
  const notFound = page.getByRole('heading', { name: 'Page not found' });
  await target.or(notFound).first().waitFor({ state: 'visible', timeout: WAIT });
  const missing = !(await target.isVisible()) && (await notFound.isVisible());
  await quiet(page);
  await page.waitForFunction(
    () => !document.querySelector('.skeleton, [aria-busy="true"]'), null, { timeout: 5_000 },
  ).catch(() => {});
  await page.evaluate(() => document.fonts.ready);
  return missing;
}

/// Two animation frames: the layout of a new viewport or colour scheme is painted.
async function frames(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: FLAGS });
const version = browser.version();
const manifest = [];
const started = Date.now();
try {
  const pages = {};
  const state = {};
  const pageFor = async (as) => {
    if (!pages[as]) {
      const context = await browser.newContext({
        viewport: { width: WIDTHS[0], height: HEIGHT }, ignoreHTTPSErrors: true, reducedMotion: 'reduce',
      });
      await SESSIONS[as](context);
      pages[as] = await context.newPage();
      track(pages[as]);
    }
    return pages[as];
  };
  for (const shot of SHOTS) {
    const name = shot.dialog ? `${shot.page}-${shot.dialog}` : shot.page;
    const entry = { name, page: shot.page, dialog: shot.dialog ?? null, as: shot.as, path: shot.path ?? null, files: [] };
    manifest.push(entry);
    const t0 = Date.now();
    try {
      const page = await pageFor(shot.as);
      await page.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
      await page.emulateMedia({ colorScheme: THEMES[0] });
      if (shot.path) await page.goto(`${base}${shot.path}`);
      if (shot.open) await shot.open(page, state);
      if (await settle(page, shot.ready)) {
        entry.status = 'missing';
        entry.note = `${shot.path} answers "Page not found"`;
      } else {
        for (const width of WIDTHS) {
          for (const theme of THEMES) {
            await page.setViewportSize({ width, height: HEIGHT });
            await page.emulateMedia({ colorScheme: theme });
            await frames(page);
            const file = `${name}-${width}-${theme}.png`;
            // A modal's backdrop covers the viewport, not the page below it: a dialog is shot
            // as a person sees it, in the viewport (a dialog taller than that scrolls itself).
            const fullPage = shot.ready.role !== 'dialog';
            if (fullPage) {
              // As tall as the page, so that what renders only near the viewport
              // (`content-visibility: auto`) is drawn too, as a person scrolling would see it.
              const height = await page.evaluate(() => document.documentElement.scrollHeight);
              await page.setViewportSize({ width, height: Math.max(HEIGHT, height) });
              await frames(page);
            }
            await page.screenshot({ path: path.join(out, file), fullPage, animations: 'disabled' });
            entry.files.push({ file, width, theme });
          }
        }
        entry.status = 'ok';
        entry.url = page.url().slice(base.length);
        if (shot.close) await shot.close(page);
      }
    } catch (err) {
      if (entry.status !== 'ok') entry.status = entry.files.length ? 'partial' : 'failed';
      entry.note = String(err.message ?? err).split('\n')[0];
    }
    const took = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`${entry.status.padEnd(7)} ${name} (${took} s)${entry.note ? `: ${entry.note}` : ''}`);
  }
} finally {
  await browser.close();
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({
    base, chromium: version, seconds: Math.round((Date.now() - started) / 1000), shots: manifest,
  }, null, 2));
}
