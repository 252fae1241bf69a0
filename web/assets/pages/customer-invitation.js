// Customer admin: accept a partner's invitation link (#/customer/invitations/accept?code=...).
import * as api from '../api.js';
import { h, replace, pageHeader, section, act, success } from '../ui.js';

export async function render(el, ctx) {
  const code = ctx.query.get('code') || '';
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  if (!code) {
    replace(el, pageHeader('Partner invitation'), section('No invitation',
      h('p', null, 'This address carries no invitation code. Open the link from your partner\'s e-mail again.')));
    return;
  }
  const btn = h('button', {
    class: 'btn primary', type: 'button', 'data-testid': 'customer-invitation-accept',
    onclick: () => act(btn, slot, async () => {
      await api.post('/v1/customers/relationshiprequests/accept', { code });
      btn.hidden = true;
      replace(slot, success(h('span', null, 'Accepted. Your new partner(s) now appear on your ',
        h('a', { href: '#/customer/partners' }, 'partner relationships'), ' page.'), 'customer-invitation-done'));
    }),
  }, 'Accept and authorize');
  replace(el,
    pageHeader('Partner invitation', 'A Cloud Solution Provider partner asks to become your partner.'),
    section('Authorize your partner',
      h('p', null, 'Accepting gives the reseller delegated administration rights for your subscriptions, licenses and users; for an indirect reseller invitation, its indirect provider can also submit orders for you.'),
      h('div', { class: 'actions' }, btn),
      slot));
}
