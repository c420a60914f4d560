// `cargo xtask lighthouse`: signs in to the demo account over the API, chooses the manager
// profile (Alex, no PIN) and prints the session cookie as `name=value`, for Lighthouse's
// `--extra-headers`. The server's certificate is self-signed (`--tls-self-signed`), so it
// is not checked: this talks to the server xtask has just started on this machine.
//
//   node xtask/report/session.mjs https://127.0.0.1:PORT

import https from 'node:https';
import http from 'node:http';

const base = new URL(process.argv[2]);
const EMAIL = 'demo@hallpass.test';
const PASSWORD = 'correct-horse-battery-staple';
const PROFILE = 'Alex';

/// One request; resolves to {status, headers, body} with the body parsed as JSON when it is.
function call(method, path, { cookie, json } = {}) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const headers = {
    // What a browser adds to the app's own fetch: the server refuses other sites' writes.
    'Sec-Fetch-Site': 'same-origin',
    Origin: base.origin,
    ...(cookie ? { Cookie: cookie } : {}),
    ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
  };
  const client = base.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(new URL(path, base), { method, headers, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        let parsed = text;
        try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expect(answer, status, what) {
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer;
}

const signIn = expect(await call('POST', '/api/session', { json: { email: EMAIL, password: PASSWORD } }), 200, 'signing in');
const cookie = (signIn.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).find((c) => c.includes('='));
if (!cookie) throw new Error('signing in set no cookie');
if (signIn.body?.two_factor_required) throw new Error('the demo account asks for a two-step code');
const profiles = expect(await call('GET', '/api/profiles', { cookie }), 200, 'listing the profiles').body;
const profile = profiles.find((p) => p.name === PROFILE);
if (!profile) throw new Error(`no profile called ${PROFILE}`);
expect(await call('POST', `/api/profiles/${encodeURIComponent(profile.id)}/select`, { cookie, json: {} }), 200, `choosing ${PROFILE}`);
console.log(cookie);
