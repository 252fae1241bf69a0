// Microsoft Partner Agreement: the signature of this tenant, or the form to sign it (global admin).
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, dl, field, act, hasRole, notice, fmtDate, badge } from '../ui.js';

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Microsoft Partner Agreement', 'Settings › Partner agreement'), body);
  const mpa = await load(body, () => api.get('/v1/agreements/mpa'));
  if (!mpa) return;
  if (mpa.isAgreementSigned) {
    replace(body, section('Signature',
      h('p', null, badge('signed', 'mpa-status')),
      dl([['Signed by', `${mpa.signerName || '—'} <${mpa.signerEmail || '—'}>`], ['Date', fmtDate(mpa.dateSigned, true)]])));
    return;
  }
  const isGA = hasRole(ctx.session, 'global_admin');
  const name = h('input', { type: 'text', autocomplete: 'name', required: true, value: ctx.session.displayName || '', 'data-testid': 'mpa-signer-name' });
  const email = h('input', { type: 'email', autocomplete: 'email', required: true, value: ctx.session.email || '', 'data-testid': 'mpa-signer-email' });
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'mpa-sign', disabled: !isGA }, 'Sign the agreement');
  replace(body, section('Sign',
    h('p', null, badge('not signed', 'mpa-status'), ' Transacting operations (orders, transfers, new customer relationships) need the signed agreement.'),
    h('form', {
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        act(btn, slot, async () => {
          await api.post('/v1/agreements/mpa', { signerName: name.value.trim(), signerEmail: email.value.trim() });
          render(el, ctx);
        });
      },
    },
    field('Signer name', name),
    field('Signer e-mail', email),
    isGA ? null : notice('Only a global admin can sign for the tenant.', 'mpa-role-note'),
    h('div', { class: 'actions' }, btn),
    slot)));
}
