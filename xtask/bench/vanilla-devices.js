// The yardstick of `cargo xtask render`: "Manage access and devices" written by hand with
// `document.createElement` and `textContent`, no framework. `render.mjs` serves it beside the
// app's own markup from before its response (same stylesheets, header and skeleton) and calls
// `showDevices()`; the rows it draws must serialise exactly as the app's do (render.mjs checks).
//
// It does all the work the app does between the response and the frame: it reads the body as
// text and parses it, labels every device (same-named devices told apart, as
// `src/components/device_finder.rs` does), builds each entry's search text, orders the
// list, formats the same strings with the same `Intl` formatters (made on first use, as
// `src/time.rs` does) and draws the same elements, a click listener on each button included.
// Only the first page is drawn; "Show more" appends the next, moves focus as the app does and
// rewrites the status. Searching, sorting and the dialogs are not implemented: their buttons
// and fields are drawn, but the measurement never uses them.

(() => {
  const PAGE = 50;
  const NARROW_BELOW = 640;
  const CAPTION = 'Devices signed in to your account';
  const KINDS = {
    computer: ['Computer', 'kind-icon kind-computer'],
    phone: ['Phone', 'kind-icon kind-phone'],
    tablet: ['Tablet', 'kind-icon kind-tablet'],
    tv: ['TV', 'kind-icon kind-tv'],
    console: ['Game console', 'kind-icon kind-console'],
  };
  const UNKNOWN = ['Unknown device', 'kind-icon kind-unknown'];
  const UNITS = [
    [365 * 86400, 'year'], [30 * 86400, 'month'], [7 * 86400, 'week'],
    [86400, 'day'], [3600, 'hour'], [60, 'minute'],
  ];
  let relativeFormat;
  let exactFormat;

  const kindOf = (device) => KINDS[device.kind] ?? UNKNOWN;
  const nameOf = (device) => device.nickname ?? device.name;
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  // Rust's `Option` order: `None` first.
  const cmpOption = (a, b) => (a == null ? (b == null ? 0 : -1) : b == null ? 1 : cmp(a, b));

  function place(location) {
    const parts = location ? [location.city, location.country].filter((p) => p != null) : [];
    return parts.length ? parts.join(', ') : 'Unknown location';
  }

  function grouped(n) {
    const digits = String(n);
    let out = '';
    for (let i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
      out += digits[i];
    }
    return out;
  }

  function relative(at) {
    const time = Date.parse(at);
    if (Number.isNaN(time)) return at;
    const seconds = Math.max(0, (Date.now() - time) / 1000);
    const unit = UNITS.find(([size]) => seconds >= size);
    if (!unit) return 'just now';
    relativeFormat ??= new Intl.RelativeTimeFormat([], { numeric: 'auto' });
    return relativeFormat.format(-Math.floor(seconds / unit[0]), unit[1]);
  }

  function exact(at) {
    const time = Date.parse(at);
    if (Number.isNaN(time)) return at;
    exactFormat ??= new Intl.DateTimeFormat([], { dateStyle: 'medium', timeStyle: 'short' });
    return exactFormat.format(new Date(time));
  }

  /// The lengths of the runs of equal keys in `positions`.
  function runs(positions, key) {
    const lengths = [];
    for (let i = 0; i < positions.length;) {
      const first = key(positions[i]);
      let n = 1;
      while (i + n < positions.length && key(positions[i + n]) === first) n++;
      lengths.push(n);
      i += n;
    }
    return lengths;
  }

  /// Every device with its label and search text, in the server's order.
  function labelled(devices) {
    const names = devices.map(nameOf);
    const wheres = devices.map((d) => (d.location ? d.location.city ?? d.location.country ?? null : null));
    const order = devices.map((_, i) => i);
    order.sort((a, b) => cmp(names[a], names[b]) || cmpOption(wheres[a], wheres[b]) ||
      cmp(devices[a].signed_in_at, devices[b].signed_in_at) || cmp(devices[a].id, devices[b].id));
    const shared = new Array(devices.length).fill(false);
    const number = new Array(devices.length).fill(0);
    let start = 0;
    for (const sameName of runs(order, (i) => names[i])) {
      const group = order.slice(start, start + sameName);
      if (sameName > 1) {
        let at = 0;
        for (const samePlace of runs(group, (i) => wheres[i])) {
          group.slice(at, at + samePlace).forEach((i, n) => {
            shared[i] = true;
            number[i] = samePlace > 1 ? n + 1 : 0;
          });
          at += samePlace;
        }
      }
      start += sameName;
    }
    return devices.map((device, i) => {
      const [name, at, n] = [names[i], wheres[i], number[i]];
      let label = name;
      if (shared[i] && at != null) label = n ? `${name} (${at}, #${n})` : `${name} (${at})`;
      else if (shared[i] && n) label = `${name} (#${n})`;
      const lower = label.toLowerCase();
      const haystack = lower + (` ${device.name} ${kindOf(device)[0]} ${device.browser} ` +
        `${device.os} ${place(device.location)}`).toLowerCase();
      return { device, label, haystack, labelEnd: lower.length };
    });
  }

  /// The app's `find` with an empty search in its default order: most recently active first.
  function found(entries) {
    const positions = entries.map((_, i) => i);
    positions.sort((a, b) => cmp(entries[b].device.last_active_at, entries[a].device.last_active_at));
    return positions.map((i) => entries[i]);
  }

  /// `tag` with attributes `attrs` (in the app's order) and children: nodes or strings.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const key in attrs) el.setAttribute(key, attrs[key]);
    for (const child of children) {
      if (child == null) continue;
      el.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return el;
  }

  function identity(entry) {
    const { device, label } = entry;
    const [kind, icon] = kindOf(device);
    return h('div', { class: 'device' },
      h('span', { class: icon, role: 'img', 'aria-label': kind }),
      h('span', { class: 'device-id' },
        h('span', { class: 'device-name' }, label),
        device.current ? h('span', { class: 'badge' }, 'This device') : null,
        h('span', { class: 'muted' }, `${device.browser} · ${device.os}`)));
  }

  const profileOf = (device) => device.last_profile?.name ?? 'No profile chosen';
  const lastActive = (device) => h('time',
    { datetime: device.last_active_at, title: exact(device.last_active_at) }, relative(device.last_active_at));
  const whereabouts = (device) => [place(device.location), h('br', {}),
    h('span', { class: 'muted' }, `IP ${device.ip_hint}`)];

  function button(attrs, text, onClick) {
    const el = h('button', { type: 'button', ...attrs }, text);
    el.addEventListener('click', onClick);
    return el;
  }

  /// Rename and Sign out, named after the device; they only note what was pressed.
  function actions(entry) {
    const { device, label } = entry;
    return h('div', { class: 'device-actions' },
      button({ class: 'quiet', id: `rename-${device.id}`, 'aria-label': `Rename ${label}` }, 'Rename',
        () => { window.vanillaPressed = ['rename', device]; }),
      button({ class: 'secondary', id: `sign-out-${device.id}`, 'aria-label': `Sign out ${label}` }, 'Sign out',
        () => { window.vanillaPressed = ['sign out', device]; }));
  }

  function details(device) {
    return h('dl', {},
      h('dt', {}, 'Profile'), h('dd', {}, profileOf(device)),
      h('dt', {}, 'Last active'), h('dd', {}, lastActive(device)),
      h('dt', {}, 'Location'), h('dd', {}, ...whereabouts(device)));
  }

  const row = (entry) => h('tr', {},
    h('th', { scope: 'row' }, identity(entry)),
    h('td', {}, profileOf(entry.device)),
    h('td', {}, lastActive(entry.device)),
    h('td', {}, ...whereabouts(entry.device)),
    h('td', {}, actions(entry)));

  const card = (entry) => h('li', { class: 'device-card' },
    identity(entry), details(entry.device), actions(entry));

  function thisDevice(entry) {
    const { device, label } = entry;
    return h('div', { class: 'device-card this-device' }, identity(entry), details(device),
      h('div', { class: 'device-actions' },
        button({ class: 'quiet', id: `rename-${device.id}`, 'aria-label': `Rename ${label}` }, 'Rename',
          () => { window.vanillaPressed = ['rename', device]; }),
        button({ class: 'secondary' }, 'Sign out of this device',
          () => { window.vanillaPressed = ['sign out here', device]; })));
  }

  function finder() {
    const select = h('select', { id: 'device-sort' },
      h('option', { value: 'recent', selected: '' }, 'Most recent activity'),
      h('option', { value: 'name' }, 'Name'),
      h('option', { value: 'kind' }, 'Kind'));
    return h('div', { class: 'device-finder', role: 'search', 'aria-label': 'Devices' },
      h('div', { class: 'field' },
        h('label', { for: 'device-search' }, 'Find a device'),
        h('input', { type: 'search', id: 'device-search', autocomplete: 'off', 'aria-describedby': 'device-search-hint' }),
        h('p', { class: 'hint', id: 'device-search-hint' }, 'By name, kind or place')),
      h('div', { class: 'field' }, h('label', { for: 'device-sort' }, 'Sort by'), select));
  }

  function status(total, showing) {
    const others = total === 1 ? 'other device' : 'other devices';
    if (total === 0) return 'No other devices are signed in.';
    const paged = showing < total ? `, showing the first ${grouped(showing)}` : '';
    return `${grouped(total)} ${others}${paged}`;
  }

  /// Draws the page for the devices `GET /api/devices` lists, in place of the skeleton.
  function draw(devices) {
    const page = document.querySelector('main .devices-page');
    const entries = labelled(devices);
    const me = entries.find((e) => e.device.current);
    const list = found(entries.filter((e) => !e.device.current));
    const narrow = window.innerWidth < NARROW_BELOW;
    let shown = Math.min(PAGE, list.length);

    const n = devices.length;
    const summary = h('div', { class: 'devices-summary' },
      h('p', { class: 'device-count' }, n === 1 ? '1 device signed in' : `${grouped(n)} devices signed in`),
      button({ class: 'secondary danger' }, 'Sign out of all devices', () => { window.vanillaPressed = ['all']; }),
      // Where the app says its confirmation couldn't be fetched (the dialog is a part of its
      // own, drawn only once opened).
      h('div', { role: 'alert', class: 'form-error' }));
    const mine = h('section', { class: 'device-section', 'aria-labelledby': 'this-device-heading' },
      h('h2', { id: 'this-device-heading' }, 'This device'), me ? thisDevice(me) : null);
    const said = h('p', { class: 'status device-status', role: 'status' }, status(list.length, shown));
    const body = narrow ? h('ul', { class: 'device-cards', 'aria-label': CAPTION }) : h('tbody', {});
    const drawRow = narrow ? card : row;
    for (let i = 0; i < shown; i++) body.append(drawRow(list[i]));
    const table = narrow ? body : h('table', { class: 'devices' },
      h('caption', {}, CAPTION),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Device'), h('th', { scope: 'col' }, 'Profile'),
        h('th', { scope: 'col' }, 'Last active'), h('th', { scope: 'col' }, 'Location'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body);
    const more = button({ class: 'secondary show-more' }, '', () => {
      const first = list[shown];
      const next = Math.min(shown + PAGE, list.length);
      const rows = document.createDocumentFragment();
      for (let i = shown; i < next; i++) rows.append(drawRow(list[i]));
      body.append(rows);
      shown = next;
      said.textContent = status(list.length, shown);
      label();
      requestAnimationFrame(() => document.getElementById(`rename-${first.device.id}`)?.focus());
    });
    const label = () => {
      const left = list.length - shown;
      if (left > 0) more.textContent = `Show ${Math.min(left, PAGE)} more`;
      else more.remove();
    };
    label();
    const others = h('section', { class: 'device-section', 'aria-labelledby': 'other-devices-heading' },
      h('h2', { id: 'other-devices-heading' }, 'Other devices'),
      list.length > 1 ? finder() : null, said, list.length ? table : null,
      list.length > shown ? more : null);

    page.querySelector(':scope > .devices-skeleton')?.remove();
    page.querySelector(':scope > p.visually-hidden[role="status"]')?.remove();
    // Where the app says a row's dialogs couldn't be fetched (they are a part of their own,
    // drawn only once opened).
    const toast = h('div', { class: 'toast' }, h('div', { role: 'alert', class: 'form-error' }));
    page.append(summary, mine, others, toast);
  }

  window.showDevices = async () => {
    const response = await fetch('/api/devices', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET /api/devices: ${response.status}`);
    draw(JSON.parse(await response.text()));
  };
})();
