// Enroll as indirect reseller on the existing direct-bill tenant (seed 004 "Get started", steps 3-4).
import * as api from '../api.js';
import { h, replace, pageHeader, section, badge, load, dl, field, checkboxField, act, hasRole, notice, fmtDate } from '../ui.js';

const addr = (a) => (a ? [a.addressLine1, a.addressLine2, [a.postalCode, a.city].filter(Boolean).join(' '), a.state, a.country].filter(Boolean).join(', ') : '—');
const contact = (c) => (c ? `${[c.firstName, c.lastName].filter(Boolean).join(' ')} <${c.email || '—'}>${c.phoneNumber ? `, ${c.phoneNumber}` : ''}` : '—');

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Enroll as indirect reseller', 'Review your partner details, then enroll on your existing tenant.'), body);
  const form = await load(body, () => api.get('/v1/enrollments/form?program=indirect_reseller'));
  if (!form) return;
  const p = form.partner || {};
  const isGA = hasRole(ctx.session, 'global_admin');
  const parts = [];

  parts.push(section('Your partner details',
    dl([
      ['Company', p.companyName],
      ['PartnerID (MPN)', p.mpnId],
      ['Global PartnerID', p.globalMpnId],
      ['Tenant', h('code', null, p.tenantId)],
      ['Country / market', `${p.country || '—'} / ${p.market || '—'}`],
      ['Program anniversary', fmtDate(p.anniversaryDate)],
      ['Address', addr(p.address)],
      ['Primary contact', contact(p.primaryContact)],
    ]),
    form.profileComplete
      ? null
      : h('div', { class: 'alert warn', 'data-testid': 'enroll-missing' },
        h('p', { class: 'alert-title' }, 'Your profile is incomplete. Update it before enrolling:'),
        h('ul', null, (form.missing || []).map((m) => h('li', null, m)))),
    form.tenantNote ? h('p', { class: 'hint' }, form.tenantNote) : null));

  if (form.existingEnrollment) {
    const e = form.existingEnrollment;
    parts.push(h('div', { class: 'alert info', 'data-testid': 'enroll-existing' },
      h('p', { class: 'alert-title' }, 'You have already enrolled.'),
      h('p', null, 'Status: ', badge(e.status || e, 'enroll-existing-status'), ' — see ', h('a', { href: '#/overview' }, 'Overview'), ' and ', h('a', { href: '#/settings/programinfo' }, 'Program info'), '.')));
  } else if (!form.available) {
    parts.push(h('div', { class: 'alert warn', 'data-testid': 'enroll-unavailable' },
      h('p', { class: 'alert-title' }, 'Enrollment is not available for this tenant now.'),
      form.reason ? h('p', null, form.reason) : null,
      form.rule ? h('p', { class: 'alert-meta' }, h('span', { class: 'rule' }, `Rule ${form.rule}`)) : null));
  } else {
    const email = h('input', { type: 'email', value: (p.primaryContact && p.primaryContact.email) || '', 'data-testid': 'enroll-contact-email' });
    const ack = h('input', { type: 'checkbox', 'data-testid': 'enroll-ack' });
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'enroll-submit', disabled: !isGA }, 'Enroll now');
    const f = h('form', {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        if (!ack.checked) {
          replace(slot, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'error' },
            h('p', { class: 'alert-title' }, 'Confirm that you understand the transition cannot be undone.')));
          ack.focus();
          return;
        }
        act(btn, slot, async () => {
          const bodyReq = { program: 'indirect_reseller', profileEtag: form.profileEtag };
          if (email.value.trim()) bodyReq.primaryContactEmail = email.value.trim();
          const r = await api.post('/v1/enrollments', bodyReq);
          await ctx.refreshProgram();
          replace(body, h('div', { class: 'alert success', role: 'status', 'data-testid': 'enroll-done' },
            h('p', { class: 'alert-title' }, `Enrollment submitted: ${r.status}.`),
            h('p', null, `Approval is usually immediate but can take up to five business days. ${r.primaryContactEmail || 'The primary contact'} is e-mailed when it is approved; you can also follow it under `,
              h('a', { href: '#/settings/programinfo' }, 'Program info'), '. Then accept the indirect reseller agreement on the ',
              h('a', { href: '#/overview' }, 'Overview'), '.')));
        });
      },
    },
    field('Primary contact e-mail for the approval notice', email, 'Defaults to your profile\'s primary contact.'),
    h('div', { class: 'alert warn' },
      h('p', { class: 'alert-title' }, 'Important'),
      h('p', null, 'After you enroll as indirect reseller there is no option to go back to a direct-bill-only tenant. Evaluate your business needs fully before you enroll.')),
    checkboxField('I understand that the transition to indirect reseller is irreversible.', ack),
    isGA ? null : notice('Only a global admin of this tenant can enroll.', 'enroll-role-note'),
    h('div', { class: 'actions' }, btn),
    slot);
    parts.push(section('Enroll', f));
  }
  replace(body, parts);
}
