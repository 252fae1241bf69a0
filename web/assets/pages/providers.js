// Indirect providers (the reseller's side): your providers, partnership invitations to accept, find a
// provider in your market, and "Invite new customers" with the draft e-mail to copy or open.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, table, badge, act, hasRole, field, fmtDate, notice, errorBox } from '../ui.js';

export async function render(el, ctx) {
  const mine = h('div');
  const invites = h('div');
  const invite = h('div');
  const find = h('div');
  replace(el, pageHeader('Indirect providers', 'Partner with an indirect provider: it bills you, orders products for your customers and supports your infrastructure.'),
    section('Your indirect providers', mine),
    section('Partnership invitations', invites),
    section('Invite new customers', invite),
    section('Find an indirect provider in your market', find));
  const reload = () => render(el, ctx);
  const providers = await renderMine(mine);
  renderInvitations(invites, ctx, reload);
  renderInvite(invite, providers || []);
  renderFind(find);
}

async function renderMine(el) {
  const c = await load(el, () => api.get('/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf'));
  if (!c) return null;
  replace(el, table('Your indirect providers', [
    { label: 'Provider', cell: (r) => r.name },
    { label: 'PartnerID', cell: (r) => r.mpnId || '—' },
    { label: 'Country', cell: (r) => r.location || '—' },
    { label: 'State', cell: (r) => badge(r.state) },
  ], c.items || [], { testid: 'my-providers', empty: 'No indirect provider yet: accept a partnership invitation from one.' }));
  return c.items || [];
}

async function renderInvitations(el, ctx, reload) {
  const c = await load(el, () => api.get('/v1/partnerships/invitations'));
  if (!c) return;
  const received = (c.items || []).filter((i) => i.direction !== 'sent');
  const isGA = hasRole(ctx.session, 'global_admin');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  replace(el,
    h('p', { class: 'hint' }, 'The provider you choose sends you an invitation link by e-mail; a global admin accepts it here. The provider then appears in your list of indirect providers.'),
    table('Partnership invitations received', [
      { label: 'Provider', cell: (i) => i.providerName || i.providerTenantId },
      { label: 'Sent', cell: (i) => fmtDate(i.createdDate) },
      { label: 'Status', cell: (i) => badge(i.status, `invitation-status-${i.id}`) },
      {
        label: 'Action',
        cell: (i) => (i.status === 'pending'
          ? h('button', {
            class: 'btn small primary', type: 'button', 'data-testid': `invitation-accept-${i.id}`, disabled: !isGA,
            onclick: (e) => act(e.currentTarget, slot, async () => { await api.post(`/v1/partnerships/invitations/${api.seg(i.id)}/accept`); reload(); }),
          }, 'Accept')
          : '—'),
      },
    ], received, { testid: 'invitations-received', empty: 'No invitation received.' }),
    !isGA && received.some((i) => i.status === 'pending') ? notice('Only a global admin can accept a partnership invitation.') : null,
    slot);
}

function renderInvite(el, providers) {
  if (!providers.length) {
    replace(el, h('p', null, 'Once you partner with an indirect provider you can invite customers to establish a reseller relationship with you and the provider at the same time.'));
    return;
  }
  const sel = h('select', { 'data-testid': 'invite-customer-provider' },
    providers.map((p) => h('option', { value: p.id }, `${p.name} (${p.mpnId || p.id})`)));
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const out = h('div');
  const btn = h('button', {
    class: 'btn primary', type: 'button', 'data-testid': 'invite-customer-create',
    onclick: () => act(btn, slot, async () => {
      const r = await api.get(`/v1/customers/relationshiprequests?indirectProviderId=${encodeURIComponent(sel.value)}`);
      replace(out, draftEmail(r, () => { replace(out); replace(slot); }));
    }),
  }, 'Invite new customers');
  replace(el,
    h('p', null, 'Invite a customer to establish a reseller relationship with you and your indirect provider at the same time. The provider needs that relationship to submit orders for the customer.'),
    h('div', { class: 'row' }, field('Indirect provider', sel), h('div', { class: 'field btn-field' }, btn)),
    slot, out);
}

// The draft e-mail of an invitation: editable, copy to clipboard, open in the mail client, done.
export function draftEmail(r, onDone) {
  const d = r.draftEmail || {};
  const subject = h('input', { type: 'text', value: d.subject || '', 'data-testid': 'draft-subject' });
  const bodyTa = h('textarea', { rows: '10', 'data-testid': 'draft-body' });
  bodyTa.value = d.body || '';
  const link = h('input', { type: 'text', readonly: true, value: r.url || '', 'data-testid': 'draft-url' });
  const status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const mailto = h('a', { class: 'btn', 'data-testid': 'draft-mailto', href: d.mailto || '#' }, 'Open in mail client');
  const updateMailto = () => {
    mailto.href = `mailto:?subject=${encodeURIComponent(subject.value)}&body=${encodeURIComponent(bodyTa.value)}`;
  };
  subject.addEventListener('input', updateMailto);
  bodyTa.addEventListener('input', updateMailto);
  const copy = h('button', {
    class: 'btn', type: 'button', 'data-testid': 'draft-copy',
    onclick: async () => {
      const text = `Subject: ${subject.value}\n\n${bodyTa.value}`;
      try {
        if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
        else {
          bodyTa.select();
          if (!document.execCommand || !document.execCommand('copy')) throw new Error('copy');
        }
        status.textContent = 'Copied to the clipboard.';
      } catch {
        status.textContent = 'Could not copy automatically: select the text and copy it.';
      }
    },
  }, 'Copy to clipboard');
  return h('div', { class: 'card', 'data-testid': 'draft-email' },
    h('h3', null, 'Draft e-mail'),
    h('p', { class: 'hint' }, 'Edit the text as you need, but keep the link: it connects the customer directly to your account and your provider\'s.'),
    field('Subject', subject),
    field('Message', bodyTa),
    field('Invitation link', link),
    h('div', { class: 'actions' }, copy, mailto,
      h('button', { class: 'btn primary', type: 'button', 'data-testid': 'draft-done', onclick: onDone }, 'Done')),
    status);
}

async function renderFind(el) {
  try {
    replace(el, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    const c = await api.get('/v1/providers');
    const items = c.items || [];
    replace(el,
      h('p', { class: 'hint' }, `The active indirect providers of your market${items[0] ? ` (${items[0].market})` : ''}. Different providers offer different support and services; contact one to receive a partnership invitation.`),
      table('Indirect providers in your market', [
        { label: 'Provider', cell: (p) => p.name },
        { label: 'PartnerID', cell: (p) => p.mpnId },
        { label: 'Country', cell: (p) => p.country },
        {
          label: 'Contact',
          cell: (p) => (p.primaryContact && p.primaryContact.email
            ? h('a', { href: `mailto:${p.primaryContact.email}` }, `${[p.primaryContact.firstName, p.primaryContact.lastName].filter(Boolean).join(' ')} <${p.primaryContact.email}>`)
            : '—'),
        },
      ], items, { testid: 'providers-in-market', empty: 'No active indirect provider in your market.' }));
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
    replace(el, errorBox(e, 'providers-error'));
  }
}
