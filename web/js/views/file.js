// file.js - a resident files a request (我要反映) without an account and
// gets a number and a tracking code to follow it. Few words, big
// controls, pictures beside the choices.

import { h, clear, append } from '../dom.js';
import { t } from '../i18n.js';
import { api, newKey } from '../api.js';
import { locationPicker } from '../picker.js';
import { field, radios, radioValue, busy, infoBox, announce, section, TYPES, typeLabel } from '../ui.js';

const TYPE_ICON = { consult: '❓', help: '🤝', complaint: '📣', report: '🚩', suggestion: '💡' };

export async function render(root, ctx) {
  let idem = newKey();
  const text = h('textarea', { name: 'text', rows: 5, maxlength: 2000 });
  const types = radios(t('file.type_q'), 'type', TYPES.map((v) => ({ value: v, label: typeLabel(v), icon: TYPE_ICON[v] })), 'help', { big: true });
  const urgent = h('input', { type: 'checkbox', id: 'f-urgent', name: 'urgent' });
  const picker = locationPicker({ root: null, gps: true });
  const cname = h('input', { type: 'text', name: 'name', maxlength: 60, autocomplete: 'name' });
  const cphone = h('input', { type: 'tel', name: 'phone', maxlength: 20, autocomplete: 'tel', inputmode: 'tel' });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('file.submit'));
  const done = h('div', { id: 'filed' });

  const form = h('form', { novalidate: true },
    field(t('file.text'), text, t('file.text_hint'), { required: true }),
    types,
    h('div', { class: 'check field' }, urgent, h('label', { for: 'f-urgent' }, t('file.urgent'))),
    picker.el,
    h('fieldset', {}, h('legend', {}, t('file.contact')), h('p', { class: 'hint' }, t('file.contact_hint')),
      h('div', { class: 'inline' }, field(t('intake.name'), cname), field(t('intake.phone'), cphone))),
    out,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    if (!text.value.trim()) { append(out, infoBox(t('file.need_text'), 'error')); text.focus(); return; }
    const location = picker.value();
    if (!location) { append(out, infoBox(t('file.need_location'), 'error')); picker.focusTarget().focus(); return; }
    const body = { text: text.value.trim(), type: radioValue(form, 'type') || 'help', urgent: urgent.checked, channel: 'web', location };
    if (cname.value.trim() || cphone.value.trim()) {
      body.contact = {};
      if (cname.value.trim()) body.contact.name = cname.value.trim();
      if (cphone.value.trim()) body.contact.phone = cphone.value.trim();
    }
    busy(submit, async () => {
      const tk = await api('POST', '/tickets', { body, idem, anonymous: !ctx.account });
      idem = newKey();
      form.hidden = true;
      showDone(tk);
    }, out);
  });

  function showDone(tk) {
    const code = tk.tracking && tk.tracking.code;
    const link = code ? `#/track?n=${encodeURIComponent(tk.number)}&c=${encodeURIComponent(code)}` : `#/ticket/${tk.number}`;
    append(clear(done), section(t('file.done'),
      infoBox(t('file.done_text'), 'ok'),
      h('div', { class: 'code-box' },
        h('p', {}, t('file.your_number')), h('p', { class: 'big-number', id: 'filed-number' }, tk.number),
        code ? [h('p', {}, t('file.your_code')), h('p', { class: 'big-number', id: 'filed-code' }, code.replace(/(\d{5})(\d{5})/, '$1 $2'))] : null),
      h('p', {}, t(code ? 'file.keep_code' : 'file.keep_number')),
      h('div', { class: 'actions' },
        h('a', { class: 'button primary', href: link }, t('file.follow')),
        h('button', { type: 'button', onclick: () => window.print() }, t('file.print')),
        h('button', { type: 'button', onclick: () => { clear(done); form.reset(); picker.reset(); form.hidden = false; text.focus(); } }, t('file.another')))));
    const h2 = done.querySelector('h2');
    h2.setAttribute('tabindex', '-1');
    h2.focus();
    announce(t('file.done_number', { number: tk.number }));
  }

  append(root, h('h1', {}, t('file.title')), h('p', { class: 'lead' }, t('file.lead')), h('div', { class: 'card' }, form), done);
  text.focus();
  return () => picker.destroy();
}
