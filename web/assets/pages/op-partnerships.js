// Operator: provider-reseller relationships, and ending one (R-PRT-4: only the operator ends a
// relationship; neither partner can end it alone).
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, table, badge, act, field, fmtDate, openDialog, success } from '../ui.js';

const STATES = ['active', 'terminated', 'all'];

export async function render(el, ctx) {
  const state = STATES.includes(ctx.query.get('state')) ? ctx.query.get('state') : 'all';
  const sel = h('select', { 'data-testid': 'partnerships-state' }, STATES.map((s) => h('option', { value: s, selected: s === state }, s)));
  sel.addEventListener('change', () => ctx.go(`/operator/partnerships${sel.value === 'all' ? '' : `?state=${sel.value}`}`));
  const listEl = h('div');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite', 'data-testid': 'partnerships-message' });
  replace(el,
    pageHeader('Partnerships', 'Relationships between indirect providers and their indirect resellers. Only the operator can end one.'),
    section('Provider–reseller relationships', h('div', { class: 'row' }, field('State', sel)), slot, listEl));
  const reload = async () => {
    const c = await load(listEl, () => api.getAll(`/v1/operator/partnerships${state === 'all' ? '' : `?state=${state}`}`));
    if (!c) return;
    const key = (p) => `${p.providerTenantId}-${p.resellerTenantId}`;
    replace(listEl, table('Partnerships', [
      { label: 'Provider', cell: (p) => `${p.providerName || p.providerTenantId} (${p.providerMpnId || '—'})` },
      { label: 'Reseller', cell: (p) => `${p.resellerName || p.resellerTenantId} (${p.resellerMpnId || '—'})` },
      { label: 'Since', cell: (p) => fmtDate(p.createdDate) },
      { label: 'State', cell: (p) => badge(p.state, `partnership-state-${key(p)}`) },
      {
        label: 'Action',
        cell: (p) => (p.state === 'active'
          ? h('button', {
            class: 'btn small danger', type: 'button', 'data-testid': `partnership-end-${key(p)}`,
            'aria-label': `End the relationship between ${p.providerName} and ${p.resellerName}`,
            onclick: () => endDialog(p, slot, reload),
          }, 'End relationship')
          : '—'),
      },
    ], c, { testid: 'partnerships-table', empty: `No ${state === 'all' ? '' : `${state} `}partnership.`, rowAttrs: (p) => ({ 'data-testid': `partnership-row-${key(p)}` }) }));
  };
  await reload();
}

function endDialog(p, outerSlot, reload) {
  openDialog('End the relationship', (close) => {
    const reason = h('input', { type: 'text', 'data-testid': 'partnership-end-reason' });
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const btn = h('button', { class: 'btn danger', type: 'submit', 'data-testid': 'partnership-end-confirm' }, 'End relationship');
    return h('form', {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        act(btn, slot, async () => {
          const r = reason.value.trim();
          await api.del(`/v1/partnerships/${api.seg(p.providerTenantId)}/${api.seg(p.resellerTenantId)}${r ? `?reason=${encodeURIComponent(r)}` : ''}`);
          close();
          replace(outerSlot, success(`The relationship between ${p.providerName} and ${p.resellerName} has ended.`));
          await reload();
        });
      },
    },
    h('p', null, `${p.providerName} (provider) and ${p.resellerName} (indirect reseller) will no longer be partners. `
      + `${p.resellerName} stops appearing among ${p.providerName}'s resellers and the provider can no longer order `
      + `for the reseller's customers with it as partner of record, nor complete transfers to it. `
      + 'Both are notified. This cannot be undone here: they would need a new invitation to partner again.'),
    field('Reason (optional, sent to both partners)', reason),
    slot,
    h('div', { class: 'actions' }, btn, h('button', { class: 'btn', type: 'button', onclick: close }, 'Cancel')));
  }, 'partnership-end-dialog');
}
