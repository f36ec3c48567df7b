// intake.js - the operator's intake (受理登记): the request, its type and
// urgency, where it is, who called (or anonymous); then the suggested
// category and handler and any likely duplicates, and dispatch in one
// action.

import { h, clear, append } from '../dom.js';
import { t } from '../i18n.js';
import { api, newKey } from '../api.js';
import { categories } from '../units.js';
import { locationPicker } from '../picker.js';
import { field, select, busy, infoBox, announce, TYPES, typeLabel, categoryLabel, section } from '../ui.js';
import { dispatchForm, duplicateCandidates } from './dispatch.js';

export async function render(root, ctx) {
  const cats = await categories();
  const scope = ctx.account.scope ? ctx.account.scope.code : '';
  let idem = newKey();

  const text = h('textarea', { name: 'text', rows: 5, maxlength: 4000 });
  const type = select(TYPES.map((v) => ({ value: v, label: typeLabel(v) })), 'help', { name: 'type' });
  const urgent = h('input', { type: 'checkbox', name: 'urgent', id: 'urgent' });
  const category = select([{ value: '', label: t('intake.category_auto') }, ...cats.map((c) => ({ value: c.code, label: `${c.code} ${categoryLabel(c)}` }))], '', { name: 'category' });
  const picker = locationPicker({ root: scope, map: true });
  const anon = h('input', { type: 'checkbox', name: 'anonymous', id: 'anon' });
  const cname = h('input', { type: 'text', name: 'contact_name', maxlength: 60, autocomplete: 'off' });
  const cphone = h('input', { type: 'tel', name: 'contact_phone', maxlength: 20, autocomplete: 'off', inputmode: 'tel' });
  anon.addEventListener('change', () => {
    cname.disabled = anon.checked;
    cphone.disabled = anon.checked;
  });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('intake.submit'));
  const review = h('div', { id: 'review' });

  const form = h('form', { novalidate: true, 'aria-labelledby': 'intake-h' },
    field(t('intake.text'), text, t('intake.text_hint'), { required: true }),
    h('div', { class: 'inline' },
      field(t('tk.type'), type),
      field(t('tk.category'), category, t('intake.category_hint')),
      h('div', { class: 'check field' }, urgent, h('label', { for: 'urgent' }, t('intake.urgent')))),
    picker.el,
    h('fieldset', {},
      h('legend', {}, t('intake.contact')),
      h('div', { class: 'check' }, anon, h('label', { for: 'anon' }, t('intake.anonymous'))),
      h('div', { class: 'inline' }, field(t('intake.name'), cname), field(t('intake.phone'), cphone))),
    out,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    if (!text.value.trim()) {
      append(out, infoBox(t('intake.need_text'), 'error'));
      text.focus();
      return;
    }
    const location = picker.value();
    if (!location) {
      append(out, infoBox(t('intake.need_location'), 'error'));
      picker.focusTarget().focus();
      return;
    }
    const body = { text: text.value.trim(), type: type.value, urgent: urgent.checked, location };
    if (category.value) body.category = category.value;
    if (!anon.checked && (cname.value.trim() || cphone.value.trim())) {
      body.contact = {};
      if (cname.value.trim()) body.contact.name = cname.value.trim();
      if (cphone.value.trim()) body.contact.phone = cphone.value.trim();
    }
    busy(submit, async () => {
      const tk = await api('POST', '/tickets', { body, idem });
      idem = newKey();
      announce(t('intake.created', { number: tk.number }));
      showReview(tk);
    }, out);
  });

  async function showReview(tk) {
    clear(review);
    const dups = await duplicateCandidates(tk).catch(() => []);
    append(review, section(t('intake.review', { number: tk.number }),
      infoBox(t('intake.created', { number: tk.number }), 'ok'),
      h('p', {}, h('a', { href: `#/ticket/${tk.number}` }, t('intake.open_ticket'))),
      await dispatchForm(tk, {
        duplicates: dups,
        onDone: (after) => {
          clear(review);
          append(review, infoBox(t('intake.dispatched', { number: after.number, handler: after.handler ? after.handler.name : '' }), 'ok'));
          form.reset();
          picker.reset();
          cname.disabled = false;
          cphone.disabled = false;
          text.focus();
        },
      })));
    review.querySelector('h2').setAttribute('tabindex', '-1');
    review.querySelector('h2').focus();
  }

  append(root, 
    h('h1', { id: 'intake-h' }, t('intake.title')),
    h('p', { class: 'lead' }, t('intake.lead')),
    h('div', { class: 'cols' }, h('div', { class: 'card' }, form), review));
  text.focus();
  return () => picker.destroy();
}
