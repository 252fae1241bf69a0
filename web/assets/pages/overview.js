// Partner overview: program state, and the indirect reseller agreement to accept once the enrollment
// is approved ("Accept and continue", seed 004 step 6).
import * as api from '../api.js';
import { h, replace, pageHeader, section, badge, programName, fmtDate, act, hasRole, load, notice } from '../ui.js';

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Overview', ctx.session.tenantName), body);
  const pi = await load(body, () => api.get('/v1/profiles/programinfo'));
  if (!pi) return;
  const programs = pi.programs || [];
  const states = Object.fromEntries(programs.map((p) => [p.program, p.state]));
  const enr = pi.indirectResellerEnrollment;
  const isGA = hasRole(ctx.session, 'global_admin');
  const parts = [];

  parts.push(section('Your programs',
    h('div', { class: 'programs', 'data-testid': 'overview-programs' },
      programs.length
        ? programs.map((p) => h('div', { class: 'program', 'data-testid': `program-${p.program}` },
          h('strong', null, programName(p.program)),
          badge(p.state, `program-state-${p.program}`), ' ',
          h('span', { class: 'hint' }, `since ${fmtDate(p.since)}`)))
        : h('p', null, 'This tenant holds no program membership yet.')),
    h('p', null, h('a', { href: '#/settings/programinfo' }, 'Program info and history'), ' · ',
      h('span', null, 'Partner Agreement: '), pi.mpa && pi.mpa.isAgreementSigned
        ? badge('signed', 'overview-mpa')
        : h('a', { href: '#/settings/mpa', 'data-testid': 'overview-mpa' }, 'not signed — sign it'))));

  if (states.direct_bill && states.indirect_reseller === 'active') {
    parts.push(h('div', { class: 'alert success', role: 'status', 'data-testid': 'overview-both' },
      h('p', { class: 'alert-title' }, 'You are both a direct-bill partner and an indirect reseller.'),
      h('p', null, 'Keep managing your direct-bill customers and their billing as before; as indirect reseller you can work with an indirect provider and move your direct-bill customers to it.')));
  }

  if (enr && enr.status === 'approved' && !enr.agreementAccepted) {
    parts.push(agreementCard(enr, isGA, ctx, () => render(el, ctx)));
  } else if (enr && enr.status === 'pending') {
    parts.push(h('div', { class: 'alert info', role: 'status', 'data-testid': 'overview-enrollment-pending' },
      h('p', { class: 'alert-title' }, 'Your enrollment as indirect reseller is pending approval.'),
      h('p', null, `Submitted ${fmtDate(enr.submittedDate)}. Approval is usually immediate but can take up to five business days; the primary contact is e-mailed when it is approved. Then come back here to accept the indirect reseller agreement.`)));
  } else if (enr && enr.status === 'rejected') {
    parts.push(h('div', { class: 'alert error', role: 'status', 'data-testid': 'overview-enrollment-rejected' },
      h('p', { class: 'alert-title' }, 'Your enrollment as indirect reseller was rejected.'),
      h('p', null, 'See Program info for the reason.')));
  } else if (!enr && states.direct_bill && !states.indirect_reseller) {
    parts.push(section('Transition to indirect reseller',
      h('p', null, 'Direct-bill partners can enroll as indirect reseller on their existing tenant: you keep your direct-bill business while you move your customers to an indirect provider.'),
      h('p', null, h('a', { class: 'btn primary', href: '#/enroll', 'data-testid': 'overview-enroll' }, 'Review the enrollment form'))));
  }

  if (states.direct_bill) parts.push(transitionSteps(pi, states, enr));

  if (states.indirect_provider === 'active') {
    parts.push(section('Indirect provider',
      h('ul', { class: 'quick-links' },
        h('li', null, h('a', { href: '#/resellers' }, 'Your indirect resellers and invitations')),
        h('li', null, h('a', { href: '#/transfers' }, 'Subscription transfer requests to review')),
        h('li', null, h('a', { href: '#/customers' }, 'Customers')))));
  }
  replace(body, parts);
}

function agreementCard(enr, isGA, ctx, rerender) {
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', {
    class: 'btn primary', type: 'button', 'data-testid': 'agreement-accept', disabled: !isGA,
    onclick: () => act(btn, slot, async () => {
      await api.post(`/v1/enrollments/${api.seg(enr.id)}/agreement/accept`);
      await ctx.refreshProgram();
      rerender();
    }),
  }, 'Accept and continue');
  return h('section', { class: 'card highlight', 'aria-labelledby': 'ira-title', 'data-testid': 'agreement-card' },
    h('h2', { id: 'ira-title' }, 'Indirect reseller agreement'),
    h('p', null, `Your enrollment was approved. Accept the indirect reseller agreement to turn on the indirect reseller capabilities of this tenant.`),
    h('div', { class: 'agreement-text', tabindex: '0', role: 'region', 'aria-label': 'Agreement text' },
      h('p', null, 'By accepting, your organization agrees to resell cloud services through an authorized indirect provider, which bills you and orders products for your customers.'),
      h('p', null, 'Your indirect reseller business uses the same tenant (directory) as your direct-bill business. The transition is irreversible: there is no way back to a direct-bill-only tenant.'),
      h('p', null, 'You keep managing your direct-bill customers, their subscriptions and billing while you transition.')),
    isGA ? null : notice('Only a global admin of this tenant can accept the agreement.', 'agreement-role-note'),
    h('div', { class: 'actions' }, btn),
    slot);
}

function transitionSteps(pi, states, enr) {
  const ir = states.indirect_reseller;
  const steps = [
    ['Review the enrollment form and enroll', !!enr, '#/enroll'],
    ['Enrollment approved', !!enr && ['approved', 'active'].includes(enr.status), '#/settings/programinfo'],
    ['Accept the indirect reseller agreement', ir === 'active', '#/overview'],
    ['Find an indirect provider and accept its partnership invitation', null, '#/providers'],
    ['Move your direct-bill customers to the provider (relationship extension)', null, '#/customers'],
    ['Transfer their subscriptions to the provider', null, '#/customers'],
  ];
  return section('The transition, step by step',
    h('ol', { class: 'steps', 'data-testid': 'transition-steps' }, steps.map(([label, done, href]) =>
      h('li', { class: done ? 'done' : null },
        ir === 'active' || href === '#/enroll' || href === '#/settings/programinfo' ? h('a', { href }, label) : label,
        done === true ? h('span', { class: 'visually-hidden' }, ' (done)') : null,
        done === true ? ' ✓' : null))));
}

