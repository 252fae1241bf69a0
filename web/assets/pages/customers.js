// Customers: list with search and paging, expand a row (quick links, the customer's indirect providers,
// "Transfer customer to an indirect provider" = relationship extension with its consent step, the
// customer agreement), as in seed 004 "Reseller relationship extension".
import * as api from '../api.js';
import { relationshipGraph } from '../graph.js';
import { newCustomerForm } from './new-customer.js';
import {
  h, replace, pageHeader, load, badge, act, hasRole, field, checkboxField, notice,
  holdingName, relationshipName, openDialog, dl, uid, table, success,
} from '../ui.js';

const PAGE_SIZES = [10, 25, 50];

export async function render(el, ctx) {
  const isProvider = ctx.programs.indirect_provider === 'active';
  const isReseller = ctx.programs.indirect_reseller === 'active';
  const q = ctx.query.get('q') || '';
  const qField = ctx.query.get('field') === 'Domain' ? 'Domain' : 'CompanyName';
  const reseller = ctx.query.get('reseller') || '';
  const qs = Number(ctx.query.get('size'));
  const size = Number.isInteger(qs) && qs >= 1 && qs <= 500 ? qs : 10;

  // Partners this tenant works with: its resellers (provider) and its providers (reseller).
  let resellers = [];
  let providers = [];
  try {
    if (isProvider) resellers = (await api.get('/v1/relationships?relationship_type=IsIndirectResellerOf')).items || [];
    if (ctx.programs.indirect_reseller) providers = (await api.get('/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf')).items || [];
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
  }
  const resellerName = Object.fromEntries(resellers.map((r) => [r.id, r.name]));

  const search = h('input', { type: 'search', value: q, 'data-testid': 'customers-search', placeholder: 'Starts with…' });
  const fieldSel = h('select', { 'data-testid': 'customers-search-field' },
    h('option', { value: 'CompanyName', selected: qField === 'CompanyName' }, 'Company name'),
    h('option', { value: 'Domain', selected: qField === 'Domain' }, 'Domain'));
  const sizes = PAGE_SIZES.includes(size) ? PAGE_SIZES : [size, ...PAGE_SIZES];
  const sizeSel = h('select', { 'data-testid': 'customers-page-size' }, sizes.map((n) => h('option', { value: String(n), selected: n === size }, String(n))));
  const resSel = isProvider
    ? h('select', { 'data-testid': 'customers-reseller' },
      h('option', { value: '' }, 'All customers'),
      resellers.map((r) => h('option', { value: r.id, selected: r.id === reseller }, r.name)))
    : null;
  const go = () => {
    const p = new URLSearchParams();
    if (search.value.trim()) { p.set('q', search.value.trim()); p.set('field', fieldSel.value); }
    if (resSel && resSel.value) p.set('reseller', resSel.value);
    if (Number(sizeSel.value) !== 10) p.set('size', sizeSel.value);
    const qs = p.toString();
    ctx.go(`/customers${qs ? `?${qs}` : ''}`);
  };
  const form = h('form', { class: 'search-form', role: 'search', onsubmit: (e) => { e.preventDefault(); go(); } },
    field('Search customers', search),
    field('Search in', fieldSel),
    resSel ? field('Reseller', resSel) : null,
    field('Per page', sizeSel),
    h('button', { class: 'btn', type: 'submit', 'data-testid': 'customers-search-submit' }, 'Search'));
  sizeSel.addEventListener('change', go);
  if (resSel) resSel.addEventListener('change', go);

  const listEl = h('div');
  const pagerEl = h('div', { class: 'pager' });
  const addEl = h('div');
  const canCreate = (isProvider || ['active', 'restricted'].includes(ctx.programs.direct_bill))
    && hasRole(ctx.session, 'global_admin', 'admin_agent', 'sales_agent');
  const addBtn = canCreate
    ? h('button', {
      class: 'btn', type: 'button', 'data-testid': 'customers-add',
      onclick: async () => {
        addBtn.hidden = true;
        const close = () => { replace(addEl); addBtn.hidden = false; addBtn.focus(); };
        const f = await newCustomerForm(ctx, resellers, () => ctx.go(`/customers${ctx.query.toString() ? `?${ctx.query}` : ''}`), close);
        replace(addEl, f);
        const first = f.querySelector('select, input');
        if (first) first.focus();
      },
    }, 'Add customer')
    : null;
  replace(el,
    pageHeader('Customers', isProvider
      ? 'Customers you hold as indirect provider, for your resellers.'
      : 'Expand a customer to see its details, its indirect providers and quick links.'),
    addBtn ? h('div', { class: 'actions page-actions' }, addBtn) : null,
    addEl,
    h('section', { class: 'card', 'aria-label': 'Customer list' }, form, listEl, pagerEl));

  let filter = null;
  if (q) filter = { Field: qField, Value: q, Operator: 'starts_with' };
  else if (reseller) filter = { Field: 'IndirectReseller', Value: reseller };
  const path = `/v1/customers?size=${size}${filter ? `&filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`;

  const tokens = [null]; // continuation token of each page seen
  let pageNo = 0;
  const show = async () => {
    const page = await load(listEl, () => api.getPage(path, tokens[pageNo]));
    if (!page) return;
    if (page.nextToken && tokens.length === pageNo + 1) tokens.push(page.nextToken);
    replace(listEl, customerTable(page.items, { ctx, isProvider, isReseller, providers, resellerName }));
    const prev = h('button', { class: 'btn small', type: 'button', 'data-testid': 'customers-prev', disabled: pageNo === 0, onclick: () => { pageNo -= 1; show(); } }, 'Previous');
    const next = h('button', { class: 'btn small', type: 'button', 'data-testid': 'customers-next', disabled: !page.nextToken, onclick: () => { pageNo += 1; show(); } }, 'Next');
    replace(pagerEl, prev, h('span', { 'data-testid': 'customers-page' }, `Page ${pageNo + 1}`), next);
  };
  await show();
}

function customerTable(items, opts) {
  const cols = ['Customer', 'Domain', 'Country', 'You hold it as'];
  if (opts.isProvider) cols.push('Reseller');
  const tbody = h('tbody');
  for (const c of items) {
    const detailId = uid('cust');
    const detail = h('tr', { class: 'detail', id: detailId, hidden: true, 'data-testid': `customer-detail-${c.id}` },
      h('td', { colspan: String(cols.length) }));
    const btn = h('button', {
      class: 'expand', type: 'button', 'aria-expanded': 'false', 'aria-controls': detailId, 'data-testid': `customer-expand-${c.id}`,
      onclick: () => {
        const open = btn.getAttribute('aria-expanded') !== 'true';
        btn.setAttribute('aria-expanded', String(open));
        detail.hidden = !open;
        if (open && !detail.dataset.loaded) {
          detail.dataset.loaded = '1';
          renderDetail(detail.firstChild, c, opts);
        }
      },
    }, c.companyProfile ? c.companyProfile.companyName : c.id);
    const name = c.companyProfile || {};
    tbody.append(h('tr', { 'data-testid': `customer-row-${c.id}` },
      h('td', { 'data-label': 'Customer' }, btn),
      h('td', { 'data-label': 'Domain' }, name.domain || '—'),
      h('td', { 'data-label': 'Country' }, c.country || (c.billingProfile && c.billingProfile.defaultAddress && c.billingProfile.defaultAddress.country) || '—'),
      h('td', { 'data-label': 'You hold it as' }, badge(holdingName(c.capabilities && c.capabilities.holding), `customer-holding-${c.id}`)),
      opts.isProvider ? h('td', { 'data-label': 'Reseller' }, c.associatedPartnerId ? (opts.resellerName[c.associatedPartnerId] || c.associatedPartnerId) : '—') : null),
    detail);
  }
  if (!items.length) tbody.append(h('tr', null, h('td', { colspan: String(cols.length), class: 'empty' }, 'No customer found.')));
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data stack', 'data-testid': 'customers-table' },
      h('caption', { class: 'visually-hidden' }, 'Customers'),
      h('thead', null, h('tr', null, cols.map((l) => h('th', { scope: 'col' }, l)))),
      tbody));
}

const CAPS = [
  ['canOrder', 'Order products'], ['canManageSubscriptions', 'Manage subscriptions'], ['canManageReservations', 'Manage Azure reservations'],
  ['canViewOrderHistory', 'View order history'], ['canBuySoftware', 'Buy software'], ['canBillCustomer', 'Bill the customer'],
  ['canManageLicensesAndUsers', 'Manage licenses and users'], ['canHandleRenewals', 'Handle renewals'],
];

function renderDetail(td, c, opts) {
  const { ctx } = opts;
  const caps = c.capabilities || {};
  const bp = c.billingProfile || {};
  const provEl = h('div');
  const mcaEl = h('div');
  const relEl = h('div');
  const graphEl = h('div');
  replace(td,
    h('nav', { class: 'quick-links', 'aria-label': `Quick links for ${c.companyProfile ? c.companyProfile.companyName : c.id}` },
      h('a', { href: `#/customers/${encodeURIComponent(c.id)}/subscriptions`, 'data-testid': `customer-subscriptions-${c.id}` },
        caps.holding === 'direct_bill' && opts.isReseller ? 'Subscriptions and subscription transfer' : 'Subscriptions')),
    h('div', { class: 'detail-grid' },
      h('div', null,
        h('h3', null, 'Account'),
        dl([
          ['Tenant', h('code', null, c.id)],
          ['Domain', c.companyProfile && c.companyProfile.domain],
          ['Billing contact', [bp.firstName, bp.lastName].filter(Boolean).join(' ') + (bp.email ? ` <${bp.email}>` : '')],
          ['Delegated admin', c.allowDelegatedAccess ? 'yes' : 'no'],
        ]),
        h('h3', null, 'What you can do'),
        h('ul', { class: 'hint' }, CAPS.filter(([k]) => caps[k]).map(([, l]) => h('li', null, l))),
        caps.holding === 'indirect_reseller'
          ? h('p', { class: 'hint' }, 'You acquired this customer as indirect reseller: your indirect provider orders products for it.')
          : null),
      h('div', null,
        h('h3', null, 'Indirect provider(s)'),
        provEl,
        h('h3', null, 'Customer agreement'),
        mcaEl,
        h('h3', null, 'Partners of this customer'),
        relEl)),
    graphEl);
  renderProviders(provEl, c, opts);
  renderMca(mcaEl, c, ctx);
  renderRelationships(relEl, c, graphEl);
}

async function renderProviders(el, c, opts, message) {
  const { ctx } = opts;
  const list = await load(el, () => api.get(`/v1/customers/${api.seg(c.id)}/relationshipextensions`));
  if (!list) return;
  const items = list.items || [];
  const canExtend = (c.capabilities || {}).holding === 'direct_bill' && ctx.programs.indirect_reseller;
  const isAgent = hasRole(ctx.session, 'admin_agent');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' }, message || null);
  const btn = canExtend
    ? h('button', {
      class: 'btn small primary', type: 'button', 'data-testid': `customer-transfer-to-provider-${c.id}`, disabled: !isAgent,
      onclick: () => extendDialog(c, opts.providers, (msg) => renderProviders(el, c, opts, msg)),
    }, 'Transfer customer to an indirect provider')
    : null;
  replace(el,
    items.length
      ? h('ul', { 'data-testid': `customer-providers-${c.id}` }, items.map((p) => h('li', null,
        h('strong', null, p.name), ` (${p.mpnId || p.id}) — ${p.acquired === 'extension' ? 'by relationship extension' : p.acquired || ''}${p.delegatedAdmin ? ', delegated admin' : ', no delegated admin rights'}`)))
      : h('p', { class: 'hint', 'data-testid': `customer-providers-${c.id}` }, 'No indirect provider holds this customer for you yet.'),
    btn,
    btn && !isAgent ? notice('Only an admin agent can transfer a customer to an indirect provider.') : null,
    slot);
}

function extendDialog(c, providers, done) {
  const cname = c.companyProfile ? c.companyProfile.companyName : c.id;
  openDialog(`Transfer ${cname} to an indirect provider`, (close) => {
    if (!providers.length) {
      return h('div', null,
        h('p', null, 'You can only select an indirect provider whose partnership invitation you accepted.'),
        h('p', null, h('a', { href: '#/providers', onclick: close }, 'Indirect providers')),
        h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', onclick: close }, 'Close')));
    }
    const sel = h('select', { required: true, 'data-testid': 'extend-provider' },
      providers.map((p) => h('option', { value: p.mpnId || p.id }, `${p.name} (${p.mpnId || p.id})`)));
    const consent = h('input', { type: 'checkbox', 'data-testid': 'extend-consent' });
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const save = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'extend-save' }, 'Save and continue');
    return h('form', {
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        act(save, slot, async () => {
          await api.post(`/v1/customers/${api.seg(c.id)}/relationshipextensions`, {
            indirectProviderId: sel.value, customerConsentAttested: consent.checked,
          });
          close();
          done(success(`${cname} is now listed under its indirect provider(s): check the provider you selected.`, 'extend-done'));
        });
      },
    },
    field('Indirect provider', sel),
    h('ul', { class: 'hint' },
      h('li', null, 'A copy of the billing information you hold for this customer is made available to the indirect provider.'),
      h('li', null, 'The provider gets no delegated admin rights on the customer\'s tenant; send an indirect reseller invitation instead if it needs them.'),
      h('li', null, 'The provider then shows as a CSP partner on the customer\'s partner relationships page.')),
    checkboxField('I informed the customer and obtained its consent to establish a reseller relationship with this indirect provider.', consent),
    slot,
    h('div', { class: 'actions' }, save, h('button', { class: 'btn', type: 'button', 'data-testid': 'extend-cancel', onclick: close }, 'Cancel')));
  }, 'extend-dialog');
}

async function renderMca(el, c, ctx, message) {
  const st = await load(el, () => api.get(`/v1/customers/${api.seg(c.id)}/directSignedMicrosoftCustomerAgreementStatus`));
  if (!st) return;
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' }, message || null);
  const btn = st.acceptedForCaller
    ? null
    : h('button', {
      class: 'btn small', type: 'button', 'data-testid': `customer-mca-attest-${c.id}`,
      onclick: () => attestDialog(c, (msg) => renderMca(el, c, ctx, msg)),
    }, 'Attest the customer\'s acceptance');
  replace(el,
    dl([
      ['Accepted by the customer', st.isSigned ? 'yes' : 'no'],
      ['Counts for you', h('span', { 'data-testid': `customer-mca-status-${c.id}` }, st.acceptedForCaller ? 'yes' : 'no')],
    ]),
    st.acceptedForCaller ? null : h('p', { class: 'hint' }, 'Orders and transfers need the Microsoft Customer Agreement to count for you: the customer accepts it itself, or you attest its acceptance in your name.'),
    btn, slot);
}

function attestDialog(c, done) {
  openDialog('Attest the Microsoft Customer Agreement', (close) => {
    const bp = c.billingProfile || {};
    const first = h('input', { type: 'text', required: true, value: bp.firstName || '', 'data-testid': 'attest-first' });
    const last = h('input', { type: 'text', required: true, value: bp.lastName || '', 'data-testid': 'attest-last' });
    const email = h('input', { type: 'email', required: true, value: bp.email || '', 'data-testid': 'attest-email' });
    const date = h('input', { type: 'date', required: true, value: new Date().toISOString().slice(0, 10), 'data-testid': 'attest-date' });
    // Default to today on the cspd clock (the sandbox clock may differ from this computer's).
    api.serverInfo().then((i) => { if (i && i.now) date.value = String(i.now).slice(0, 10); }).catch(() => {});
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const save = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'attest-save' }, 'Attest acceptance');
    return h('form', {
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        act(save, slot, async () => {
          const tpl = await api.get('/v1/agreements?agreementType=MicrosoftCustomerAgreement');
          const t = (tpl.items || [])[0];
          if (!t) throw new Error('The server offers no Microsoft Customer Agreement template.');
          await api.post(`/v1/customers/${api.seg(c.id)}/agreements`, {
            primaryContact: { firstName: first.value.trim(), lastName: last.value.trim(), email: email.value.trim() },
            templateId: t.templateId,
            dateAgreed: `${date.value}T00:00:00Z`,
            type: 'MicrosoftCustomerAgreement',
          });
          close();
          done(success('Acceptance attested in your name.', 'attest-done'));
        });
      },
    },
    h('p', { class: 'hint' }, 'You attest, in your own name, that the customer\'s contact accepted the Microsoft Customer Agreement on this date.'),
    field('First name', first), field('Last name', last), field('E-mail', email), field('Date accepted', date),
    slot,
    h('div', { class: 'actions' }, save, h('button', { class: 'btn', type: 'button', onclick: close }, 'Cancel')));
  }, 'attest-dialog');
}

async function renderRelationships(el, c, graphSlot) {
  const list = await load(el, () => api.get(`/v1/customers/${api.seg(c.id)}/relationships`));
  if (!list) return;
  const showGraph = h('button', {
    class: 'btn small', type: 'button', 'aria-expanded': 'false', 'data-testid': `customer-graph-toggle-${c.id}`,
    onclick: () => {
      const open = showGraph.getAttribute('aria-expanded') !== 'true';
      showGraph.setAttribute('aria-expanded', String(open));
      showGraph.textContent = open ? 'Hide the relationship graph' : 'Show the relationship graph';
      replace(graphSlot, open ? relationshipGraph(c.companyProfile ? c.companyProfile.companyName : c.id, list.items || [], `customer-graph-${c.id}`) : null);
    },
  }, 'Show the relationship graph');
  replace(el, h('div', { class: 'actions' }, showGraph), table('Partners of this customer', [
    { label: 'Partner', cell: (r) => r.name },
    { label: 'As', cell: (r) => relationshipName(r.relationshipType) },
    { label: 'Delegated admin', cell: (r) => (r.delegatedAdmin ? 'yes' : 'no') },
  ], list.items || [], { empty: 'None.' }));
}

