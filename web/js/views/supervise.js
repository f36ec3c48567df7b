// supervise.js - the command centre's supervision (督办): overdue
// tickets, and extensions waiting for a decision.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import { api, apiAll, newKey } from '../api.js';
import { ticketTable, busy, announce, section } from '../ui.js';

export async function render(root, ctx) {
  const [overdue, signed] = await Promise.all([
    apiAll('/tickets', { overdue: 'true' }, 2000),
    apiAll('/tickets', { status: 'signed' }, 5000),
  ]);
  const pending = signed.filter((x) => x.extension_pending);
  const out = h('div', { 'aria-live': 'polite' });
  const escalate = (tk) => {
    if (ctx.account.role !== 'command' || tk.escalated) return tk.escalated ? h('span', { class: 'badge warn' }, t('ticket.escalated')) : null;
    const b = h('button', { type: 'button', class: 'small' }, t('action.escalate'));
    b.addEventListener('click', () => busy(b, async () => {
      await api('POST', `/tickets/${tk.number}/escalate`, { body: {}, idem: newKey() });
      announce(t('ticket.done', { action: t('action.escalate'), number: tk.number }));
      b.replaceWith(h('span', { class: 'badge warn' }, t('ticket.escalated')));
    }, out));
    return b;
  };
  append(root, 
    h('h1', {}, t('supervise.title')),
    out,
    section(t('supervise.extensions', { n: pending.length }),
      ticketTable(t('supervise.extensions', { n: pending.length }), pending, 'extensions', {
        actions: (tk) => h('a', { class: 'button small primary', href: `#/ticket/${tk.number}` }, t('action.decide-extension')),
      })),
    section(t('supervise.overdue', { n: overdue.length }),
      ticketTable(t('supervise.overdue', { n: overdue.length }), overdue, 'overdue', { actions: escalate })));
}
