// Partner: invoices (GET /v1/invoices), a row expands to its line items.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, fmtDate, fmtMoney, uid, table } from '../ui.js';

export async function render(el) {
  const body = h('div');
  replace(el, pageHeader('Invoices', 'One invoice per billed month and currency.'), body);
  const items = await load(body, () => api.getAll('/v1/invoices'));
  if (!items) return;
  const tbody = h('tbody');
  for (const inv of items) {
    const did = uid('inv');
    const detail = h('tr', { class: 'detail', id: did, hidden: true }, h('td', { colspan: '4' }));
    const btn = h('button', {
      class: 'expand', type: 'button', 'aria-expanded': 'false', 'aria-controls': did, 'data-testid': `invoice-expand-${inv.id}`,
      onclick: async () => {
        const open = btn.getAttribute('aria-expanded') !== 'true';
        btn.setAttribute('aria-expanded', String(open));
        detail.hidden = !open;
        if (open && !detail.dataset.loaded) {
          detail.dataset.loaded = '1';
          const td = detail.firstChild;
          const li = await load(td, () => api.getAll(`/v1/invoices/${api.seg(inv.id)}/lineitems`));
          if (li) {
            replace(td, table(`Line items of ${inv.id}`, [
              { label: 'Customer', cell: (l) => l.customerName || l.customerId },
              { label: 'Offer', cell: (l) => l.offerName || l.offerId },
              { label: 'Charge', cell: (l) => l.chargeType },
              { label: 'Quantity', class: 'num', cell: (l) => String(l.quantity ?? '—') },
              { label: 'Period', cell: (l) => `${fmtDate(l.chargeStartDate)} – ${fmtDate(l.chargeEndDate)}` },
              { label: 'Amount', class: 'num', cell: (l) => fmtMoney(l.amountMinor, l.currency) },
            ], li, { empty: 'No line.' }));
          }
        }
      },
    }, inv.period || fmtDate(inv.invoiceDate));
    tbody.append(h('tr', { 'data-testid': `invoice-row-${inv.id}` },
      h('td', { 'data-label': 'Period' }, btn),
      h('td', { 'data-label': 'Invoice' }, h('code', null, inv.id)),
      h('td', { 'data-label': 'Date' }, fmtDate(inv.invoiceDate)),
      h('td', { 'data-label': 'Total', class: 'num' }, fmtMoney(inv.totalChargesMinor, inv.currencyCode))),
    detail);
  }
  if (!items.length) tbody.append(h('tr', null, h('td', { colspan: '4', class: 'empty' }, 'No invoice yet: months are invoiced when they close.')));
  replace(body, section('Invoices',
    h('div', { class: 'table-wrap' }, h('table', { class: 'data stack', 'data-testid': 'invoices-table' },
      h('caption', { class: 'visually-hidden' }, 'Invoices'),
      h('thead', null, h('tr', null, ['Period', 'Invoice', 'Date', 'Total'].map((l) => h('th', { scope: 'col', class: l === 'Total' ? 'num' : null }, l)))),
      tbody))));
}
