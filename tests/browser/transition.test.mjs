// Seed 000 end to end through the dashboard: the direct-bill -> indirect-reseller transition of Contoso,
// done by the parties in turn, each in its own browser (tests/scenarios/404-seed-transfer.json does the
// same through the API; its users and data are used here).
//
//   Contoso (admin@contoso-direct.test: global admin + admin agent), the operator (operator@cspd.test),
//   Fabrikam (admin@fabrikam-dist.test: global admin + admin agent).
//
// The steps share their browsers and state (serial): after a failure the remaining steps are skipped.
// Setup that is not a dashboard step in the seed either (the purchases Contoso made as a direct-bill
// partner before the transition) is done through the API and says so.
import {
  assert, byTest, IDS, signInAs, token, apiOk, resetWorld, expectRefusal, visit,
} from './lib.mjs';

export const serial = true;

const O = {
  e3: '796B6B5F-613C-4E24-A17C-EBA730D49C02',
  e1: '91FD106F-4B2C-4938-95AC-F54F74E9A239',
  sec: 'A0ED880D-780F-46D4-B4E3-9E1958C89365',
  payg: 'MS-AZR-0145P',
  plan: 'DZH318Z0BPS6',
  resv: 'DZH318Z0BQ4M',
};

const order = (cust, cycle, lines) => ({
  referenceCustomerId: cust,
  billingCycle: cycle,
  lineItems: lines.map((l, i) => ({ lineItemNumber: i, ...l })),
});

// The text of a status badge, e.g. "Active".
const badgeText = async (page, id) => (await byTest(page, id).innerText()).trim();

async function waitForBadge(page, id, re) {
  await byTest(page, id).waitFor();
  await page.waitForFunction(({ id, src }) => {
    const e = document.querySelector(`[data-testid="${id}"]`);
    return e && new RegExp(src, 'i').test(e.textContent);
  }, { id, src: re.source });
}

async function openCustomer(page, cid) {
  await visit(page, '#/customers');
  await byTest(page, `customer-expand-${cid}`).click();
  await byTest(page, `customer-detail-${cid}`).waitFor();
}

async function openSubscriptions(page, cid) {
  await visit(page, `#/customers/${cid}/subscriptions`);
  await byTest(page, 'subscriptions-table').waitFor();
}

export const tests = [
  {
    name: 'transition setup: the demo world, and Contoso\'s direct-bill purchases of seed 000 (through the API, as in the seed)',
    async run({ base, state, page }) {
      await resetWorld(base);
      const c = await token(base, 'admin@contoso-direct.test');
      let r = await apiOk(base, c, 'POST', `/v1/customers/${IDS.wingtip}/orders`,
        order(IDS.wingtip, 'monthly', [{ offerId: O.e3, quantity: 10, friendlyName: 'E3 Wingtip' }]), 201);
      state.e3 = r.lineItems[0].subscriptionId;
      r = await apiOk(base, c, 'POST', `/v1/customers/${IDS.wingtip}/orders`,
        order(IDS.wingtip, 'monthly', [{ offerId: O.sec, quantity: 5, friendlyName: 'E5 Security Wingtip', parentSubscriptionId: state.e3 }]), 201);
      state.addon = r.lineItems[0].subscriptionId;
      r = await apiOk(base, c, 'POST', `/v1/customers/${IDS.wingtip}/orders`,
        order(IDS.wingtip, 'none', [{ offerId: O.payg, quantity: 1, friendlyName: 'Azure Wingtip' }, { offerId: O.plan, quantity: 1 }, { offerId: O.resv, quantity: 2 }]), 201);
      [state.payg, state.plan, state.resv] = r.lineItems.map((l) => l.subscriptionId);
      r = await apiOk(base, c, 'POST', `/v1/customers/${IDS.adatum}/orders`,
        order(IDS.adatum, 'monthly', [{ offerId: O.e1, quantity: 5, friendlyName: 'E1 Adatum' }]), 201);
      state.a_e1 = r.lineItems[0].subscriptionId;
      r = await apiOk(base, c, 'POST', `/v1/customers/${IDS.adatum}/orders`,
        order(IDS.adatum, 'none', [{ offerId: O.payg, quantity: 1, friendlyName: 'Azure Adatum' }]), 201);
      state.a_payg = r.lineItems[0].subscriptionId;
      state.contoso = page;
      await signInAs(page, 'admin@contoso-direct.test');
    },
  },
  {
    name: 'transition 1: Contoso\'s global admin reviews the enrollment form and enrolls as indirect reseller (pending)',
    async run({ state }) {
      const page = state.contoso;
      await visit(page, '#/overview');
      await waitForBadge(page, 'program-state-direct_bill', /active/);
      assert.equal(await byTest(page, 'program-indirect_reseller').count(), 0, 'not an indirect reseller yet');
      await byTest(page, 'overview-enroll').click();
      await page.waitForURL((u) => u.hash === '#/enroll');
      await byTest(page, 'enroll-submit').waitFor();
      // the irreversibility acknowledgement is required
      await byTest(page, 'enroll-submit').click();
      await byTest(page, 'error').waitFor();
      await byTest(page, 'enroll-ack').check();
      await byTest(page, 'enroll-submit').click();
      await byTest(page, 'enroll-done').waitFor();
      assert.match(await byTest(page, 'enroll-done').innerText(), /pending/i);
      await visit(page, '#/overview');
      await byTest(page, 'overview-enrollment-pending').waitFor();
    },
  },
  {
    name: 'transition 2: the operator approves Contoso\'s pending enrollment',
    async run({ state, party }) {
      const op = await party('operator');
      state.operator = op;
      await signInAs(op, 'operator@cspd.test');
      await op.waitForURL((u) => u.hash === '#/operator/enrollments');
      const row = byTest(op, 'enrollments-table').locator('tr[data-testid^="enrollment-row-"]', { hasText: IDS.contosoMpn });
      await row.waitFor();
      assert.match(await row.innerText(), /Contoso/);
      const id = (await row.getAttribute('data-testid')).replace('enrollment-row-', '');
      assert.match(await badgeText(op, `enrollment-status-${id}`), /pending/);
      await byTest(op, `enrollment-approve-${id}`).click();
      await byTest(op, 'enrollments-message').getByText(/Approved/).waitFor();
      await row.waitFor({ state: 'detached' }); // no longer among the pending ones
      await byTest(op, 'enrollments-status').selectOption('all');
      await waitForBadge(op, `enrollment-status-${id}`, /approved/);
    },
  },
  {
    name: 'transition 3: Contoso accepts the indirect reseller agreement and is both direct-bill partner and indirect reseller',
    async run({ state }) {
      const page = state.contoso;
      await visit(page, '#/overview');
      await byTest(page, 'agreement-card').waitFor();
      await byTest(page, 'agreement-accept').click();
      await byTest(page, 'overview-both').waitFor();
      await waitForBadge(page, 'program-state-indirect_reseller', /active/);
      await waitForBadge(page, 'program-state-direct_bill', /active/);
      // the indirect reseller pages are offered now
      await byTest(page, 'nav-providers').waitFor();
    },
  },
  {
    name: 'transition 4: Contoso finds Fabrikam among the indirect providers of its market',
    async run({ state }) {
      const page = state.contoso;
      await byTest(page, 'nav-providers').click();
      const table = byTest(page, 'providers-in-market');
      await table.waitFor();
      const row = table.locator('tr', { hasText: IDS.fabrikamMpn });
      await row.waitFor();
      assert.match(await row.innerText(), /Fabrikam/);
      assert.match(await byTest(page, 'my-providers').innerText(), /No indirect provider yet/);
    },
  },
  {
    name: 'transition 5: Fabrikam invites Contoso as indirect reseller; Contoso opens the invitation link and accepts the partnership',
    async run({ state, party }) {
      const fab = await party('fabrikam');
      state.fabrikam = fab;
      await signInAs(fab, 'admin@fabrikam-dist.test');
      await byTest(fab, 'nav-resellers').click();
      await byTest(fab, 'invite-reseller-kind').selectOption('mpn');
      await byTest(fab, 'invite-reseller-value').fill(IDS.contosoMpn);
      await byTest(fab, 'invite-reseller-submit').click();
      await byTest(fab, 'invite-reseller-done').waitFor();
      const url = (await byTest(fab, 'invite-reseller-url').innerText()).trim();
      assert.match(url, /#\/partnerships\/invitations\//, `an invitation link: ${url}`);
      await byTest(fab, 'invitations-sent').locator('tr', { hasText: IDS.contosoMpn }).waitFor();

      const page = state.contoso;
      await visit(page, new URL(url).hash);
      await waitForBadge(page, 'partnership-status', /pending/);
      await byTest(page, 'partnership-accept').click();
      await waitForBadge(page, 'partnership-status', /accepted/);
      await visit(page, '#/providers');
      await byTest(page, 'my-providers').locator('tr', { hasText: 'Fabrikam' }).waitFor();

      await visit(fab, '#/resellers');
      await byTest(fab, 'resellers-table').locator('tr', { hasText: 'Contoso' }).waitFor();
    },
  },
  {
    name: 'transition 6: Contoso transfers Wingtip and Adatum to Fabrikam (relationship extension, customer consent required)',
    async run({ state }) {
      const page = state.contoso;
      for (const cid of [IDS.wingtip, IDS.adatum]) {
        await openCustomer(page, cid);
        await byTest(page, `customer-holding-${cid}`).waitFor();
        assert.match(await badgeText(page, `customer-holding-${cid}`), /direct/i);
        await byTest(page, `customer-transfer-to-provider-${cid}`).click();
        const dlg = byTest(page, 'extend-dialog');
        await dlg.waitFor();
        await byTest(page, 'extend-provider').selectOption(IDS.fabrikamMpn);
        if (cid === IDS.wingtip) {
          // without the customer's consent the API refuses: its message and remedy are shown
          await byTest(page, 'extend-save').click();
          await expectRefusal(dlg.getByTestId('error'));
          assert.ok(await byTest(page, 'extend-dialog').isVisible(), 'the dialog stays open');
        }
        await byTest(page, 'extend-consent').check();
        await byTest(page, 'extend-save').click();
        await byTest(page, 'extend-dialog').waitFor({ state: 'detached' });
        await page.waitForFunction((id) => /Fabrikam/.test((document.querySelector(`[data-testid="customer-providers-${id}"]`) || {}).textContent || ''), cid);
      }
    },
  },
  {
    name: 'transition 7: eligibility: Adatum\'s subscriptions are ineligible (R-TRF-3) until Fabrikam attests the customer agreement in its own name',
    async run({ state }) {
      const page = state.contoso;
      await openSubscriptions(page, IDS.adatum);
      await byTest(page, 'transfer-request').click();
      await byTest(page, 'eligibility-table').waitFor();
      for (const id of [state.a_e1, state.a_payg]) {
        assert.match(await badgeText(page, `eligibility-${id}`), /not eligible/i);
        assert.match(await byTest(page, `eligibility-reason-${id}`).innerText(), /R-TRF-3/);
        assert.ok(await byTest(page, `transfer-pick-${id}`).isDisabled(), 'an ineligible subscription cannot be ticked');
      }
      await byTest(page, 'transfer-cancel').click();

      // the customer agreement step: Fabrikam attests Adatum's acceptance (R-MCA-2)
      const fab = state.fabrikam;
      await openCustomer(fab, IDS.adatum);
      await byTest(fab, `customer-mca-status-${IDS.adatum}`).waitFor();
      assert.equal((await byTest(fab, `customer-mca-status-${IDS.adatum}`).innerText()).trim(), 'no');
      await byTest(fab, `customer-mca-attest-${IDS.adatum}`).click();
      await byTest(fab, 'attest-dialog').waitFor();
      await byTest(fab, 'attest-first').fill('Ada');
      await byTest(fab, 'attest-last').fill('Adatum');
      await byTest(fab, 'attest-email').fill('ada@adatum.test');
      await byTest(fab, 'attest-save').click();
      await byTest(fab, 'attest-done').waitFor();
      await fab.waitForFunction((id) => (document.querySelector(`[data-testid="customer-mca-status-${id}"]`) || {}).textContent === 'yes', IDS.adatum);
    },
  },
  {
    name: 'transition 8: Contoso requests Wingtip\'s transfer: ticks E3 and Azure PAYG; the add-on, Azure plan and reservation are shown ineligible with their reasons',
    async run({ state }) {
      const page = state.contoso;
      await openSubscriptions(page, IDS.wingtip);
      await byTest(page, 'transfer-request').click();
      await byTest(page, 'eligibility-table').waitFor();
      for (const id of [state.e3, state.payg]) assert.match(await badgeText(page, `eligibility-${id}`), /^eligible/i);
      for (const [id, rule] of [[state.addon, 'R-TRF-10'], [state.plan, 'R-TRF-12'], [state.resv, 'R-TRF-12']]) {
        assert.match(await badgeText(page, `eligibility-${id}`), /not eligible/i);
        assert.match(await byTest(page, `eligibility-reason-${id}`).innerText(), new RegExp(rule));
      }
      await byTest(page, 'transfer-provider').selectOption(IDS.fabrikam);
      await byTest(page, `transfer-pick-${state.e3}`).check();
      await byTest(page, `transfer-pick-${state.payg}`).check();
      await byTest(page, 'transfer-submit').click();
      await byTest(page, 'transfer-created').waitFor();
      const row = byTest(page, 'transfers-table').locator('tbody tr[data-testid^="transfer-row-"]').first();
      await row.waitFor();
      const tid = (await row.getAttribute('data-testid')).replace('transfer-row-', '');
      state.wt = tid;
      await waitForBadge(page, `transfer-status-${tid}`, /Active/);
      assert.match(await row.innerText(), /E3 Wingtip × 10/);
      assert.match(await row.innerText(), /add-on: .*× 5/, 'the add-on travels with its base subscription');
    },
  },
  {
    name: 'transition 9: Adatum: Contoso requests E1 x5 and PAYG, grows E1 to 8 (R-TRF-11), withdraws the request and requests again with 8',
    async run({ state }) {
      const page = state.contoso;
      page.on('dialog', (d) => d.accept()); // the "Withdraw this transfer request?" confirmation
      await openSubscriptions(page, IDS.adatum);
      await byTest(page, 'transfer-request').click();
      await byTest(page, 'eligibility-table').waitFor();
      await byTest(page, `transfer-pick-${state.a_e1}`).check();
      await byTest(page, `transfer-pick-${state.a_payg}`).check();
      await byTest(page, 'transfer-submit').click();
      await byTest(page, 'transfer-created').waitFor();
      const first = byTest(page, 'transfers-table').locator('tbody tr[data-testid^="transfer-row-"]').first();
      state.at1 = (await first.getAttribute('data-testid')).replace('transfer-row-', '');
      assert.match(await first.innerText(), /E1 Adatum × 5/);

      // the customer needs 8 licenses now
      await byTest(page, `subscription-manage-${state.a_e1}`).click();
      await byTest(page, `subscription-quantity-input-${state.a_e1}`).fill('8');
      await byTest(page, `subscription-quantity-save-${state.a_e1}`).click();
      await page.waitForFunction((id) => (document.querySelector(`[data-testid="subscription-quantity-${id}"]`) || {}).textContent === '8', state.a_e1);
      await byTest(page, `transfer-row-${state.at1}`).waitFor();
      assert.match(await byTest(page, `transfer-row-${state.at1}`).innerText(), /× 5/, 'the request keeps the old quantity');

      await byTest(page, `transfer-withdraw-${state.at1}`).click();
      await waitForBadge(page, `transfer-status-${state.at1}`, /Withdrawn/);

      await byTest(page, 'transfer-request').click();
      await byTest(page, 'eligibility-table').waitFor();
      await byTest(page, `transfer-pick-${state.a_e1}`).check();
      await byTest(page, `transfer-pick-${state.a_payg}`).check();
      await byTest(page, 'transfer-submit').click();
      await byTest(page, 'transfer-created').waitFor();
      const rows = byTest(page, 'transfers-table').locator('tbody tr');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="transfers-table"] tbody tr[data-testid^="transfer-row-"]').length === 2);
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.testid.replace('transfer-row-', '')));
      state.at2 = ids.find((id) => id !== state.at1);
      assert.ok(state.at2, `a second request: ${ids}`);
      await waitForBadge(page, `transfer-status-${state.at2}`, /Active/);
      assert.match(await byTest(page, `transfer-row-${state.at2}`).innerText(), /E1 Adatum × 8/);
    },
  },
  {
    name: 'transition 10: Fabrikam reviews the active requests and accepts both',
    async run({ state }) {
      const fab = state.fabrikam;
      await visit(fab, '#/overview');
      await byTest(fab, 'nav-transfers').click();
      const table = byTest(fab, 'review-table');
      await table.waitFor();
      await byTest(fab, `transfer-row-${state.wt}`).waitFor();
      await byTest(fab, `transfer-row-${state.at2}`).waitFor();
      assert.equal(await byTest(fab, `transfer-row-${state.at1}`).count(), 0, 'the withdrawn request is not among the active ones');
      assert.match(await byTest(fab, `transfer-row-${state.wt}`).innerText(), /Contoso/);
      for (const id of [state.wt, state.at2]) {
        await byTest(fab, `transfer-accept-${id}`).click();
        await byTest(fab, 'transfer-accept-result').waitFor();
        const result = await byTest(fab, 'transfer-accept-result').innerText();
        assert.match(result, /Accepted/);
        assert.doesNotMatch(result, /could not move/, 'every line moved');
        await byTest(fab, `transfer-row-${id}`).waitFor({ state: 'detached' });
      }
      await byTest(fab, 'transfers-show').selectOption('all');
      await waitForBadge(fab, `transfer-status-${state.wt}`, /Complete/);
      await waitForBadge(fab, `transfer-status-${state.at2}`, /Complete/);
      await waitForBadge(fab, `transfer-status-${state.at1}`, /Withdrawn/);

      // the provider sees the subscriptions under the customer, Contoso as partner of record
      await openSubscriptions(fab, IDS.wingtip);
      const subs = byTest(fab, 'subscriptions-table');
      assert.match(await byTest(fab, 'subscriptions-holding').innerText(), /provider/i);
      for (const re of [/E3 Wingtip/, /E5 Security Wingtip/, /Azure Wingtip/]) assert.match(await subs.innerText(), re);
      assert.match(await subs.innerText(), new RegExp(IDS.contosoMpn), 'Contoso is the partner of record');
    },
  },
  {
    name: 'transition 11: Contoso sees the result: requests Complete, licenses suspended, Azure no longer listed, plan and reservation still direct-bill',
    async run({ state }) {
      const page = state.contoso;
      await openSubscriptions(page, IDS.wingtip);
      await waitForBadge(page, `transfer-status-${state.wt}`, /Complete/);
      await waitForBadge(page, `subscription-status-${state.e3}`, /suspended/);
      await waitForBadge(page, `subscription-status-${state.addon}`, /suspended/);
      await waitForBadge(page, `subscription-status-${state.plan}`, /active/);
      await waitForBadge(page, `subscription-status-${state.resv}`, /active/);
      assert.equal(await byTest(page, `subscription-row-${state.payg}`).count(), 0, 'the Azure PAYG is no longer listed');

      await openSubscriptions(page, IDS.adatum);
      await waitForBadge(page, `transfer-status-${state.at2}`, /Complete/);
      await waitForBadge(page, `transfer-status-${state.at1}`, /Withdrawn/);
      await waitForBadge(page, `subscription-status-${state.a_e1}`, /suspended/);
      assert.equal(await byTest(page, `subscription-row-${state.a_payg}`).count(), 0, 'Adatum\'s Azure PAYG is no longer listed');
    },
  },
];
