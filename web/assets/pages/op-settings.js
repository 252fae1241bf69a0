// Operator: program settings (anniversary gating of the transition, auto-approval, incentive invitation,
// direct-bill threshold) and each partner organization's program anniversary date.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, field, act, table } from '../ui.js';

const parseRanges = (text) => text.split(',').map((x) => x.trim()).filter(Boolean).map((r) => {
  const m = /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(r);
  if (!m) throw new Error(`"${r}" is not a month range such as 9-12.`);
  return { from: Number(m[1]), to: Number(m[2]) };
});

export async function render(el) {
  const body = h('div');
  const partnersEl = h('div');
  replace(el, pageHeader('Program settings', 'The rules\' parameters: who may start the transition, approval, incentives and the direct-bill requirement.'),
    body, section('Program anniversary of each partner', partnersEl));
  renderPartners(partnersEl);
  const st = await load(body, () => api.get('/v1/operator/programsettings'));
  if (!st) return;
  const months = h('input', { type: 'text', value: (st.anniversaryMonths || []).map((r) => `${r.from}-${r.to}`).join(', '), 'data-testid': 'settings-anniversary-months' });
  const auto = h('input', { type: 'number', min: '0', max: '5', step: '1', value: String(st.autoApprovalBusinessDays), 'data-testid': 'settings-auto-approval-days' });
  const inc = h('input', { type: 'number', min: '0', max: '30', step: '1', value: String(st.incentiveInvitationDays), 'data-testid': 'settings-incentive-days' });
  const thr = h('input', { type: 'number', min: '0', step: '1', value: String(Math.round(st.directBillThresholdUsdMinor / 100)), 'data-testid': 'settings-threshold-usd' });
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'settings-save' }, 'Save settings');
  replace(body, section('Settings', h('form', {
    novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      act(btn, slot, async () => {
        await api.put('/v1/operator/programsettings', {
          anniversaryMonths: parseRanges(months.value),
          autoApprovalBusinessDays: Number(auto.value),
          incentiveInvitationDays: Number(inc.value),
          directBillThresholdUsdMinor: Number(thr.value) * 100,
        });
      }, 'Settings saved.');
    },
  },
  field('Anniversary months enabled for the transition', months, 'Month ranges, comma-separated; a range may wrap the year (11-2). Partners whose program anniversary falls outside them cannot enroll yet (R-ENR-4).'),
  h('div', { class: 'row' },
    field('Auto-approval after (business days, 0–5)', auto),
    field('Incentive invitation after (days, 0–30)', inc),
    field('Direct-bill requirement (USD, trailing 12 months)', thr)),
  h('div', { class: 'actions' }, btn),
  slot)));
}

async function renderPartners(el) {
  const items = await load(el, () => api.getAll('/v1/partners?size=100'));
  if (!items) return;
  const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
  replace(el,
    h('p', { class: 'hint' }, 'Set a partner organization\'s program anniversary date (the enrollment form shows the current one).'),
    table('Partner organizations', [
      { label: 'Partner', cell: (p) => p.companyName },
      { label: 'Global PartnerID', cell: (p) => p.mpnId },
      {
        label: 'Anniversary date',
        cell: (p) => {
          const d = h('input', { type: 'date', 'data-testid': `anniversary-date-${p.id}`, 'aria-label': `Anniversary date of ${p.companyName}` });
          const b = h('button', {
            class: 'btn small', type: 'button', 'data-testid': `anniversary-save-${p.id}`,
            onclick: () => {
              if (!d.value) { d.focus(); return; }
              act(b, slot, async () => { await api.patch(`/v1/partners/${api.seg(p.id)}`, { anniversaryDate: d.value }); },
                `${p.companyName}: anniversary date set to ${d.value}.`);
            },
          }, 'Set');
          return h('div', { class: 'actions inline' }, d, b);
        },
      },
    ], items, { testid: 'partners-table', empty: 'No partner organization.' }),
    slot);
}

