// queue.js - new and returned tickets waiting for dispatch (待派), oldest
// first, each dispatched in one action to the suggested handler or opened
// to choose another.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import { api, apiAll, newKey } from '../api.js';
import { ticketTable, busy, announce, infoBox, section } from '../ui.js';

export async function render(root, ctx) {
  const [received, returned] = await Promise.all([
    apiAll('/tickets', { status: 'received' }, 1000),
    apiAll('/tickets', { status: 'returned' }, 1000),
  ]);
  const byAge = (a, b) => a.created_at.localeCompare(b.created_at);
  const out = h('div', { 'aria-live': 'polite' });

  const quick = (tk) => {
    if (!tk.suggestion || !tk.suggestion.handler) return h('a', { class: 'button small', href: `#/ticket/${tk.number}` }, t('queue.choose'));
    const b = h('button', { type: 'button', class: 'small primary' }, t('queue.dispatch_to', { handler: tk.suggestion.handler.name }));
    b.addEventListener('click', () => busy(b, async () => {
      const after = await api('POST', `/tickets/${tk.number}/dispatch`, { body: { handler: tk.suggestion.handler.code }, idem: newKey() });
      announce(t('intake.dispatched', { number: after.number, handler: after.handler.name }));
      ctx.refresh();
    }, out));
    return b;
  };

  append(root, 
    h('h1', {}, t('queue.title')),
    h('p', { class: 'lead' }, t('queue.lead', { n: received.length + returned.length })),
    out,
    section(t('queue.returned', { n: returned.length }),
      returned.length ? infoBox(t('queue.returned_hint'), 'warn') : null,
      ticketTable(t('queue.returned', { n: returned.length }), returned.sort(byAge), 'returned', { actions: (tk) => h('a', { class: 'button small', href: `#/ticket/${tk.number}` }, t('queue.choose')) })),
    section(t('queue.received', { n: received.length }),
      ticketTable(t('queue.received', { n: received.length }), received.sort(byAge), 'received', { actions: quick })));
}
