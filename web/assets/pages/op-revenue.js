// Operator: the direct-bill revenue requirement (R-DB-1): each global account's trailing-12-month
// cloud revenue against the USD 300,000 threshold, as a table and an SVG bar chart.
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, table, badge, act, field, fmtMoney, fmtDate, openDialog, success } from '../ui.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const usd = (minor) => fmtMoney(minor, 'USD', 2).replace(/\.\d\d$/, '');

export async function render(el, ctx) {
  const asOf = ctx.query.get('asOf') || '';
  const asOfInput = h('input', { type: 'date', value: asOf, 'data-testid': 'revenue-asof' });
  const body = h('div');
  const slot = h('div', { class: 'slot', 'aria-live': 'polite', 'data-testid': 'revenue-message' });
  const form = h('form', {
    class: 'row', novalidate: true,
    onsubmit: (e) => { e.preventDefault(); ctx.go(`/operator/revenue${asOfInput.value ? `?asOf=${asOfInput.value}` : ''}`); },
  }, field('Evaluate as of (empty: now on the cspd clock)', asOfInput),
  h('div', { class: 'field btn-field' }, h('button', { class: 'btn', type: 'submit', 'data-testid': 'revenue-refresh' }, 'Show report')));
  replace(el,
    pageHeader('Direct-bill revenue', 'Direct-bill partners must bill at least USD 300,000 of CSP revenue over the trailing 12 months, per global partner account (perpetual software excluded).'),
    section('Report', form, body, slot));

  const q = asOf ? `?asOf=${encodeURIComponent(`${asOf}T00:00:00Z`)}` : '';
  const r = await load(body, () => api.get(`/v1/operator/directbill/report${q}`));
  if (!r) return;
  const items = r.items || [];
  const evalBtn = h('button', {
    class: 'btn danger', type: 'button', 'data-testid': 'revenue-evaluate',
    onclick: () => {
      if (!window.confirm('Run the evaluation now? Accounts below the threshold become restricted; restricted accounts at or above it are reinstated.')) return;
      act(evalBtn, slot, async () => {
        const res = await api.post('/v1/operator/directbill/evaluate', asOf ? { asOf: `${asOf}T00:00:00Z` } : {});
        const changes = (res.items || []).flatMap((i) => (i.changes || []).map((c) => `${i.companyName}: ${c.tenantId} → ${c.state}`));
        return changes;
      }, (changes) => (changes.length ? `Evaluation applied: ${changes.join('; ')}.` : 'Evaluation applied: no change.'));
    },
  }, 'Apply the evaluation now');
  replace(body,
    h('p', null, `Period ${r.fromPeriod} to ${r.toPeriod} (as of ${fmtDate(r.asOf, true)}).`),
    chart(items),
    table('Trailing-12-month revenue per global account', [
      { label: 'Global account', cell: (i) => i.companyName },
      { label: 'PartnerID', cell: (i) => i.mpnId },
      { label: 'Revenue (USD)', class: 'num', cell: (i) => usd(i.trailingRevenueUsdMinor) },
      { label: 'Threshold (USD)', class: 'num', cell: (i) => usd(i.thresholdUsdMinor) },
      { label: 'Requirement', cell: (i) => badge(i.meetsRequirement ? 'met' : 'not met', `revenue-meets-${i.partnerId}`) },
      { label: 'Effect of an evaluation', cell: (i) => ((i.changes || []).length ? i.changes.map((c) => `${c.tenantId.slice(0, 8)}… → ${c.state}`).join(', ') : 'none') },
    ], items, { testid: 'revenue-table', empty: 'No direct-bill global account.', rowAttrs: (i) => ({ 'data-testid': `revenue-row-${i.partnerId}` }) }),
    h('div', { class: 'actions' }, evalBtn),
    restrictSection(items, slot));
}

// The direct-bill locations of each global account in the report, each with a "Restrict" action
// (PUT /v1/operator/memberships {"program":"direct_bill","state":"restricted"}).
function restrictSection(items, slot) {
  const listEl = h('div');
  const sec = section('Direct-bill partners', h('p', null, 'Restrict a direct-bill partner location by hand (for example after a support case). '
    + 'A restricted partner keeps its customers but cannot add customers or make new purchases.'), listEl);
  (async () => {
    const rows = await load(listEl, async () => {
      const all = [];
      for (const i of items) {
        const locs = await api.getAll(`/v1/partners/${api.seg(i.partnerId)}/locations`);
        for (const l of locs) all.push({ ...l, account: i.companyName });
      }
      return all;
    });
    if (!rows) return;
    const states = {};
    const draw = () => replace(listEl, table('Direct-bill partner locations', [
      { label: 'Global account', cell: (l) => l.account },
      { label: 'Location', cell: (l) => l.companyName },
      { label: 'PartnerID', cell: (l) => l.mpnId },
      { label: 'Country', cell: (l) => l.country },
      { label: 'Direct-bill state', cell: (l) => (states[l.tenantId] ? badge(states[l.tenantId], `membership-state-${l.tenantId}`) : '—') },
      {
        label: 'Action',
        cell: (l) => (states[l.tenantId] === 'restricted' ? '—' : h('button', {
          class: 'btn small danger', type: 'button', 'data-testid': `restrict-${l.tenantId}`,
          'aria-label': `Restrict ${l.companyName}`,
          onclick: () => restrictDialog(l, slot, (st) => { states[l.tenantId] = st; draw(); }),
        }, 'Restrict')),
      },
    ], rows, { testid: 'restrict-table', empty: 'No direct-bill partner location.', rowAttrs: (l) => ({ 'data-testid': `restrict-row-${l.tenantId}` }) }));
    draw();
  })();
  return sec;
}

function restrictDialog(l, outerSlot, done) {
  openDialog('Restrict the direct-bill partner', (close) => {
    const reason = h('input', { type: 'text', required: true, 'data-testid': 'restrict-reason' });
    const slot = h('div', { class: 'slot', 'aria-live': 'polite' });
    const btn = h('button', { class: 'btn danger', type: 'submit', 'data-testid': 'restrict-confirm' }, 'Restrict');
    return h('form', {
      novalidate: true,
      onsubmit: (ev) => {
        ev.preventDefault();
        act(btn, slot, async () => {
          const body = { tenantId: l.tenantId, program: 'direct_bill', state: 'restricted' };
          if (reason.value.trim()) body.reason = reason.value.trim();
          const m = await api.put('/v1/operator/memberships', body);
          close();
          replace(outerSlot, success(`${l.companyName} is now ${m.state} in the direct-bill program.`));
          done(m.state);
        });
      },
    },
    h('p', null, `${l.companyName} (PartnerID ${l.mpnId}): its direct-bill membership becomes restricted. `
      + 'It keeps its existing customers and subscriptions but cannot add customers or place new orders until reinstated '
      + '(an evaluation at or above the revenue requirement reinstates it).'),
    field('Reason (told to the partner)', reason),
    slot,
    h('div', { class: 'actions' }, btn, h('button', { class: 'btn', type: 'button', onclick: close }, 'Cancel')));
  }, 'restrict-dialog');
}

function chart(items) {
  const threshold = items.length ? items[0].thresholdUsdMinor : 30000000;
  const max = Math.max(threshold, ...items.map((i) => i.trailingRevenueUsdMinor)) * 1.15 || 1;
  const labelW = 170;
  const W = 720;
  const plotW = W - labelW - 20;
  const barH = 26;
  const gap = 14;
  const top = 30;
  const H = top + items.length * (barH + gap) + 30;
  const x = (v) => labelW + (Math.max(0, v) / max) * plotW;
  const ticks = [];
  const step = niceStep(max / 5);
  for (let v = 0; v <= max; v += step) ticks.push(v);
  const title = `Trailing-12-month revenue per global account against the USD ${usd(threshold).replace('USD ', '')} requirement`;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'rev-chart-title rev-chart-desc', 'data-testid': 'revenue-chart' },
    s('title', { id: 'rev-chart-title' }, title),
    s('desc', { id: 'rev-chart-desc' }, items.map((i) => `${i.companyName}: ${usd(i.trailingRevenueUsdMinor)}${i.meetsRequirement ? '' : ' (below)'}`).join('; ')),
    ...ticks.map((v) => s('g', null,
      s('line', { class: 'grid', x1: x(v), x2: x(v), y1: top - 6, y2: H - 24 }),
      s('text', { x: x(v), y: H - 8, 'text-anchor': 'middle' }, shortUsd(v)))),
    ...items.map((i, n) => {
      const y = top + n * (barH + gap);
      return s('g', { 'data-testid': `revenue-bar-${i.partnerId}` },
        s('text', { x: labelW - 8, y: y + barH / 2 + 4, 'text-anchor': 'end' }, truncate(i.companyName, 24)),
        s('rect', { class: i.meetsRequirement ? 'bar-ok' : 'bar-bad', x: labelW, y, width: Math.max(1, x(i.trailingRevenueUsdMinor) - labelW), height: barH, rx: 2 }),
        s('text', { x: x(i.trailingRevenueUsdMinor) + 6, y: y + barH / 2 + 4 }, usd(i.trailingRevenueUsdMinor)));
    }),
    s('line', { class: 'threshold', x1: x(threshold), x2: x(threshold), y1: top - 14, y2: H - 24, 'data-testid': 'revenue-threshold' }),
    s('text', { x: x(threshold), y: top - 18, 'text-anchor': 'middle', 'font-weight': '600' }, `requirement ${usd(threshold)}`));
  return h('figure', { class: 'chart-figure' },
    svg,
    h('figcaption', { class: 'legend' },
      h('span', { class: 'l-ok' }, 'meets the requirement'),
      h('span', { class: 'l-bad' }, 'below the requirement'),
      h('span', { class: 'l-line' }, `requirement (${usd(threshold)})`)));
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
function shortUsd(minor) {
  const d = minor / 100;
  if (d >= 1e6) return `${Math.round(d / 1e5) / 10}M`;
  if (d >= 1e3) return `${Math.round(d / 1e3)}k`;
  return String(Math.round(d));
}
function truncate(t, n) { return t.length > n ? `${t.slice(0, n - 1)}…` : t; }
