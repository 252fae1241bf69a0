// A role without rights: the dashboard hides what the role cannot do, and where the API refuses it shows
// the API's description, remedy and rule -- never a bare code.
import { assert, byTest, signInAs, apiAsPage, expectRefusal, visit } from './lib.mjs';

export const tests = [
  {
    name: 'role without rights: a billing admin cannot enroll the tenant (the API\'s R-ENR-1 refusal is shown with its remedy) nor open the customers',
    async run({ page }) {
      await signInAs(page, 'billing@contoso-direct.test');
      await page.waitForURL((u) => u.hash === '#/overview');
      // what the API says to this user, to compare with the page
      const refusal = await apiAsPage(page, 'GET', '/v1/enrollments/form?program=indirect_reseller');
      assert.equal(refusal.status, 403, 'the API refuses a billing admin the enrollment form');
      const env = refusal.body;
      assert.ok(env.description && env.remedy && env.rule, `a full envelope: ${JSON.stringify(env)}`);

      // the partner-admin pages the role may not use are not offered
      await byTest(page, 'nav-overview').waitFor();
      assert.equal(await byTest(page, 'nav-customers').count(), 0, 'no Customers entry for a billing admin');

      // the enroll page: either no enroll action at all, or the API's refusal in full
      await visit(page, '#/enroll');
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await byTest(page, 'enroll-submit').count(), 0, 'no "Enroll now" button for a billing admin');
      if (await byTest(page, 'error').count()) {
        await expectRefusal(byTest(page, 'error'), env);
      } else {
        // the page may hide the action instead; then it must say why, not show a bare code
        assert.ok(await byTest(page, 'not-allowed').count(), 'the enroll page explains that this account cannot enroll');
      }

      // the customers page: refused by the dashboard with an explanation
      await visit(page, '#/customers');
      const na = byTest(page, 'not-allowed');
      await na.waitFor();
      assert.match(await na.innerText(), /cannot open this page/i);
      assert.equal(await page.locator('main table').count(), 0, 'no customer list');
    },
  },
  {
    name: 'role without rights: a customer admin gets no partner pages, and the partner API refuses it with the rule\'s message',
    async run({ page }) {
      await signInAs(page, 'admin@wingtiptoys.test');
      await page.waitForURL((u) => u.hash === '#/customer');
      for (const id of ['nav-overview', 'nav-customers', 'nav-enroll', 'nav-providers', 'nav-op-enrollments']) {
        assert.equal(await byTest(page, id).count(), 0, `no ${id} entry for a customer admin`);
      }
      for (const hash of ['#/overview', '#/customers', '#/enroll', '#/operator/enrollments']) {
        await visit(page, hash);
        const na = byTest(page, 'not-allowed');
        await na.waitFor();
        const text = (await na.innerText()).trim();
        assert.ok(text.length > 20 && !/^\d+$/.test(text), `${hash}: an explanation, got "${text}"`);
        assert.equal(await byTest(page, 'enroll-submit').count(), 0);
      }
      const r = await apiAsPage(page, 'GET', '/v1/profiles/mpn');
      assert.equal(r.status, 403, 'the API refuses partner routes to a customer admin too');
      assert.ok(r.body && r.body.description, 'with a description');
    },
  },
  {
    name: 'role without rights: a provider\'s sales agent cannot invite resellers (the action is disabled and says why; the API refuses it too)',
    async run({ page }) {
      await signInAs(page, 'sales@fabrikam-dist.test');
      await byTest(page, 'nav-resellers').click();
      await byTest(page, 'invite-reseller-submit').waitFor();
      assert.ok(await byTest(page, 'invite-reseller-submit').isDisabled(), '"Send invitation" is disabled for a sales agent');
      await page.getByText(/Only a global admin or admin agent can invite/).waitFor();
      await byTest(page, 'invitations-sent').waitFor();
      const sentBefore = await byTest(page, 'invitations-sent').locator('tbody tr').count();
      const r = await apiAsPage(page, 'POST', '/v1/partnerships/invitations', { resellerMpnId: '4100011' });
      assert.equal(r.status, 403, `the API refuses it: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.description && r.body.remedy, 'with a description and a remedy');
      // the refusal changed nothing: no invitation was sent
      await visit(page, '#/resellers');
      await byTest(page, 'invitations-sent').waitFor();
      assert.equal(await byTest(page, 'invitations-sent').locator('tbody tr').count(), sentBefore);
    },
  },
];
