// callbacks.js - replied tickets waiting for the operator's callback (回访).

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import { apiAll } from '../api.js';
import { ticketTable, section } from '../ui.js';

export async function render(root) {
  const items = await apiAll('/tickets', { status: 'replied' }, 1000);
  items.sort((a, b) => (a.reply && b.reply ? a.reply.at.localeCompare(b.reply.at) : 0));
  append(root, 
    h('h1', {}, t('callbacks.title')),
    h('p', { class: 'lead' }, t('callbacks.lead', { n: items.length })),
    section(t('callbacks.list'),
      ticketTable(t('callbacks.list'), items, 'callbacks', {
        actions: (tk) => h('a', { class: 'button small primary', href: `#/ticket/${tk.number}?focus=callback` }, t('callbacks.call')),
      })));
}
