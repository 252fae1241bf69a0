// ui.js -- small DOM helpers shared by the pages (no framework).
import { ApiError } from './api.js';

// h('button', {class:'btn', 'data-testid':'x', onclick: fn}, 'text', child, [children]) -> Element.
// Attributes: strings set as attributes; on* functions become listeners; booleans toggle the
// attribute; `dataset`-style keys are plain attributes; null/undefined/false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'required' || k === 'hidden' || k === 'open') el[k] = Boolean(v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
export function replace(el, ...children) { clear(el); append(el, children); return el; }

let idSeq = 0;
export function uid(prefix = 'f') { idSeq += 1; return `${prefix}-${idSeq}`; }

// A labelled form control: field('E-mail', h('input', {...})) -> <div class="field"><label for>..</label>input</div>
export function field(label, control, hint) {
  if (!control.id) control.id = uid('fld');
  const parts = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hid = uid('hint');
    control.setAttribute('aria-describedby', hid);
    parts.push(h('p', { class: 'hint', id: hid }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

export function checkboxField(label, control) {
  if (!control.id) control.id = uid('chk');
  return h('div', { class: 'field check' }, control, h('label', { for: control.id }, label));
}

// The rendering of a refusal: the rule's description, its remedy and the rule id (never a bare code).
export function errorBox(err, testid = 'error') {
  if (!(err instanceof ApiError)) {
    return h('div', { class: 'alert error', role: 'alert', 'data-testid': testid },
      h('p', { class: 'alert-title' }, 'Something went wrong'),
      h('p', null, String((err && err.message) || err)));
  }
  const data = (err.data || []).filter((d) => d !== null && d !== undefined && d !== '')
    .map((d) => (typeof d === 'string' ? d : JSON.stringify(d)));
  return h('div', { class: 'alert error', role: 'alert', 'data-testid': testid },
    h('p', { class: 'alert-title', 'data-testid': `${testid}-description` }, err.description),
    err.remedy ? h('p', { class: 'remedy', 'data-testid': `${testid}-remedy` }, h('strong', null, 'What to do: '), err.remedy) : null,
    data.length ? h('ul', { class: 'alert-data' }, data.map((d) => h('li', null, d))) : null,
    h('p', { class: 'alert-meta' },
      err.rule ? h('span', { class: 'rule', 'data-testid': `${testid}-rule` }, `Rule ${err.rule}`) : null,
      h('span', null, `HTTP ${err.status}${err.code && err.code !== err.status ? ` · code ${err.code}` : ''}`),
      err.requestId ? h('span', null, `request ${err.requestId}`) : null));
}

export function success(text, testid = 'success') {
  return h('div', { class: 'alert success', role: 'status', 'data-testid': testid }, text);
}

export function notice(text, testid) {
  return h('div', { class: 'alert info', 'data-testid': testid || null }, text);
}

// Show the outcome of an action in `slot`: runs fn with the button disabled; errors go to the slot.
export async function act(button, slot, fn, okText) {
  if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
  if (slot) clear(slot);
  try {
    const r = await fn();
    if (slot && okText) replace(slot, success(typeof okText === 'function' ? okText(r) : okText));
    return r;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined; // the app went back to sign-in
    if (slot) replace(slot, errorBox(e));
    else console.error(e);
    return undefined;
  } finally {
    if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
  }
}

// Load something into `el` with a loading line and an error box on failure.
export async function load(el, fn) {
  replace(el, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  try {
    const r = await fn();
    return r;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    replace(el, errorBox(e));
    return undefined;
  }
}

export function fmtDate(s, withTime = false) {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  const iso = d.toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10);
}

// Minor units + currency -> "EUR 21.00" (integer arithmetic, no floats for money).
export function fmtMoney(minor, currency, digits = 2) {
  if (minor === null || minor === undefined) return '—';
  const neg = minor < 0;
  let n = Math.abs(Math.trunc(minor));
  const p = 10 ** digits;
  const whole = Math.floor(n / p);
  const frac = digits ? `.${String(n % p).padStart(digits, '0')}` : '';
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${currency ? `${currency} ` : ''}${grouped}${frac}`;
}

const STATUS_CLASS = {
  active: 'ok', approved: 'warn', pending: 'warn', restricted: 'bad', rejected: 'bad', suspended: 'warn',
  deleted: 'muted', accepted: 'ok', complete: 'ok', partiallycomplete: 'warn', reject: 'bad', withdrawn: 'muted',
  failed: 'bad', expired: 'muted', ended: 'muted', signed: 'ok', 'not signed': 'bad', met: 'ok', 'not met': 'bad',
  eligible: 'ok', 'not eligible': 'bad', 'not accepted': 'warn',
};
export function badge(status, testid) {
  const s = String(status || '—');
  return h('span', { class: `badge ${STATUS_CLASS[s.toLowerCase()] || ''}`, 'data-testid': testid || null }, s);
}

const PROGRAM_NAMES = { direct_bill: 'Direct-bill partner', indirect_provider: 'Indirect provider', indirect_reseller: 'Indirect reseller' };
export function programName(p) { return PROGRAM_NAMES[p] || p; }

const REL_NAMES = {
  is_direct_reseller_of: 'Direct-bill partner',
  is_indirect_reseller_of: 'Indirect reseller',
  is_indirect_cloud_solution_provider_of: 'Indirect provider',
};
export function relationshipName(t) { return REL_NAMES[t] || t; }

const HOLDING_NAMES = { direct_bill: 'Direct-bill', indirect_reseller: 'Indirect reseller', indirect_provider: 'Indirect provider' };
export function holdingName(t) { return HOLDING_NAMES[t] || t || '—'; }

// A table: columns [{label, cell:(row)=>node|string, class?}], rows; caption for screen readers.
export function table(caption, columns, rows, opts = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: opts.noStack ? 'data' : 'data stack', 'data-testid': opts.testid || null },
      h('caption', { class: opts.showCaption ? '' : 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class || null }, c.label)))),
      h('tbody', null, rows.length
        ? rows.map((r, i) => {
          const tr = h('tr', opts.rowAttrs ? opts.rowAttrs(r, i) : null,
            columns.map((c) => h('td', { class: c.class || null, 'data-label': c.label || null }, c.cell(r, i))));
          return tr;
        })
        : h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, opts.empty || 'Nothing here yet.')))));
}

export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export function pageHeader(title, subtitle) {
  return h('header', { class: 'page-header' }, h('h1', { tabindex: '-1' }, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null);
}

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v)]));
}

export function hasRole(session, ...roles) {
  return !!session && Array.isArray(session.roles) && roles.some((r) => session.roles.includes(r));
}

// A modal dialog on <dialog>. Returns {el, close}. The body builder gets close().
export function openDialog(title, build, testid) {
  const tid = uid('dlg');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': tid, 'data-testid': testid || null });
  const opener = document.activeElement;
  const close = () => {
    if (typeof dlg.close === 'function' && dlg.open) dlg.close();
    dlg.remove();
    if (opener && typeof opener.focus === 'function' && document.contains(opener)) opener.focus();
  };
  dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  dlg.append(h('h2', { id: tid }, title), build(close));
  document.body.appendChild(dlg);
  if (typeof dlg.showModal === 'function') dlg.showModal();
  else dlg.setAttribute('open', '');
  const first = dlg.querySelector('input, select, textarea, button');
  if (first) first.focus();
  return { el: dlg, close };
}

export function shortId(id) { return id ? `${String(id).slice(0, 8)}…` : '—'; }
