// CSRF protection of the cookie session, seen from inside the signed-in dashboard.
import { assert, byTest, signInAs, signOut, sessionOf, apiAsPage, visit } from './lib.mjs';

export const tests = [
  {
    name: 'CSRF refusal: a write from the page without X-CSRF-Token gets 403 and changes nothing; the dashboard\'s own calls carry the token and work',
    async run({ page }) {
      // the dashboard's own non-GET calls, watched on the wire
      const writes = [];
      page.on('request', (r) => {
        if (r.method() !== 'GET' && new URL(r.url()).pathname.match(/^\/(v1|_cspd)\//)) {
          writes.push({ method: r.method(), path: new URL(r.url()).pathname, csrf: r.headers()['x-csrf-token'] || null });
        }
      });
      await signInAs(page, 'admin@contoso-direct.test');
      const before = await apiAsPage(page, 'GET', '/v1/agreements/mpa');
      assert.equal(before.status, 200, 'the cookie reads the API');

      // a forged write: same origin, the cookie goes along, but no X-CSRF-Token
      const forged = await page.evaluate(async () => {
        const r = await fetch('/v1/agreements/mpa', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' }, body: '{}',
        });
        return { status: r.status, body: await r.json().catch(() => null) };
      });
      assert.equal(forged.status, 403, `a write without X-CSRF-Token is refused: ${JSON.stringify(forged.body)}`);
      assert.equal(forged.body && forged.body.code, 403, 'envelope code 403');
      assert.match(String(forged.body && forged.body.remedy), /X-CSRF-Token/, 'the remedy names X-CSRF-Token');

      const after = await apiAsPage(page, 'GET', '/v1/agreements/mpa');
      assert.deepEqual(after.body, before.body, 'the MPA acceptances did not change');
      const s = await sessionOf(page);
      assert.ok(s, 'the session is still there');

      // the dashboard itself still works: its pages read the API, its sign-out (a DELETE) carries the token
      await visit(page, '#/settings/programinfo');
      await byTest(page, 'nav-programinfo').waitFor();
      await signOut(page);
      assert.equal(await sessionOf(page), null, 'the dashboard\'s DELETE /_cspd/session went through');
      const own = writes.filter((w) => !(w.method === 'POST' && w.path === '/v1/agreements/mpa'));
      assert.ok(own.some((w) => w.method === 'DELETE' && w.path === '/_cspd/session'), 'the sign-out call was seen');
      for (const w of own) {
        if (w.method === 'POST' && w.path === '/_cspd/session') continue; // signing in has no session yet
        assert.equal(w.csrf, s.csrfToken, `${w.method} ${w.path} carries the session's X-CSRF-Token`);
      }
    },
  },
];
