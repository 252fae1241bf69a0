// tests/browser/lib.mjs -- helpers of the browser tests (run.mjs runs them).
//
// UI: signIn / signOut / expectSignedIn use the data-testid attributes of web/ (web/README.md).
// API (setup only, clearly marked where used): apiAsPage runs a fetch inside a signed-in page with the
// session cookie and its X-CSRF-Token; token/api call the API from node with a bearer token.
import assert from 'node:assert/strict';

export { assert };
export const PW = 'cspd-demo-password';

// The demo world (data/demo-world.json, tests/scenarios/404-seed-transfer.json).
export const IDS = {
  contoso: 'c0000000-0000-4000-8000-000000000001',
  fabrikam: 'c0000000-0000-4000-8000-000000000002',
  wingtip: 'e0000000-0000-4000-8000-000000000001',
  adatum: 'e0000000-0000-4000-8000-000000000002',
  fabrikamMpn: '4200011',
  contosoMpn: '4100011',
};

export const byTest = (page, id) => page.getByTestId(id);

// Open a dashboard page by its hash route ('#/customers'); the same hash again reloads the page (a
// fragment navigation to the current hash would not render anything anew).
export async function visit(page, hash) {
  const u = new URL(page.url() === 'about:blank' ? 'http://x/' : page.url());
  if (u.hash === hash) await page.reload();
  else await page.goto(`/${hash}`);
}

// Sign in through the sign-in page.
export async function signIn(page, email, password = PW) {
  await page.goto('/#/signin');
  await byTest(page, 'signin-email').fill(email);
  await byTest(page, 'signin-password').fill(password);
  await byTest(page, 'signin-submit').click();
}

// Waits for the signed-in shell; returns the tenant and user names shown.
export async function expectSignedIn(page) {
  await byTest(page, 'tenant-name').waitFor();
  return {
    tenant: (await byTest(page, 'tenant-name').innerText()).trim(),
    user: (await byTest(page, 'user-name').innerText()).trim(),
  };
}

export async function signInAs(page, email) {
  await signIn(page, email);
  return expectSignedIn(page);
}

export async function signOut(page) {
  await byTest(page, 'signout').click();
  await byTest(page, 'signin-form').waitFor();
}

// The session of the page's cookie, as the server sees it (null when there is none).
export async function sessionOf(page) {
  return page.evaluate(async () => {
    const r = await fetch('/_cspd/session', { credentials: 'same-origin', cache: 'no-store' });
    return r.status === 200 ? r.json() : null;
  });
}

// An API call from inside a signed-in page: the session cookie plus its X-CSRF-Token, as the
// dashboard's own api.js does. Used for setup and for checks, never instead of a UI step without
// saying so. Returns {status, body}.
export async function apiAsPage(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const s = await (await fetch('/_cspd/session', { credentials: 'same-origin', cache: 'no-store' })).json();
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = s.csrfToken;
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body === undefined ? {} : body);
    }
    const r = await fetch(path, init);
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: r.status, body: json };
  }, { method, path, body });
}

// Bearer-token API from node (setup that is not a dashboard step, e.g. the purchases of the seed).
export async function token(base, email, password = PW) {
  const r = await fetch(`${base}/common/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', username: email, password }),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`token for ${email}: HTTP ${r.status} ${JSON.stringify(j)}`);
  return j.access_token;
}

export async function api(base, tok, method, path, body) {
  const headers = { Authorization: `Bearer ${tok}`, Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(`${base}${path}`, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: r.status, body: json };
}

// api() that must answer `status` (default 2xx); returns the body.
export async function apiOk(base, tok, method, path, body, status) {
  const r = await api(base, tok, method, path, body);
  const good = status ? r.status === status : r.status >= 200 && r.status < 300;
  if (!good) throw new Error(`${method} ${path}: expected ${status || '2xx'}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// Back to the demo world (sandbox). Every test that changes data starts with it.
export async function resetWorld(base) {
  const op = await token(base, 'operator@cspd.test');
  await apiOk(base, op, 'POST', '/_cspd/reset', {});
}

// The visible error box of a refusal must carry the API's description and remedy, not a bare code.
export async function expectRefusal(box, { description, remedy, rule } = {}) {
  await box.waitFor();
  const text = (await box.innerText()).replace(/\s+/g, ' ').trim();
  assert.ok(!/^\s*(HTTP\s*)?\d{3,5}\s*$/.test(text), `the refusal is a bare code: "${text}"`);
  if (description) assert.ok(text.includes(description), `the refusal shows the API description "${description}": "${text}"`);
  if (remedy) assert.ok(text.includes(remedy), `the refusal shows the API remedy "${remedy}": "${text}"`);
  if (rule) assert.ok(text.includes(rule), `the refusal names the rule ${rule}: "${text}"`);
  return text;
}

// No horizontal scrolling at the page's width.
export async function expectNoHorizontalScroll(page, what) {
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''}${e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : ''} right=${Math.round(e.getBoundingClientRect().right)}`),
  }));
  assert.ok(m.scroll <= m.width,
    `${what}: document scrollWidth ${m.scroll} > viewport ${m.width}; widest: ${m.wide.join(', ')}`);
}
