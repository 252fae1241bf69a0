// Operator: indirect reseller enrollments to approve or reject (R-ENR-3).
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, table, badge, act, field, fmtDate, openDialog, success } from '../ui.js';

const STATUSES = ['pending', 'approved', 'active', 'rejected', 'all'];

export async function render(el, ctx) {
  const status = STATUSES.includes(ctx.query.get('status')) ? ctx.query.get('status') : 'pending';
  const sel = h('select', { 'data-testid': 'enrollments-status' }, STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)));
  sel.addEventListener('change', () => ctx.go(`/operator/enrollments${sel.value === 'pending' ? '' : `?status=${sel.value}`}`));
  const listEl = h('div');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite', 'data-testid': 'enrollments-message' });
  replace(el,
    pageHeader('Enrollments', 'Direct-bill partners enrolling as indirect reseller on their existing tenant.'),
    section('Indirect reseller enrollments', h('div', { class: 'row' }, field('Status', sel)), slot, listEl));
  const reload = async () => {
    const c = await load(listEl, () => api.getAll(`/v1/enrollments${status === 'all' ? '' : `?status=${status}`}`));
    if (!c) return;
    replace(listEl, table('Enrollments', [
      { label: 'Partner', cell: (e) => (e.form && e.form.partner ? e.form.partner.companyName : e.tenantId) },
      { label: 'PartnerID', cell: (e) => (e.form && e.form.partner ? e.form.partner.mpnId : '—') },
      { label: 'Anniversary', cell: (e) => (e.form && e.form.partner ? fmtDate(e.form.partner.anniversaryDate) : '—') },
      { label: 'Submitted', cell: (e) => fmtDate(e.submittedDate, true) },
      { label: 'Contact', cell: (e) => e.primaryContactEmail || '—' },
      { label: 'Status', cell: (e) => badge(e.status, `enrollment-status-${e.id}`) },
      {
        label: 'Action',
        cell: (e) => (e.status === 'pending'
          ? h('div', { class: 'actions' },
            h('button', {
              class: 'btn small primary', type: 'button', 'data-testid': `enrollment-approve-${e.id}`,
              onclick: (ev) => act(ev.currentTarget, slot, async () => { await api.post(`/v1/enrollments/${api.seg(e.id)}/approve`); await reload(); },
                `Approved ${(e.form && e.form.partner && e.form.partner.companyName) || e.tenantId}.`),
            }, 'Approve'),
            h('button', {
              class: 'btn small danger', type: 'button', 'data-testid': `enrollment-reject-${e.id}`,
              onclick: () => rejectDialog(e, slot, reload),
            }, 'Reject'))
          : '—'),
      },
    ], c, { testid: 'enrollments-table', empty: `No ${status === 'all' ? '' : `${status} `}enrollment.`, rowAttrs: (e) => ({ 'data-testid': `enrollment-row-${e.id}` }) }));
  };
  await reload();
}

function rejectDialog(e, outerSlot, reload) {
  openDialog('Reject the enrollment', (close) => {
    const reason = h('input', { type: 'text', 'data-testid': 'reject-reason' });
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const btn = h('button', { class: 'btn danger', type: 'submit', 'data-testid': 'reject-confirm' }, 'Reject');
    return h('form', {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        act(btn, slot, async () => {
          await api.post(`/v1/enrollments/${api.seg(e.id)}/reject`, reason.value.trim() ? { reason: reason.value.trim() } : {});
          close();
          replace(outerSlot, success('Enrollment rejected.'));
          await reload();
        });
      },
    },
    h('p', null, `${(e.form && e.form.partner && e.form.partner.companyName) || e.tenantId}: the partner's primary contact is told the reason.`),
    field('Reason (optional)', reason),
    slot,
    h('div', { class: 'actions' }, btn, h('button', { class: 'btn', type: 'button', onclick: close }, 'Cancel')));
  }, 'reject-dialog');
}
