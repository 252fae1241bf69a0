// Provider: subscription-transfer requests to review, per customer, with accept / reject.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, act, hasRole, notice, field, success } from '../ui.js';
import { transferTable } from './subscriptions.js';

export async function render(el, ctx) {
  const only = ctx.query.get('customer') || '';
  const show = ctx.query.get('show') === 'all' ? 'all' : 'active';
  const listEl = h('div');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite', 'data-testid': 'review-message' });
  const showSel = h('select', { 'data-testid': 'transfers-show' },
    h('option', { value: 'active', selected: show === 'active' }, 'Active requests to review'),
    h('option', { value: 'all', selected: show === 'all' }, 'All requests'));
  showSel.addEventListener('change', () => {
    const p = new URLSearchParams();
    if (only) p.set('customer', only);
    if (showSel.value === 'all') p.set('show', 'all');
    const qs = p.toString();
    ctx.go(`/transfers${qs ? `?${qs}` : ''}`);
  });
  replace(el,
    pageHeader('Subscription transfer requests', 'Requests from your transitioning resellers to move their direct-bill customers\' subscriptions to you.'),
    section('Review',
      h('div', { class: 'row' }, field('Show', showSel)),
      only ? h('p', null, 'One customer only. ', h('a', { href: '#/transfers' }, 'Show every customer')) : null,
      hasRole(ctx.session, 'admin_agent', 'sales_agent') ? null : notice('Only an admin agent or sales agent can accept or reject a request.'),
      slot,
      listEl));

  const reload = () => loadList(listEl, slot, ctx, only, show, reload);
  await reload();
}

async function loadList(listEl, slot, ctx, only, show, reload) {
  const rows = await load(listEl, async () => {
    let customers;
    if (only) customers = [await api.get(`/v1/customers/${api.seg(only)}`)];
    else customers = await api.getAll('/v1/customers?size=100');
    const all = [];
    // One request per customer (the transfer API is per customer); a few at a time.
    for (let i = 0; i < customers.length; i += 4) {
      const batch = customers.slice(i, i + 4);
      const lists = await Promise.all(batch.map((c) => api.get(`/v1/customers/${api.seg(c.id)}/transfers`)
        .then((l) => (Array.isArray(l) ? l : (l.items || [])))
        .catch((e) => { if (e instanceof api.ApiError && e.status === 401) throw e; return []; })));
      for (const l of lists) all.push(...l);
    }
    return all.filter((t) => t.targetPartnerTenantId === ctx.session.tenantId);
  });
  if (!rows) return;
  const order = { Active: 0 };
  rows.sort((a, b) => ((order[a.status] ?? 1) - (order[b.status] ?? 1)) || String(b.createdTime).localeCompare(String(a.createdTime)));
  const visible = show === 'all' ? rows : rows.filter((t) => t.status === 'Active');
  const canAct = hasRole(ctx.session, 'admin_agent', 'sales_agent');
  const base = (t) => `/v1/customers/${api.seg(t.customerTenantId)}/transfers/${api.seg(t.id)}`;
  replace(listEl, transferTable(visible, {
    testid: 'review-table',
    showCustomer: true,
    action: (t) => (t.status === 'Active'
      ? h('div', { class: 'actions' },
        h('button', {
          class: 'btn small primary', type: 'button', 'data-testid': `transfer-accept-${t.id}`, disabled: !canAct,
          onclick: (e) => act(e.currentTarget, slot, async () => {
            const r = await api.post(`${base(t)}/accept`);
            await reload();
            const errs = (r && r.transferErrors) || [];
            replace(slot, errs.length
              ? h('div', { class: 'alert warn', role: 'status', 'data-testid': 'transfer-accept-result' },
                h('p', { class: 'alert-title' }, `Accepted the request of ${t.customerName}; some lines could not move:`),
                h('ul', null, errs.map((x) => h('li', null, typeof x === 'string' ? x : (x.description || x.message || JSON.stringify(x))))))
              : success(`Accepted: the subscriptions of ${t.customerName} are now listed under the customer and billed by you.`, 'transfer-accept-result'));
          }),
        }, 'Accept'),
        h('button', {
          class: 'btn small danger', type: 'button', 'data-testid': `transfer-reject-${t.id}`, disabled: !canAct,
          onclick: (e) => {
            if (!window.confirm(`Reject the transfer request of ${t.customerName} from ${t.sourcePartnerName}?`)) return;
            act(e.currentTarget, slot, async () => {
              await api.patch(base(t), { id: t.id, status: 'reject' });
              await reload();
            }, `Rejected the request of ${t.customerName}.`);
          },
        }, 'Reject'),
        h('a', { class: 'btn small', href: `#/customers/${encodeURIComponent(t.customerTenantId)}/subscriptions` }, 'Customer\'s subscriptions'))
      : h('a', { href: `#/customers/${encodeURIComponent(t.customerTenantId)}/subscriptions` }, 'Subscriptions')),
  }));
}
