// api.js -- every call the dashboard makes to cspd goes through here.
//
// Same-origin cookie session (POST/GET/DELETE /_cspd/session); every non-GET request carries the
// session's CSRF token in X-CSRF-Token, a JSON Content-Type and a fresh MS-RequestId. A 401 from any
// call (other than signing in) means the session is gone: the app is told and goes back to sign-in.

let session = null;
let onExpired = () => {};

export function currentSession() { return session; }
export function setExpiredHandler(fn) { onExpired = fn; }

// An API refusal: the error envelope of cspd ({code, description, data, rule?, remedy?}) plus the
// HTTP status and the request id, so the UI can show description + remedy + rule, never a bare code.
export class ApiError extends Error {
  constructor(status, envelope, requestId) {
    const env = envelope && typeof envelope === 'object' ? envelope : {};
    super(env.description || env.error_description || `The server answered HTTP ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.code = env.code ?? status;
    this.description = this.message;
    this.remedy = env.remedy || null;
    this.rule = env.rule || null;
    this.data = Array.isArray(env.data) ? env.data : [];
    this.requestId = requestId || null;
  }
}

export function newRequestId() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not (a plain-http LAN address).
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function parseBody(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return { description: text.slice(0, 300) }; }
}

// request(method, path, {body, headers, expire}) -> parsed JSON (null for 204).
// Throws ApiError on any non-2xx answer; network failures become an ApiError with status 0.
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (session && session.csrfToken) headers['X-CSRF-Token'] = session.csrfToken;
    headers['MS-RequestId'] = headers['MS-RequestId'] || newRequestId();
    headers['Content-Type'] = 'application/json';
    if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { description: 'The server could not be reached.', remedy: 'Check that cspd is running, then try again.' });
  }
  const body = await parseBody(res);
  if (!res.ok) {
    const err = new ApiError(res.status, body, res.headers.get('MS-RequestId'));
    if (res.status === 401 && opts.expire !== false) {
      session = null;
      onExpired(err);
    }
    throw err;
  }
  if (opts.withHeaders) return { body, headers: res.headers };
  return body;
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body: body === undefined ? {} : body });
export const put = (path, body, opts) => request('PUT', path, { ...opts, body });
export const patch = (path, body, opts) => request('PATCH', path, { ...opts, body });
export const del = (path, opts) => request('DELETE', path, opts);

// Collections: {totalCount, items, links:{next?:{uri, headers:[{key,value}]}}}. getPage returns the
// collection plus `nextToken` (the MS-ContinuationToken of links.next, or null).
export async function getPage(path, token) {
  const headers = token ? { 'MS-ContinuationToken': token } : {};
  const c = await get(path, { headers });
  const next = c && c.links && c.links.next;
  let nextToken = null;
  let nextUri = null;
  if (next) {
    nextUri = next.uri;
    const h = (next.headers || []).find((x) => x.key === 'MS-ContinuationToken');
    nextToken = h ? h.value : null;
  }
  return { ...c, items: (c && c.items) || [], nextToken, nextUri };
}

// Every item of a collection, following links.next (bounded, for small lists such as customers).
export async function getAll(path, maxPages = 20) {
  let page = await getPage(path);
  const items = [...page.items];
  let n = 1;
  while (page.nextToken && n < maxPages) {
    page = await getPage(page.nextUri || path, page.nextToken);
    items.push(...page.items);
    n += 1;
  }
  return items;
}

// --- the dashboard session -------------------------------------------------------------------

export async function signIn(username, password) {
  session = await request('POST', '/_cspd/session', { body: { username, password }, expire: false });
  return session;
}

// The session of the cookie, or null when there is none (page load).
export async function loadSession() {
  try {
    session = await request('GET', '/_cspd/session', { expire: false });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session = null; return null; }
    throw e;
  }
  return session;
}

export async function signOut() {
  try {
    await request('DELETE', '/_cspd/session', { expire: false });
  } finally {
    session = null;
  }
}

// Server facts without auth (sandbox flag, the cspd clock's "now").
export async function serverInfo() {
  return get('/_cspd/info', { expire: false });
}

// Path segment helper: encodeURIComponent for ids placed in URLs.
export const seg = (s) => encodeURIComponent(String(s));
