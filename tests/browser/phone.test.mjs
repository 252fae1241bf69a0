// Phone width: 375x740, no horizontal scrolling on the sign-in page and on a list page.
import { byTest, signIn, expectSignedIn, expectNoHorizontalScroll, visit } from './lib.mjs';

const PHONE = { width: 375, height: 740 };

export const tests = [
  {
    name: 'phone width: the sign-in page and the customers list render at 375 px without horizontal scroll',
    viewport: PHONE,
    async run({ page }) {
      await visit(page, '#/signin');
      await byTest(page, 'signin-form').waitFor();
      await expectNoHorizontalScroll(page, 'sign-in page');
      await signIn(page, 'admin@contoso-direct.test');
      await expectSignedIn(page);
      await visit(page, '#/customers');
      await page.locator('main table, main [data-testid^="customer"]').first().waitFor();
      await page.waitForLoadState('networkidle');
      await expectNoHorizontalScroll(page, 'customers list');
      // the menu opens and closes at this width
      const toggle = byTest(page, 'menu-toggle');
      if (await toggle.isVisible()) {
        await toggle.click();
        await byTest(page, 'nav-customers').waitFor({ state: 'visible' });
        await expectNoHorizontalScroll(page, 'open menu');
      }
    },
  },
];
