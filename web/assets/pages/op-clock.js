// Operator, sandbox mode: the cspd clock (GET/PUT /_cspd/clock, POST /_cspd/clock/advance).
import * as api from '../api.js';
import { h, replace, pageHeader, section, load, dl, field, checkboxField, act, fmtDate } from '../ui.js';

export async function render(el, ctx) {
  const body = h('div');
  replace(el, pageHeader('Sandbox clock', 'Every program rule reads the cspd clock; moving it runs the jobs that became due.'), body);
  const c = await load(body, () => api.get('/_cspd/clock'));
  if (!c) return;
  const slot = h('div', { class: 'slot', 'aria-live': 'polite', 'data-testid': 'clock-message' });
  const now = h('input', { type: 'text', value: c.now, inputmode: 'text', 'data-testid': 'clock-now', spellcheck: 'false' });
  const frozen = h('input', { type: 'checkbox', checked: !!c.frozen, 'data-testid': 'clock-frozen' });
  const setBtn = h('button', { class: 'btn primary', type: 'submit', 'data-testid': 'clock-set' }, 'Set the clock');
  const days = h('input', { type: 'number', min: '0', step: '1', value: '1', 'data-testid': 'clock-advance-days' });
  const hours = h('input', { type: 'number', min: '0', step: '1', value: '0', 'data-testid': 'clock-advance-hours' });
  const advBtn = h('button', { class: 'btn', type: 'submit', 'data-testid': 'clock-advance' }, 'Advance');
  const rerender = () => render(el, ctx);
  replace(body,
    section('Now',
      dl([
        ['cspd clock', h('strong', { 'data-testid': 'clock-current' }, fmtDate(c.now, true))],
        ['Frozen', c.frozen ? 'yes' : 'no'],
        ['Offset from real time', `${c.offsetSeconds} s`],
      ])),
    section('Set',
      h('form', {
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          act(setBtn, slot, async () => { await api.put('/_cspd/clock', { now: now.value.trim(), frozen: frozen.checked }); rerender(); });
        },
      },
      field('Date and time (RFC 3339, e.g. 2026-12-01T00:00:00Z)', now),
      checkboxField('Frozen (the clock does not move by itself)', frozen),
      h('div', { class: 'actions' }, setBtn))),
    section('Advance',
      h('form', {
        class: 'row', novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          act(advBtn, slot, async () => {
            await api.post('/_cspd/clock/advance', { days: Number(days.value) || 0, hours: Number(hours.value) || 0 });
            rerender();
          });
        },
      },
      field('Days', days), field('Hours', hours), h('div', { class: 'field btn-field' }, advBtn))),
    slot);
}
