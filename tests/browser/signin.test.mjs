// Sign-in and sign-out through the dashboard's sign-in page.
import { assert, byTest, signIn, signInAs, signOut, sessionOf, PW, visit } from './lib.mjs';

// The API's own refusal of a wrong password: the page must show this description and remedy.
async function wrongPasswordEnvelope(base) {
  const r = await fetch(`${base}/_cspd/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin@contoso-direct.test', password: 'not-the-password' }),
  });
  assert.equal(r.status, 401);
  return r.json();
}

// Each kind of tenant lands on its own start page.
const LANDINGS = [
  { kind: 'partner', email: 'admin@contoso-direct.test', hash: '#/overview', nav: 'nav-overview' },
  { kind: 'customer', email: 'admin@wingtiptoys.test', hash: '#/customer', nav: 'nav-customer-home' },
  { kind: 'operator', email: 'operator@cspd.test', hash: '#/operator/enrollments', nav: 'nav-op-enrollments' },
];

export const tests = [
  {
    name: 'sign-in failure: a wrong password shows the API description and remedy, and no session',
    async run({ page, base }) {
      const env = await wrongPasswordEnvelope(base);
      assert.ok(env.description && env.remedy, 'the API envelope has a description and a remedy');
      await signIn(page, 'admin@contoso-direct.test', 'not-the-password');
      const box = byTest(page, 'signin-error');
      await box.waitFor();
      await byTest(page, 'signin-error-description').waitFor();
      assert.equal((await byTest(page, 'signin-error-description').innerText()).trim(), env.description);
      assert.ok((await byTest(page, 'signin-error-remedy').innerText()).includes(env.remedy),
        `the remedy "${env.remedy}" is shown`);
      assert.equal(await byTest(page, 'tenant-name').count(), 0, 'no signed-in shell');
      assert.equal(await sessionOf(page), null, 'the server has no session for this browser');
      const cookies = await page.context().cookies();
      assert.equal(cookies.filter((c) => c.name === 'cspd_session').length, 0, 'no session cookie');
      // still on the sign-in form, password cleared for the next try
      await byTest(page, 'signin-form').waitFor();
      assert.equal(await byTest(page, 'signin-password').inputValue(), '');
    },
  },
  ...LANDINGS.map((l) => ({
    name: `sign-in success: ${l.kind === 'operator' ? 'an' : 'a'} ${l.kind} user lands on the ${l.kind} start page with user and tenant name; sign-out returns to sign-in`,
    async run({ page }) {
      const shown = await signInAs(page, l.email);
      const s = await sessionOf(page);
      assert.ok(s, 'the server has a session');
      assert.equal(s.tenantKind, l.kind);
      await page.waitForURL((u) => u.hash === l.hash);
      await byTest(page, l.nav).waitFor();
      assert.ok(shown.tenant.includes(s.tenantName), `tenant name "${s.tenantName}" shown, got "${shown.tenant}"`);
      assert.ok(shown.user.includes(s.displayName || s.email), `user "${s.displayName}" shown, got "${shown.user}"`);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'cspd_session');
      assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'an HttpOnly SameSite=Strict cookie');
      // the session survives a reload
      await page.reload();
      await byTest(page, 'tenant-name').waitFor();
      await signOut(page);
      assert.equal(await sessionOf(page), null, 'signed out on the server');
      assert.equal(await byTest(page, 'tenant-name').count(), 0);
      // a page of the signed-in area now asks to sign in
      await visit(page, l.hash);
      await byTest(page, 'signin-form').waitFor();
    },
  })),
];
