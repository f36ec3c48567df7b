// inbox.js - a handling unit's to-do (待办): tickets dispatched to it to
// sign, signed ones to handle, and whistles to report in on; sorted by the
// deadline that matters now, with due-soon and overdue marked.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import { apiAll } from '../api.js';
import { ticketTable, currentDeadline, dueStatus, section } from '../ui.js';

export async function render(root, ctx) {
  const me = ctx.account.scope ? ctx.account.scope.code : '';
  const [dispatched, signed] = await Promise.all([
    apiAll('/tickets', { status: 'dispatched' }, 2000),
    apiAll('/tickets', { status: 'signed' }, 2000),
  ]);
  const mine = (tk) => tk.handler && tk.handler.code === me;
  const summoned = (tk) => (tk.co_handlers || []).some((c) => c.code === me && !c.reported_at);
  const byDeadline = (a, b) => (currentDeadline(a) || '9').localeCompare(currentDeadline(b) || '9');
  const toSign = dispatched.filter(mine).sort(byDeadline);
  const toHandle = signed.filter(mine).sort(byDeadline);
  const toReport = signed.filter(summoned).sort(byDeadline);
  const all = [...toSign, ...toHandle, ...toReport];
  const overdue = all.filter((x) => dueStatus(x) === 'overdue').length;
  const soon = all.filter((x) => dueStatus(x) === 'due-soon').length;

  append(root, 
    h('h1', {}, t('inbox.title')),
    h('ul', { class: 'kpis' },
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('inbox.to_sign')), h('span', { class: 'v' }, toSign.length)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('inbox.to_handle')), h('span', { class: 'v' }, toHandle.length)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('inbox.to_report')), h('span', { class: 'v' }, toReport.length)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('due.soon')), h('span', { class: 'v' }, soon)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('due.overdue')), h('span', { class: 'v' }, overdue))),
    section(t('inbox.to_sign'), ticketTable(t('inbox.to_sign'), toSign, 'to-sign')),
    section(t('inbox.to_handle'), ticketTable(t('inbox.to_handle'), toHandle, 'to-handle')),
    toReport.length || ctx.account.role === 'department'
      ? section(t('inbox.to_report'), ticketTable(t('inbox.to_report'), toReport, 'to-report-in'))
      : null);
}
