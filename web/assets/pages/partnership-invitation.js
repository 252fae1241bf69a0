// The link of a provider's partnership invitation (#/partnerships/invitations/{id}): review and accept.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, dl, badge, act, hasRole, notice, fmtDate } from '../ui.js';

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Partnership invitation', 'An indirect provider invites you to resell through it.'), body);
  const inv = await load(body, () => api.get(`/v1/partnerships/invitations/${api.seg(ctx.params.id)}`));
  if (!inv) return;
  const isGA = hasRole(ctx.session, 'global_admin');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', {
    class: 'btn primary', type: 'button', 'data-testid': 'partnership-accept', disabled: !isGA,
    onclick: () => act(btn, slot, async () => {
      await api.post(`/v1/partnerships/invitations/${api.seg(inv.id)}/accept`);
      await ctx.refreshProgram();
      render(el, ctx);
    }),
  }, 'Accept the partnership');
  replace(body, section(inv.providerName || 'Invitation',
    dl([
      ['Provider', inv.providerName],
      ['Sent', fmtDate(inv.createdDate, true)],
      ['Status', badge(inv.status, 'partnership-status')],
      inv.acceptedDate ? ['Accepted', fmtDate(inv.acceptedDate, true)] : null,
    ]),
    inv.status === 'pending'
      ? [isGA ? null : notice('Only a global admin can accept the invitation.'), h('div', { class: 'actions' }, btn)]
      : h('p', null, h('a', { href: '#/providers' }, 'Your indirect providers')),
    slot));
}
