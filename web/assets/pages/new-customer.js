// "Add customer" on the customers page: POST /v1/customers. A direct-bill partner creates its own
// customer; an indirect provider creates one for one of its resellers (associatedPartnerId). The
// customer admin's generated password is shown once.
import * as api from '../api.js';
import { h, replace, field, act, success, dl } from '../ui.js';

export async function newCustomerForm(ctx, resellers, onCreated, onCancel) {
  const isDirect = !!ctx.programs.direct_bill;
  const market = ctx.programInfo && ctx.programInfo.market;
  let countries = [];
  try {
    const m = await api.get('/v1/markets');
    const mine = (m.items || []).find((x) => x.id === market);
    countries = mine ? mine.countries.map((c) => c.country).sort() : [];
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return h('div');
  }
  const home = (ctx.programInfo && ctx.programInfo.country) || countries[0] || '';
  const company = h('input', { type: 'text', required: true, autocomplete: 'organization', 'data-testid': 'new-customer-company' });
  const domain = h('input', { type: 'text', required: true, 'data-testid': 'new-customer-domain', placeholder: 'example.onmicrosoft.com' });
  const email = h('input', { type: 'email', required: true, 'data-testid': 'new-customer-email' });
  const first = h('input', { type: 'text', autocomplete: 'given-name', 'data-testid': 'new-customer-first-name' });
  const last = h('input', { type: 'text', autocomplete: 'family-name', 'data-testid': 'new-customer-last-name' });
  const country = countries.length
    ? h('select', { 'data-testid': 'new-customer-country' }, countries.map((c) => h('option', { value: c, selected: c === home }, c)))
    : h('input', { type: 'text', value: home, maxlength: '2', 'data-testid': 'new-customer-country' });
  const city = h('input', { type: 'text', autocomplete: 'address-level2', 'data-testid': 'new-customer-city' });
  const line1 = h('input', { type: 'text', autocomplete: 'address-line1', 'data-testid': 'new-customer-address' });
  const postal = h('input', { type: 'text', autocomplete: 'postal-code', 'data-testid': 'new-customer-postal-code' });
  const reseller = resellers.length
    ? h('select', { 'data-testid': 'new-customer-reseller' },
      isDirect ? h('option', { value: '' }, 'None: my own direct-bill customer') : null,
      resellers.map((r) => h('option', { value: r.id }, `${r.name} (${r.mpnId || r.id})`)))
    : null;
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'new-customer-submit' }, 'Create customer');
  const form = h('form', {
    class: 'card', 'aria-labelledby': 'new-customer-h', novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      act(btn, slot, async () => {
        const addr = { country: country.value.trim().toUpperCase() };
        if (city.value.trim()) addr.city = city.value.trim();
        if (line1.value.trim()) addr.addressLine1 = line1.value.trim();
        if (postal.value.trim()) addr.postalCode = postal.value.trim();
        const bp = { companyName: company.value.trim(), email: email.value.trim(), defaultAddress: addr };
        if (first.value.trim()) bp.firstName = first.value.trim();
        if (last.value.trim()) bp.lastName = last.value.trim();
        const body = { companyProfile: { domain: domain.value.trim() }, billingProfile: bp };
        if (reseller && reseller.value) body.associatedPartnerId = reseller.value;
        const c = await api.post('/v1/customers', body);
        const cred = c.userCredentials || {};
        replace(form, h('h2', { id: 'new-customer-h' }, 'Customer created'),
          success(`${c.companyProfile ? c.companyProfile.companyName : c.id} was created${c.associatedPartnerId ? ' for your reseller' : ''}.`, 'new-customer-done'),
          h('p', null, h('strong', null, 'The customer admin\'s sign-in, shown only once: '), 'pass it on securely.'),
          dl([
            ['User name', h('code', { 'data-testid': 'new-customer-username' }, cred.userName || '—')],
            ['Password', h('code', { 'data-testid': 'new-customer-password' }, cred.password || '—')],
          ]),
          h('div', { class: 'actions' }, h('button', { class: 'btn', type: 'button', 'data-testid': 'new-customer-close', onclick: onCreated }, 'Done')));
      });
    },
  },
  h('h2', { id: 'new-customer-h' }, 'Add customer'),
  reseller ? field('For reseller', reseller, isDirect ? null : 'An indirect provider creates customers for its resellers: the customer then shows in the reseller\'s list too.') : null,
  h('div', { class: 'row' }, field('Company name', company), field('Domain', domain)),
  h('div', { class: 'row' }, field('Billing e-mail', email), field('First name', first), field('Last name', last)),
  h('div', { class: 'row' }, field('Country', country, 'In your market'), field('City', city), field('Address', line1), field('Postal code', postal)),
  slot,
  h('div', { class: 'actions' }, btn, h('button', { class: 'btn', type: 'button', 'data-testid': 'new-customer-cancel', onclick: onCancel }, 'Cancel')));
  return form;
}
