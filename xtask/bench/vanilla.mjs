// The yardstick beside the app in `render.mjs`: serving `vanilla-devices.js` on the app's
// origin, and checking that what it draws is what the app draws.

import { readFile } from 'node:fs/promises';

/// Where the vanilla page is served: same origin as the app, so it sends the same session
/// cookie to the same server.
export const VANILLA = '/bench/vanilla';
const SCRIPT = '/bench/vanilla-devices.js';

/// Serves the vanilla page to every page of `context`. Its markup is the app's own page as it
/// stands when `GET /api/devices` is sent (header, heading, skeleton and the stylesheets, so
/// style, layout and paint cost the same), taken from a page of the app whose request for
/// the devices never gets an answer; minus the app's scripts and preloads (however many
/// `.wasm` and `.js` files the build splits the app into), plus `vanilla-devices.js`.
export async function serveVanilla(context, base) {
  const page = await context.newPage();
  await page.route('**/api/devices', () => {});
  await page.goto(`${base}/security/devices`);
  await page.locator('main .devices-page .devices-skeleton').waitFor({ timeout: 60_000 });
  const html = await page.evaluate((SCRIPT) => {
    const doc = document.documentElement.cloneNode(true);
    doc.querySelectorAll('script, link[rel="modulepreload"], link[rel="preload"], link[rel="prefetch"]')
      .forEach((e) => e.remove());
    const script = document.createElement('script');
    script.src = SCRIPT;
    doc.querySelector('body').append(script);
    return `<!doctype html>\n${doc.outerHTML}`;
  }, SCRIPT);
  await page.close();
  if (!html.includes('devices-skeleton')) throw new Error('the app shows no skeleton to copy');
  const script = await readFile(new URL('vanilla-devices.js', import.meta.url));
  await context.route(`${base}${VANILLA}`, (route) =>
    route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
  await context.route(`${base}${SCRIPT}`, (route) =>
    route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: script }));
}

/// The devices page of `page`, one line per element, text and attribute, attributes sorted
/// and comments left out: how it reads, not the order in which its attributes were set. The
/// dialogs' title ids only count dialogs, so they are left out too.
export function snapshot(page) {
  return page.evaluate(() => {
    const lines = [];
    const walk = (node, depth) => {
      const pad = ' '.repeat(depth);
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      lines.push(`${pad}<${node.localName}>`);
      for (const { name, value } of [...node.attributes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const shown = /^dialog-title-/.test(value) ? 'dialog-title-N' : value;
        lines.push(`${pad}  @${name}=${JSON.stringify(shown)}`);
      }
      // Adjacent text nodes read as one.
      let text = null;
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          text = (text ?? '') + child.data;
          continue;
        }
        if (text !== null) walkText(text, node, depth + 1);
        text = null;
        walk(child, depth + 1);
      }
      if (text !== null) walkText(text, node, depth + 1);
    };
    const walkText = (text, parent, depth) => {
      const tag = parent.localName === 'time' ? 'time:' : '';
      if (text) lines.push(`${' '.repeat(depth)}${tag}${JSON.stringify(text)}`);
    };
    walk(document.querySelector('main .devices-page'), 0);
    return lines;
  });
}

/// Throws unless the two snapshots read the same, and returns how many `<time>` texts
/// differed. The clock moves between the two pages' renders: "1 minute ago" can turn into
/// "2 minutes ago", and with a thousand rows dozens of devices cross the same minute at once,
/// so any number of `<time>` texts that differ only in their number are allowed. Up to
/// `ticks` others ("59 minutes ago" into "1 hour ago") are allowed too; anything else is a
/// difference.
export function sameDom(app, vanilla, what, ticks = 2) {
  const differ = [];
  const n = Math.max(app.length, vanilla.length);
  for (let i = 0; i < n; i++) if (app[i] !== vanilla[i]) differ.push(i);
  const isTime = (i) => app.length === vanilla.length &&
    app[i].trim().startsWith('time:') && vanilla[i].trim().startsWith('time:');
  // "2 minutes ago" and "1 minute ago" read alike: the number, and a plural's s, left out.
  const shape = (line) => line.replace(/\d+/g, 'N').replace(/s\b/g, '');
  const isCount = (i) => isTime(i) && shape(app[i]) === shape(vanilla[i]);
  const others = differ.filter((i) => !isCount(i));
  if (others.length > ticks || !others.every(isTime)) {
    const i = others[0];
    const around = (lines) => lines.slice(Math.max(0, i - 6), i + 4).join('\n');
    throw new Error(`the vanilla page differs from the app (${what}): ${differ.length} lines, ` +
      `${app.length} against ${vanilla.length}; the first at line ${i}.\n--- app\n${around(app)}\n` +
      `--- vanilla\n${around(vanilla)}`);
  }
  return differ.length;
}
