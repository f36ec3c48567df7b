// track.js - follow a request by its number and tracking code (查询进度),
// and at the end say whether it was solved and how satisfied one is.

import { h, clear, append } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { api, newKey } from '../api.js';
import { field, radios, radioValue, busy, infoBox, section, typeLabel, categoryLabel } from '../ui.js';

const STEPS = ['received', 'dispatched', 'signed', 'replied', 'closed'];
const SAT_ICON = { satisfied: '😊', basically: '😐', unsatisfied: '☹️' };

function stepIndex(state) {
  if (state === 'returned') return 0;
  if (state === 'merged') return 4;
  return Math.max(0, STEPS.indexOf(state));
}

export async function render(root, ctx) {
  const number = h('input', { type: 'text', name: 'number', inputmode: 'numeric', autocomplete: 'off', placeholder: '20261126-00042', value: ctx.query.get('n') || '' });
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'off', value: ctx.query.get('c') || '' });
  const out = h('div', { 'aria-live': 'polite' });
  const view = h('div', { id: 'track-view' });
  const btn = h('button', { type: 'submit', class: 'primary' }, t('track.submit'));
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'inline' }, field(t('track.number'), number, null, { required: true }), field(t('track.code'), code, t('track.code_hint'), { required: true }),
      h('div', { class: 'field' }, btn)),
    out);
  const cleanCode = () => code.value.replace(/[\s-]/g, '');

  async function load() {
    const v = await api('GET', `/track/${encodeURIComponent(number.value.trim())}`, { query: { code: cleanCode() }, anonymous: true });
    show(v);
  }

  function show(v) {
    const idx = stepIndex(v.state);
    const steps = h('ol', { class: 'steps', 'aria-label': t('track.progress') },
      STEPS.map((s, i) => h('li', { class: i < idx ? 'done' : i === idx ? 'now' : null, 'aria-current': i === idx ? 'step' : null },
        i < idx ? h('span', { 'aria-hidden': 'true' }, '✓ ') : null, t(`track.step.${s}`))));
    const facts = h('dl', { class: 'facts' },
      h('dt', {}, t('track.number')), h('dd', {}, v.number),
      h('dt', {}, t('tk.type')), h('dd', {}, typeLabel(v.type)),
      v.category ? [h('dt', {}, t('tk.category')), h('dd', {}, categoryLabel(v.category))] : null,
      h('dt', {}, t('tk.created_at')), h('dd', {}, fmtTime(v.created_at)),
      v.handler ? [h('dt', {}, t('tk.handler')), h('dd', {}, v.handler.name)] : null,
      v.resolve_by ? [h('dt', {}, t('tk.resolve_by')), h('dd', {}, fmtTime(v.resolve_by))] : null,
      h('dt', {}, t('tk.state')), h('dd', { id: 'track-state' }, t(`track.state.${v.state}`)));
    const parts = [steps, facts, h('p', { class: 'ticket-text' }, v.text)];
    if (v.reply) parts.push(h('h3', {}, t('track.reply')), h('p', { class: 'msg info' }, h('strong', {}, t(`result.${v.reply.result}`)), ' — ', v.reply.text));
    if (v.callback) {
      parts.push(infoBox(v.callback.unreachable ? t('callback.unreachable')
        : t('track.rated', { resolved: t(v.callback.resolved ? 'callback.resolved_yes' : 'callback.resolved_no'), sat: t(`sat.${v.callback.satisfaction}`) }), 'ok'));
    }
    if (v.can_callback) parts.push(callbackForm(v));
    const list = h('ol', { class: 'timeline' }, (v.events || []).map((e) => h('li', {}, h('span', { class: 'when' }, fmtTime(e.at)), t(`track.event.${e.action}`))));
    parts.push(h('h3', {}, t('track.history')), list);
    append(clear(view), section(t('track.result', { number: v.number }), parts));
  }

  function callbackForm(v) {
    const o = h('div', { 'aria-live': 'polite' });
    const send = h('button', { type: 'submit', class: 'primary' }, t('track.send_rating'));
    const f = h('form', { class: 'card', id: 'track-callback', novalidate: true },
      h('h3', {}, t('track.callback_title')),
      radios(t('callback.resolved_q'), 'resolved', [{ value: 'yes', label: t('common.yes'), icon: '👍' }, { value: 'no', label: t('common.no'), icon: '👎' }], null, { big: true }),
      radios(t('callback.satisfaction_q'), 'satisfaction', ['satisfied', 'basically', 'unsatisfied'].map((s) => ({ value: s, label: t(`sat.${s}`), icon: SAT_ICON[s] })), null, { big: true }),
      o, h('div', { class: 'actions' }, send));
    const idem = newKey();
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const resolved = radioValue(f, 'resolved');
      const satisfaction = radioValue(f, 'satisfaction');
      if (!resolved || !satisfaction) { append(clear(o), infoBox(t('callback.need'), 'error')); return; }
      busy(send, async () => {
        const after = await api('POST', `/track/${encodeURIComponent(v.number)}/callback`, {
          body: { code: cleanCode(), resolved: resolved === 'yes', satisfaction }, idem, anonymous: true,
        });
        show(after);
        const h2 = view.querySelector('h2');
        h2.setAttribute('tabindex', '-1');
        h2.focus();
      }, o);
    });
    return f;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    if (!number.value.trim() || !cleanCode()) { append(out, infoBox(t('track.need'), 'error')); return; }
    busy(btn, load, out);
  });
  append(root, h('h1', {}, t('track.title')), h('p', { class: 'lead' }, t('track.lead')), form, view);
  if (number.value && code.value) await busy(btn, load, out);
  else number.focus();
}
