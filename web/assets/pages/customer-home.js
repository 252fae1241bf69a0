// Customer admin: the organization, and the Microsoft Customer Agreement to accept.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, dl, field, checkboxField, act, badge, fmtDate } from '../ui.js';

export async function render(el, ctx) {
  const cid = ctx.session.tenantId;
  const body = h('div');
  replace(el, pageHeader(ctx.session.tenantName || 'Your organization', 'Customer administration'), body);
  const data = await load(body, async () => {
    const [customer, status, agreements] = await Promise.all([
      api.get(`/v1/customers/${api.seg(cid)}`),
      api.get(`/v1/customers/${api.seg(cid)}/directSignedMicrosoftCustomerAgreementStatus`),
      api.get(`/v1/customers/${api.seg(cid)}/agreements?agreementType=MicrosoftCustomerAgreement`).catch((e) => {
        if (e instanceof api.ApiError && e.status === 401) throw e;
        return { items: [] };
      }),
    ]);
    return { customer, status, agreements: agreements.items || [] };
  });
  if (!data) return;
  const { customer, status } = data;
  const own = data.agreements.find((a) => a.acceptedBy && a.acceptedBy !== 'partner_attestation');
  replace(body,
    section('Organization',
      dl([
        ['Company', customer.companyProfile && customer.companyProfile.companyName],
        ['Domain', customer.companyProfile && customer.companyProfile.domain],
        ['Tenant', h('code', null, cid)],
        ['Country', customer.country],
      ]),
      h('p', null, h('a', { href: '#/customer/partners' }, 'Partner relationships'), ': the partners that manage your cloud services.')),
    agreementSection(cid, ctx, status, own, () => render(el, ctx)));
}

function agreementSection(cid, ctx, status, own, rerender) {
  if (status.isSigned) {
    return section('Microsoft Customer Agreement',
      h('p', null, badge('accepted', 'mca-status'), ' Your organization accepted the Microsoft Customer Agreement',
        own && own.dateAgreed ? ` on ${fmtDate(own.dateAgreed)}` : '', '. It counts for every partner that serves you.'));
  }
  const s = ctx.session;
  const names = String(s.displayName || '').split(' ');
  const first = h('input', { type: 'text', autocomplete: 'given-name', required: true, value: names[0] || '', 'data-testid': 'mca-first-name' });
  const last = h('input', { type: 'text', autocomplete: 'family-name', required: true, value: names.slice(1).join(' '), 'data-testid': 'mca-last-name' });
  const email = h('input', { type: 'email', autocomplete: 'email', required: true, value: s.email || '', 'data-testid': 'mca-email' });
  const phone = h('input', { type: 'text', autocomplete: 'tel', 'data-testid': 'mca-phone' });
  const ack = h('input', { type: 'checkbox', 'data-testid': 'mca-ack' });
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'mca-accept' }, 'Accept the agreement');
  const link = h('a', { href: 'https://www.microsoft.com/licensing/docs/customeragreement', target: '_blank', rel: 'noopener' }, 'Microsoft Customer Agreement');
  return section('Microsoft Customer Agreement',
    h('p', null, badge('not accepted', 'mca-status'), ' Your partners need the agreement to order for you. When you accept it yourself, it counts for every partner that serves you, including an indirect provider your partner moves you to.'),
    h('form', {
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        if (!ack.checked) {
          replace(slot, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'error' }, h('p', { class: 'alert-title' }, 'Tick the box to accept the agreement.')));
          ack.focus();
          return;
        }
        act(btn, slot, async () => {
          const [tpl, info] = await Promise.all([
            api.get('/v1/agreements?agreementType=MicrosoftCustomerAgreement'),
            api.serverInfo().catch(() => null),
          ]);
          const t = (tpl.items || [])[0];
          if (!t) throw new Error('The server offers no Microsoft Customer Agreement template.');
          const contact = { firstName: first.value.trim(), lastName: last.value.trim(), email: email.value.trim() };
          if (phone.value.trim()) contact.phoneNumber = phone.value.trim();
          await api.post(`/v1/customers/${api.seg(cid)}/agreements`, {
            primaryContact: contact,
            templateId: t.templateId,
            dateAgreed: (info && info.now) || new Date().toISOString(),
            type: 'MicrosoftCustomerAgreement',
            userId: s.userId || undefined,
          });
          rerender();
        });
      },
    },
    h('div', { class: 'row' }, field('First name', first), field('Last name', last)),
    h('div', { class: 'row' }, field('E-mail', email), field('Phone (optional)', phone)),
    checkboxField(h('span', null, 'I have read and accept the ', link, ' on behalf of my organization.'), ack),
    h('div', { class: 'actions' }, btn),
    slot));
}
