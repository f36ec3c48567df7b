// search.js - find tickets in one's area by number, words, state, type,
// overdue; the result exports to CSV.

import { h, clear, append } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { field, select, busy, ticketTable, STATES, TYPES, stateLabel, typeLabel } from '../ui.js';

export async function render(root, ctx) {
  const q = h('input', { type: 'search', name: 'q', maxlength: 100, value: ctx.query.get('q') || '' });
  const status = select([{ value: '', label: t('common.any') }, ...STATES.map((s) => ({ value: s, label: stateLabel(s) }))], ctx.query.get('status') || '', { name: 'status' });
  const type = select([{ value: '', label: t('common.any') }, ...TYPES.map((s) => ({ value: s, label: typeLabel(s) }))], ctx.query.get('type') || '', { name: 'type' });
  const overdue = h('input', { type: 'checkbox', id: 'overdue', name: 'overdue', checked: ctx.query.get('overdue') === 'true' });
  const btn = h('button', { type: 'submit', class: 'primary' }, t('search.submit'));
  const results = h('div', { 'aria-live': 'polite' });
  let cursor = null;
  let items = [];

  async function load(more) {
    const number = q.value.trim();
    if (!more && /^\d{8}-\d{5}$/.test(number)) {
      ctx.go(`ticket/${number}`);
      return;
    }
    const filter = { q: number || undefined, status: status.value || undefined, type: type.value || undefined, overdue: overdue.checked ? 'true' : undefined };
    const page = await api('GET', '/tickets', { query: { ...filter, limit: 100, cursor: more ? cursor : undefined } });
    items = more ? items.concat(page.items) : page.items;
    cursor = page.next_cursor;
    append(clear(results), ticketTable(t('search.results', { n: items.length }), items, 'tickets', { xlsx: { path: '/export/tickets.xlsx', query: { ...filter, lang: document.documentElement.lang === 'en' ? 'en' : undefined } } }));
    if (cursor) {
      const moreBtn = h('button', { type: 'button' }, t('search.more'));
      moreBtn.addEventListener('click', () => busy(moreBtn, () => load(true), results));
      append(results, moreBtn);
    }
  }

  const form = h('form', { class: 'card', role: 'search' },
    h('div', { class: 'inline' },
      field(t('search.q'), q, t('search.q_hint')), field(t('tk.state'), status), field(t('tk.type'), type),
      h('div', { class: 'check field' }, overdue, h('label', { for: 'overdue' }, t('due.overdue_only'))),
      h('div', { class: 'field' }, btn)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(btn, () => load(false), results);
  });
  append(root, h('h1', {}, t('search.title')), form, results);
  await busy(btn, () => load(false), results);
}
