// Sign-in: e-mail and password -> POST /_cspd/session (cookie session).
import * as api from '../api.js';
import { h, field, errorBox, replace } from '../ui.js';

export function render(el, { message, info, onSignedIn }) {
  const email = h('input', { type: 'email', name: 'username', autocomplete: 'username', required: true, 'data-testid': 'signin-email' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'signin-password' });
  const submit = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'signin-submit' }, 'Sign in');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  if (message) {
    slot.append(h('div', {
      class: `alert ${message.kind === 'error' ? 'error' : 'info'}`,
      role: message.kind === 'error' ? 'alert' : 'status',
      'data-testid': 'signin-message',
    }, message.text));
  }
  const form = h('form', {
    class: 'signin-form', 'data-testid': 'signin-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      if (!email.value || !password.value) {
        replace(slot, h('div', { class: 'alert error', role: 'alert', 'data-testid': 'signin-error' },
          h('p', { class: 'alert-title' }, 'Enter your e-mail address and password.')));
        (email.value ? password : email).focus();
        return;
      }
      submit.disabled = true;
      replace(slot);
      try {
        const s = await api.signIn(email.value.trim(), password.value);
        await onSignedIn(s);
      } catch (err) {
        replace(slot, errorBox(err, 'signin-error'));
        password.value = '';
        password.focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
  field('E-mail address', email),
  field('Password', password),
  submit);

  replace(el,
    h('main', { id: 'main', class: 'signin-card', tabindex: '-1' },
      h('div', { class: 'brand big' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'cspd'),
      h('h1', null, 'Sign in'),
      h('p', { class: 'subtitle' }, 'The dashboard of the CSP channel: partners, providers, customers and the program operator.'),
      slot,
      form,
      info && info.sandbox
        ? h('p', { class: 'hint' }, 'Sandbox mode: the demo users sign in with the demo password (see the README).')
        : null));
  email.focus();
}
