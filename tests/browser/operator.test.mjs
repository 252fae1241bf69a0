// The operator's relationship controls (issue 7 item 5): ending a provider-reseller relationship
// (R-PRT-4) from the Partnerships page, and restricting a direct-bill partner from the revenue page.
import { assert, byTest, IDS, signInAs, resetWorld, visit } from './lib.mjs';

const TAILSPIN = 'c0000000-0000-4000-8000-000000000004';
const LITWARE_NL = 'c0000000-0000-4000-8000-000000000005';

export const tests = [
  {
    name: 'operator: ends the Fabrikam -> Tailspin relationship through the confirmation dialog and sees it terminated',
    async run({ page, base }) {
      await resetWorld(base);
      await signInAs(page, 'operator@cspd.test');
      await byTest(page, 'nav-op-partnerships').click();
      await page.waitForURL((u) => u.hash === '#/operator/partnerships');
      const key = `${IDS.fabrikam}-${TAILSPIN}`;
      await byTest(page, `partnership-row-${key}`).waitFor();
      assert.equal((await byTest(page, `partnership-state-${key}`).innerText()).trim(), 'active');
      await byTest(page, `partnership-end-${key}`).click();
      const dlg = byTest(page, 'partnership-end-dialog');
      await dlg.waitFor();
      assert.match(await dlg.innerText(), /no longer be partners/);
      await byTest(page, 'partnership-end-reason').fill('support case 42');
      await byTest(page, 'partnership-end-confirm').click();
      await dlg.waitFor({ state: 'detached' });
      await page.waitForFunction((id) => {
        const el = document.querySelector(`[data-testid="partnership-state-${id}"]`);
        return el && el.textContent.trim() === 'terminated';
      }, key);
      assert.equal(await byTest(page, `partnership-end-${key}`).count(), 0, 'no "End relationship" on a terminated row');
      // the state filter
      await byTest(page, 'partnerships-state').selectOption('active');
      await page.waitForURL((u) => u.hash === '#/operator/partnerships?state=active');
      await byTest(page, 'partnerships-table').waitFor();
      assert.equal(await byTest(page, `partnership-row-${key}`).count(), 0, 'not among the active ones');
      await byTest(page, 'partnerships-state').selectOption('terminated');
      await byTest(page, `partnership-row-${key}`).waitFor();
    },
  },
  {
    name: 'operator: restricts a direct-bill partner from the revenue page and sees its state change',
    async run({ page, base }) {
      await resetWorld(base);
      await signInAs(page, 'operator@cspd.test');
      await visit(page, '#/operator/revenue');
      await byTest(page, `restrict-${LITWARE_NL}`).click();
      const dlg = byTest(page, 'restrict-dialog');
      await dlg.waitFor();
      await byTest(page, 'restrict-reason').fill('below the revenue requirement');
      await byTest(page, 'restrict-confirm').click();
      await dlg.waitFor({ state: 'detached' });
      const st = byTest(page, `membership-state-${LITWARE_NL}`);
      await st.waitFor();
      assert.equal((await st.innerText()).trim(), 'restricted');
      assert.equal(await byTest(page, `restrict-${LITWARE_NL}`).count(), 0, 'no "Restrict" once restricted');
      await resetWorld(base);
    },
  },
];
