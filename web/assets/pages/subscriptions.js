// A customer's subscriptions (manage quantity / status), "Add products" (orders) and, for a
// transitioning partner, the "Subscription transfer" section of seed 000: request a transfer (tick the
// eligible subscriptions, see the ineligible ones with their reason, choose the provider), the list of
// requests with their status, withdraw.
import * as api from '../api.js';
import {
  h, replace, pageHeader, section, load, badge, act, field, fmtDate, fmtMoney, notice, holdingName,
  uid, success, hasRole, shortId, table,
} from '../ui.js';

export async function render(el, ctx) {
  const cid = ctx.params.id;
  const head = h('div');
  replace(el, head);
  const customer = await load(head, () => api.get(`/v1/customers/${api.seg(cid)}`));
  if (!customer) return;
  const cname = customer.companyProfile ? customer.companyProfile.companyName : cid;
  const caps = customer.capabilities || {};
  const subsEl = h('div');
  const orderEl = h('div');
  const transferEl = h('div');
  const isSourceCandidate = caps.holding === 'direct_bill' && ctx.programs.direct_bill;
  const isProviderHolding = caps.holding === 'indirect_provider';
  const state = { subs: [] };

  const reloadSubs = async () => {
    state.subs = await renderSubs(subsEl, cid, caps, ctx, reloadAll);
    return state.subs;
  };
  const reloadAll = async () => {
    await reloadSubs();
    if (isSourceCandidate) renderTransfers(transferEl, cid, ctx, state, reloadAll);
  };

  replace(el,
    pageHeader(`${cname}: subscriptions`, null),
    h('p', null, h('a', { href: '#/customers' }, '‹ Customers'), ' · You hold this customer as ', badge(holdingName(caps.holding), 'subscriptions-holding')),
    caps.holding === 'indirect_reseller'
      ? notice('You acquired this customer as indirect reseller: you manage licenses and users; your indirect provider orders products for it.')
      : null,
    section('Subscriptions', subsEl),
    caps.canOrder ? section('Add products', orderEl) : null,
    isSourceCandidate ? h('section', { class: 'card', 'aria-labelledby': 'trf-h', 'data-testid': 'subscription-transfer' },
      h('h2', { id: 'trf-h' }, 'Subscription transfer'), transferEl) : null,
    isProviderHolding ? section('Subscription transfer requests',
      h('p', null, 'Requests to move this customer\'s direct-bill subscriptions to you are reviewed under ',
        h('a', { href: `#/transfers?customer=${encodeURIComponent(cid)}`, 'data-testid': 'subscriptions-review-link' }, 'Transfer requests'), '.')) : null);

  await reloadSubs();
  if (caps.canOrder) renderOrder(orderEl, customer, ctx, reloadAll);
  if (isSourceCandidate) renderTransfers(transferEl, cid, ctx, state, reloadAll);
}

const subName = (s) => s.friendlyName || s.offerName || s.offerId;

async function renderSubs(el, cid, caps, ctx, reloadAll) {
  const c = await load(el, () => api.get(`/v1/customers/${api.seg(cid)}/subscriptions`));
  if (!c) return [];
  const subs = c.items || [];
  const byId = Object.fromEntries(subs.map((s) => [s.id, s]));
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const canManage = !!caps.canManageSubscriptions || !!caps.canManageLicensesAndUsers;
  for (const s of subs) {
    const detailId = uid('sub');
    const detail = h('tr', { class: 'detail', id: detailId, hidden: true }, h('td', { colspan: '7' }));
    const manage = canManage && s.status !== 'deleted'
      ? h('button', {
        class: 'btn small', type: 'button', 'aria-expanded': 'false', 'aria-controls': detailId, 'data-testid': `subscription-manage-${s.id}`,
        onclick: (e) => {
          const open = e.currentTarget.getAttribute('aria-expanded') !== 'true';
          e.currentTarget.setAttribute('aria-expanded', String(open));
          detail.hidden = !open;
          if (open) replace(detail.firstChild, manageForm(cid, s, reloadAll));
        },
      }, 'Manage')
      : null;
    const parent = s.parentSubscriptionId ? byId[s.parentSubscriptionId] : null;
    tbody.append(h('tr', { 'data-testid': `subscription-row-${s.id}` },
      h('td', { 'data-label': 'Subscription' }, h('strong', null, subName(s)),
        parent ? h('span', { class: 'hint' }, h('br'), `add-on of ${subName(parent)}`) : null,
        caps.holding !== 'indirect_provider'
          ? h('span', { class: 'hint' }, h('br'), s.partnerId ? 'indirect: billed by your indirect provider' : 'direct-bill: billed by you')
          : null,
        h('br'), h('code', { class: 'hint' }, s.id)),
      h('td', { 'data-label': 'Offer' }, s.offerName || s.offerId),
      h('td', { 'data-label': 'Quantity', class: 'num', 'data-testid': `subscription-quantity-${s.id}` }, String(s.quantity)),
      h('td', { 'data-label': 'Billing' }, `${s.billingType || '—'} / ${s.billingCycle || '—'}`),
      h('td', { 'data-label': 'Status' }, badge(s.status, `subscription-status-${s.id}`)),
      h('td', { 'data-label': 'Partner of record' }, s.partnerId || '—'),
      h('td', { 'data-label': 'Actions' }, manage || '—')),
    detail);
  }
  if (!subs.length) tbody.append(h('tr', null, h('td', { colspan: '7', class: 'empty' }, 'No subscription.')));
  replace(el,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data stack', 'data-testid': 'subscriptions-table' },
      h('caption', { class: 'visually-hidden' }, 'Subscriptions'),
      h('thead', null, h('tr', null, ['Subscription', 'Offer', 'Quantity', 'Billing', 'Status', 'Partner of record', 'Actions']
        .map((l) => h('th', { scope: 'col', class: l === 'Quantity' ? 'num' : null }, l)))),
      tbody)),
    slot);
  return subs;
}

function manageForm(cid, s, reloadAll) {
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const etag = s.attributes && s.attributes.etag;
  const send = (btn, body) => act(btn, slot, async () => {
    await api.patch(`/v1/customers/${api.seg(cid)}/subscriptions/${api.seg(s.id)}`, body,
      { headers: etag ? { 'If-Match': `"${etag}"` } : {} });
    await reloadAll();
  });
  const parts = [];
  if (s.billingType === 'license') {
    const qty = h('input', { type: 'number', min: '1', step: '1', value: String(s.quantity), 'data-testid': `subscription-quantity-input-${s.id}` });
    const save = h('button', { class: 'btn small primary', type: 'submit', 'data-testid': `subscription-quantity-save-${s.id}` }, 'Change quantity');
    parts.push(h('form', {
      class: 'row', novalidate: true,
      onsubmit: (e) => { e.preventDefault(); send(save, { quantity: Number(qty.value) }); },
    }, field('Licenses', qty), h('div', { class: 'field btn-field' }, save)));
  }
  const buttons = [];
  if (s.status === 'active') {
    const b = h('button', { class: 'btn small', type: 'button', 'data-testid': `subscription-suspend-${s.id}`, onclick: () => send(b, { status: 'suspended' }) }, 'Suspend');
    buttons.push(b);
  } else if (s.status === 'suspended') {
    const b = h('button', { class: 'btn small', type: 'button', 'data-testid': `subscription-activate-${s.id}`, onclick: () => send(b, { status: 'active' }) }, 'Reactivate');
    buttons.push(b);
  }
  const cancel = h('button', {
    class: 'btn small danger', type: 'button', 'data-testid': `subscription-cancel-${s.id}`,
    onclick: () => {
      if (window.confirm(`Cancel the subscription "${subName(s)}"? A cancelled subscription never changes again.`)) send(cancel, { status: 'deleted' });
    },
  }, 'Cancel subscription');
  buttons.push(cancel);
  parts.push(h('div', { class: 'actions' }, buttons), slot);
  return h('div', null, parts);
}

// --- orders ------------------------------------------------------------------------------------

async function renderOrder(el, customer, ctx, reloadAll) {
  const country = customer.country || (customer.billingProfile && customer.billingProfile.defaultAddress && customer.billingProfile.defaultAddress.country);
  const offersC = await load(el, () => api.get(`/v1/offers${country ? `?country=${encodeURIComponent(country)}` : ''}`));
  if (!offersC) return;
  const offers = (offersC.items || []).filter((o) => o.isAvailableForPurchase !== false);
  const isProvider = (customer.capabilities || {}).holding === 'indirect_provider';
  let resellers = [];
  if (isProvider) {
    try { resellers = (await api.get('/v1/relationships?relationship_type=IsIndirectResellerOf')).items || []; } catch { resellers = []; }
  }
  const offerSel = h('select', { 'data-testid': 'order-offer' },
    h('optgroup', { label: 'Products' }, offers.filter((o) => !o.isAddOn).map((o) => h('option', { value: o.id }, `${o.name} — ${priceText(o)}`))),
    h('optgroup', { label: 'Add-ons (need a base subscription)' }, offers.filter((o) => o.isAddOn).map((o) => h('option', { value: o.id }, `${o.name} — ${priceText(o)}`))));
  const qty = h('input', { type: 'number', min: '1', step: '1', value: '1', 'data-testid': 'order-quantity' });
  const cycle = h('select', { 'data-testid': 'order-billing-cycle' });
  const fname = h('input', { type: 'text', 'data-testid': 'order-friendly-name' });
  const parent = h('select', { 'data-testid': 'order-parent' });
  const parentField = field('Base subscription', parent);
  const por = isProvider
    ? h('select', { 'data-testid': 'order-partner-of-record' },
      h('option', { value: '' }, 'Default (the customer\'s reseller)'),
      resellers.map((r) => h('option', { value: r.mpnId, selected: r.id === customer.associatedPartnerId }, `${r.name} (${r.mpnId})`)))
    : null;
  const describe = h('p', { class: 'hint' });
  const update = async () => {
    const o = offers.find((x) => x.id === offerSel.value);
    if (!o) return;
    replace(cycle, (o.supportedBillingCycles || ['monthly']).map((c) => h('option', { value: c }, c)));
    qty.min = String(o.minimumQuantity || 1);
    qty.max = String(o.maximumQuantity || 10000);
    describe.textContent = `${o.description || ''} Quantity ${o.minimumQuantity}–${o.maximumQuantity}. Transfer class: ${o.transferClass}.`;
    parentField.hidden = !o.isAddOn;
    if (o.isAddOn) {
      let subs = [];
      try { subs = (await api.get(`/v1/customers/${api.seg(customer.id)}/subscriptions`)).items || []; } catch { subs = []; }
      const bases = subs.filter((s) => s.status === 'active' && (o.prerequisiteOffers || []).map((x) => x.toUpperCase()).includes(String(s.offerId).toUpperCase()));
      replace(parent, bases.length
        ? bases.map((s) => h('option', { value: s.id }, `${subName(s)} (${shortId(s.id)})`))
        : h('option', { value: '' }, 'No active base subscription for this add-on'));
    }
  };
  offerSel.addEventListener('change', update);
  await update();
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'order-submit' }, 'Place order');
  replace(el, h('form', {
    novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      act(btn, slot, async () => {
        const o = offers.find((x) => x.id === offerSel.value);
        const line = { lineItemNumber: 0, offerId: offerSel.value, quantity: Number(qty.value) };
        if (fname.value.trim()) line.friendlyName = fname.value.trim();
        if (o && o.isAddOn && parent.value) line.parentSubscriptionId = parent.value;
        if (por && por.value) line.partnerIdOnRecord = por.value;
        const r = await api.post(`/v1/customers/${api.seg(customer.id)}/orders`, {
          referenceCustomerId: customer.id, billingCycle: cycle.value, lineItems: [line],
        });
        await reloadAll();
        fname.value = '';
        return r;
      }, (r) => `Order ${r.id} ${r.status}.`);
    },
  },
  h('div', { class: 'row' }, field('Offer', offerSel), field('Quantity', qty), field('Billing cycle', cycle)),
  describe,
  h('div', { class: 'row' }, field('Friendly name (optional)', fname), parentField, por ? field('Partner of record', por) : null),
  h('div', { class: 'actions' }, btn),
  slot));
}

function priceText(o) {
  if (!o.price) return '';
  if (o.billing === 'usage') return 'usage-based';
  return `${fmtMoney(o.price.unitPriceMinor, o.price.currency)}${o.billing === 'license' ? ' per license per month' : ' one-time'}`;
}

// --- subscription transfer (source side) --------------------------------------------------------

async function renderTransfers(el, cid, ctx, state, reloadAll) {
  const listEl = h('div');
  const formEl = h('div');
  const msg = h('div', { class: 'slot', 'aria-live': 'polite' });
  const canRequest = hasRole(ctx.session, 'admin_agent', 'sales_agent');
  const reqBtn = h('button', {
    class: 'btn primary', type: 'button', 'data-testid': 'transfer-request', disabled: !canRequest,
    onclick: () => {
      reqBtn.hidden = true;
      replace(msg);
      renderRequestForm(formEl, cid, ctx, state, async (t) => {
        await reloadAll();
        const m = el.querySelector('[data-testid="transfer-message"]');
        if (m) replace(m, success(`Transfer request ${t.id} created: ${t.status}. ${t.targetPartnerName || 'The provider'} reviews it.`, 'transfer-created'));
      }, () => { reqBtn.hidden = false; replace(formEl); reqBtn.focus(); });
    },
  }, 'Request a transfer');
  msg.setAttribute('data-testid', 'transfer-message');
  replace(el,
    h('p', null, 'Transfer this customer\'s existing direct-bill subscriptions to your indirect provider. The provider reviews the request and accepts or rejects it; once accepted the provider bills the subscriptions and you stay their reseller and partner of record.'),
    h('div', { class: 'actions' }, reqBtn),
    canRequest ? null : notice('Only an admin agent or sales agent can request a transfer.'),
    formEl,
    msg,
    h('h3', null, 'Transfer requests'),
    listEl);
  renderTransferList(listEl, cid, ctx, reloadAll);
}

async function renderTransferList(el, cid, ctx, reloadAll) {
  const list = await load(el, () => api.get(`/v1/customers/${api.seg(cid)}/transfers`));
  if (!list) return;
  const items = Array.isArray(list) ? list : (list.items || []);
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  replace(el, transferTable(items, {
    testid: 'transfers-table',
    action: (t) => (t.status === 'Active' && t.sourcePartnerTenantId === ctx.session.tenantId
      ? h('button', {
        class: 'btn small danger', type: 'button', 'data-testid': `transfer-withdraw-${t.id}`,
        onclick: (e) => {
          if (!window.confirm('Withdraw this transfer request?')) return;
          act(e.currentTarget, slot, async () => { await api.del(`/v1/customers/${api.seg(cid)}/transfers/${api.seg(t.id)}`); await reloadAll(); });
        },
      }, 'Withdraw')
      : null),
  }), slot);
}

// Shared by the provider's review page.
export function transferTable(items, { testid, action, showCustomer }) {
  const lines = (t) => h('ul', { class: 'plain' }, (t.lineItems || []).map((li) => h('li', null,
    `${li.friendlyName || li.offerId} × ${li.quantity}`,
    li.status ? [' ', badge(li.status)] : null,
    li.transferError ? h('span', { class: 'reason' }, ` ${typeof li.transferError === 'string' ? li.transferError : (li.transferError.description || JSON.stringify(li.transferError))}`) : null,
    (li.addonItems || []).length ? h('ul', null, li.addonItems.map((a) => h('li', null, `add-on: ${a.friendlyName || a.offerId} × ${a.quantity}`))) : null)));
  const cols = [
    showCustomer ? { label: 'Customer', cell: (t) => t.customerName || t.customerTenantId } : null,
    { label: 'Requested', cell: (t) => fmtDate(t.createdTime, true) },
    { label: 'From', cell: (t) => t.sourcePartnerName || t.sourcePartnerTenantId },
    { label: 'To', cell: (t) => t.targetPartnerName || t.targetPartnerTenantId },
    { label: 'Subscriptions', cell: lines },
    { label: 'Status', cell: (t) => badge(t.status, `transfer-status-${t.id}`) },
    { label: 'Action', cell: (t) => (action && action(t)) || '—' },
  ].filter(Boolean);
  return table('Transfer requests', cols, items, {
    testid, empty: 'No transfer request.', rowAttrs: (t) => ({ 'data-testid': `transfer-row-${t.id}` }),
  });
}

async function renderRequestForm(el, cid, ctx, state, done, cancel) {
  const data = await load(el, async () => {
    const [elig, provs] = await Promise.all([
      api.get(`/v1/customers/${api.seg(cid)}/transferseligibility?transferType=directtoindirect`),
      api.get(`/v1/customers/${api.seg(cid)}/relationshipextensions`),
    ]);
    return { elig: Array.isArray(elig) ? elig : (elig.items || []), provs: provs.items || [] };
  });
  if (!data) {
    el.append(h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', onclick: cancel }, 'Close')));
    return;
  }
  const byId = Object.fromEntries(state.subs.map((s) => [s.id, s]));
  const boxes = [];
  const rows = data.elig.map((e) => {
    const s = byId[e.id];
    const box = h('input', { type: 'checkbox', value: e.id, disabled: !e.isEligible, 'data-testid': `transfer-pick-${e.id}`, 'aria-label': `Transfer ${s ? subName(s) : e.id}` });
    if (e.isEligible) boxes.push(box);
    return h('tr', { class: e.isEligible ? null : 'ineligible', 'data-testid': `eligibility-row-${e.id}` },
      h('td', null, box),
      h('td', { 'data-label': 'Subscription' }, s ? subName(s) : h('code', null, e.id)),
      h('td', { 'data-label': 'Quantity', class: 'num' }, s ? String(s.quantity) : '—'),
      h('td', { 'data-label': 'Eligible' }, e.isEligible
        ? badge('eligible', `eligibility-${e.id}`)
        : [badge('not eligible', `eligibility-${e.id}`), ' ', h('span', { class: 'reason', 'data-testid': `eligibility-reason-${e.id}` }, e.reason || '')]));
  });
  const provSel = h('select', { 'data-testid': 'transfer-provider' },
    data.provs.map((p) => h('option', { value: p.id }, `${p.name} (${p.mpnId || p.id})`)));
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const submit = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'transfer-submit', disabled: !data.provs.length || !boxes.length }, 'Request transfer');
  replace(el, h('form', {
    class: 'card', 'aria-label': 'Request a transfer', novalidate: true,
    onsubmit: (ev) => {
      ev.preventDefault();
      const picked = boxes.filter((b) => b.checked).map((b) => b.value);
      if (!picked.length) {
        replace(slot, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'error' }, h('p', { class: 'alert-title' }, 'Tick at least one eligible subscription.')));
        return;
      }
      act(submit, slot, async () => {
        const t = await api.post(`/v1/customers/${api.seg(cid)}/transfers`, {
          sourcePartnerTenantId: ctx.session.tenantId,
          targetPartnerTenantId: provSel.value,
          lineItems: picked.map((id) => ({ subscriptionId: id })),
        });
        await done(t);
        return t;
      });
    },
  },
  h('h3', null, 'Request a transfer'),
  h('p', { class: 'hint' }, 'Tick the subscriptions to move. Add-ons travel with their base subscription. The quantities are taken as they are now: later license changes do not reach the request (withdraw it and request again).'),
  h('div', { class: 'table-wrap' }, h('table', { class: 'data stack', 'data-testid': 'eligibility-table' },
    h('caption', { class: 'visually-hidden' }, 'Subscriptions and their transfer eligibility'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select')),
      h('th', { scope: 'col' }, 'Subscription'), h('th', { scope: 'col', class: 'num' }, 'Quantity'), h('th', { scope: 'col' }, 'Eligible'))),
    h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: '4', class: 'empty' }, 'No subscription billed directly.'))))),
  data.provs.length
    ? field('Indirect provider', provSel)
    : h('div', { class: 'alert warn', 'data-testid': 'transfer-no-provider' }, 'No indirect provider holds this customer for you yet: transfer the customer to an indirect provider first (Customers › expand the customer › Indirect provider(s)).'),
  slot,
  h('div', { class: 'actions' }, submit, h('button', { class: 'btn', type: 'button', 'data-testid': 'transfer-cancel', onclick: cancel }, 'Cancel'))));
}

