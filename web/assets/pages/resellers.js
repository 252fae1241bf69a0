// Provider: indirect resellers (partnerships), invitations sent, invite a reseller.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, table, badge, act, hasRole, field, fmtDate, notice, success } from '../ui.js';

export async function render(el, ctx) {
  const listEl = h('div');
  const sentEl = h('div');
  const inviteEl = h('div');
  replace(el,
    pageHeader('Indirect resellers', 'The resellers you serve as indirect provider.'),
    section('Your indirect resellers', listEl),
    section('Invite an indirect reseller', inviteEl),
    section('Invitations sent', sentEl));
  const reloadSent = () => renderSent(sentEl);
  renderInvite(inviteEl, ctx, reloadSent);
  await Promise.all([renderList(listEl), reloadSent()]);
}

async function renderList(el) {
  const c = await load(el, () => api.get('/v1/relationships?relationship_type=IsIndirectResellerOf'));
  if (!c) return;
  replace(el, table('Indirect resellers', [
    { label: 'Reseller', cell: (r) => r.name },
    { label: 'PartnerID', cell: (r) => r.mpnId || '—' },
    { label: 'Country', cell: (r) => r.location || '—' },
    { label: 'State', cell: (r) => badge(r.state, `reseller-state-${r.id}`) },
    { label: 'Customers', cell: (r) => h('a', { href: `#/customers?reseller=${encodeURIComponent(r.id)}`, 'data-testid': `reseller-customers-${r.id}` }, 'Customers of this reseller') },
  ], c.items || [], { testid: 'resellers-table', empty: 'No indirect reseller yet: invite one.' }));
}

async function renderSent(el) {
  const c = await load(el, () => api.get('/v1/partnerships/invitations'));
  if (!c) return;
  const sent = (c.items || []).filter((i) => i.direction === 'sent');
  replace(el, table('Invitations sent', [
    { label: 'To', cell: (i) => i.resellerMpnId ? `PartnerID ${i.resellerMpnId}` : (i.email || '—') },
    { label: 'Sent', cell: (i) => fmtDate(i.createdDate) },
    { label: 'Status', cell: (i) => badge(i.status, `sent-invitation-status-${i.id}`) },
    { label: 'Link', cell: (i) => (i.status === 'pending' && i.url ? h('code', null, i.url) : '—') },
  ], sent, { testid: 'invitations-sent', empty: 'No invitation sent.' }));
}

function renderInvite(el, ctx, reloadSent) {
  const canInvite = hasRole(ctx.session, 'global_admin', 'admin_agent');
  const kind = h('select', { 'data-testid': 'invite-reseller-kind' },
    h('option', { value: 'mpn' }, 'PartnerID (MPN ID)'), h('option', { value: 'email' }, 'E-mail address'));
  const value = h('input', { type: 'text', required: true, 'data-testid': 'invite-reseller-value' });
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'invite-reseller-submit', disabled: !canInvite }, 'Send invitation');
  replace(el, h('form', {
    novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      act(btn, slot, async () => {
        const body = kind.value === 'email' ? { email: value.value.trim() } : { resellerMpnId: value.value.trim() };
        const r = await api.post('/v1/partnerships/invitations', body);
        value.value = '';
        replace(slot, success(h('span', null, 'Invitation sent; the reseller is e-mailed this link: ', h('code', { 'data-testid': 'invite-reseller-url' }, r.url)), 'invite-reseller-done'));
        await reloadSent();
      });
    },
  },
  h('p', { class: 'hint' }, 'The reseller must be in your market; a transitioning direct-bill partner can accept once it has accepted the indirect reseller agreement.'),
  h('div', { class: 'row' }, field('Invite by', kind), field('PartnerID or e-mail', value)),
  canInvite ? null : notice('Only a global admin or admin agent can invite resellers.'),
  h('div', { class: 'actions' }, btn),
  slot));
}
