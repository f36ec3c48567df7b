// ticket.js - one ticket: its facts, the whole timeline, and the actions
// the signed-in account may take now (the server checks again).

import { h, clear, append } from '../dom.js';
import { t, has, fmtTime } from '../i18n.js';
import { api, newKey } from '../api.js';
import { children, departmentsOf, countyOf } from '../units.js';
import {
  field, select, radios, radioValue, busy, announce, infoBox, errorBox, section,
  typeLabel, stateBadge, categoryLabel, dueBadge, currentDeadline,
} from '../ui.js';
import { dispatchForm, duplicateCandidates } from './dispatch.js';

const SAT = ['satisfied', 'basically', 'unsatisfied'];
const SAT_ICON = { satisfied: '😊', basically: '😐', unsatisfied: '☹️' };

export async function render(root, ctx) {
  const number = ctx.params[0];
  let tk;
  try {
    // The server's duplicate candidates are computed only when asked for:
    // the dispatch form below shows them.
    tk = await api('GET', `/tickets/${encodeURIComponent(number)}`, { query: { duplicates: 'true' } });
  } catch (e) {
    append(root, h('h1', {}, t('ticket.title', { number })), errorBox(e));
    return undefined;
  }
  const [timeline] = await Promise.all([api('GET', `/tickets/${tk.number}/timeline`)]);
  const acts = await actionPanel(tk, ctx);
  append(root, 
    h('h1', {}, t('ticket.title', { number: tk.number }), ' ', stateBadge(tk.state), ' ', dueBadge(tk)),
    h('div', { class: 'cols' },
      h('div', {}, section(t('ticket.facts'), facts(tk, ctx)), section(t('ticket.timeline'), timelineList(timeline.events))),
      h('div', {}, acts)));
  if (ctx.query.get('focus') === 'callback') {
    const cb = root.querySelector('#act-callback');
    if (cb) { cb.open = true; cb.querySelector('input,select,textarea,button').focus(); }
  }
  return undefined;
}

function facts(tk, ctx) {
  const rows = [
    [t('tk.type'), [typeLabel(tk.type), tk.urgent ? [' ', h('span', { class: 'badge bad' }, t('tk.urgent'))] : null]],
    [t('tk.category'), categoryLabel(tk.category)],
    [t('tk.channel'), t(`channel.${tk.channel}`)],
    [t('tk.place'), [tk.location.grid ? tk.location.grid.name : '', tk.location.address ? ` · ${tk.location.address}` : '',
      tk.location.lat !== null && tk.location.lat !== undefined ? h('span', { class: 'hint' }, ` (${tk.location.lat.toFixed(5)}, ${tk.location.lon.toFixed(5)})`) : null]],
    [t('tk.handler'), tk.handler ? tk.handler.name : t('common.none')],
  ];
  if (tk.lead && tk.handler && tk.lead.code !== tk.handler.code) rows.push([t('tk.lead'), tk.lead.name]);
  if (tk.co_handlers && tk.co_handlers.length) {
    rows.push([t('tk.co_handlers'), tk.co_handlers.map((c) => h('div', {}, c.name, ' — ',
      c.reported_at ? t('ticket.reported_at', { at: fmtTime(c.reported_at) }) : t('ticket.report_by', { at: fmtTime(c.report_by) })))]);
  }
  rows.push([t('tk.sign_by'), fmtTime(tk.deadlines.sign_by)], [t('tk.resolve_by'), fmtTime(tk.deadlines.resolve_by)]);
  if (currentDeadline(tk)) rows.push([t('tk.deadline'), [fmtTime(currentDeadline(tk)), ' ', dueBadge(tk)]]);
  if (tk.extension_pending) rows.push([t('ticket.extension_pending'), t('ticket.days', { n: tk.extension_pending.days })]);
  if (tk.escalated) rows.push([t('ticket.escalated'), t('common.yes')]);
  const contactCell = h('span', { class: 'contact' }, tk.contact ? [tk.contact.name || '', ' ', tk.contact.phone || ''] : t('ticket.anonymous'));
  if (tk.contact && tk.contact.masked && ['operator', 'command'].includes(ctx.account.role)) {
    const reveal = h('button', { type: 'button', class: 'small' }, t('ticket.reveal'));
    reveal.addEventListener('click', () => busy(reveal, async () => {
      const clearTk = await api('GET', `/tickets/${tk.number}`, { query: { reveal: 'contact' } });
      append(clear(contactCell), clearTk.contact.name || '', ' ', clearTk.contact.phone || '');
      reveal.remove();
      announce(t('ticket.revealed'));
    }));
    rows.push([t('tk.contact'), [contactCell, ' ', reveal, h('span', { class: 'hint' }, ` ${t('ticket.reveal_audited')}`)]]);
  } else {
    rows.push([t('tk.contact'), contactCell]);
  }
  rows.push([t('tk.created_at'), fmtTime(tk.created_at)]);
  if (tk.returns) rows.push([t('ticket.returns'), String(tk.returns)]);
  if (tk.reopens) rows.push([t('ticket.reopens'), String(tk.reopens)]);
  if (tk.merged_into) rows.push([t('ticket.merged_into'), h('a', { href: `#/ticket/${tk.merged_into}` }, tk.merged_into)]);
  if (tk.reply) rows.push([t('tk.reply'), [h('strong', {}, t(`result.${tk.reply.result}`)), ' — ', tk.reply.text, h('span', { class: 'hint' }, ` (${fmtTime(tk.reply.at)})`)]]);
  if (tk.callback) {
    const cb = tk.callback;
    rows.push([t('tk.callback'), cb.unreachable ? t('callback.unreachable')
      : [t(cb.resolved ? 'callback.resolved_yes' : 'callback.resolved_no'), ' · ', t(`sat.${cb.satisfaction}`)]]);
  }
  return h('div', {},
    h('p', { class: 'ticket-text' }, tk.text),
    h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}

// The server writes a few machine words at the start of a note (the
// channel, the result, "resolved, satisfied", "unreachable"); show them in
// the reader's language and leave the rest as written.
const NOTE_WORDS = { create: 'channel', reply: 'result', callback: 'note' };
function noteText(e) {
  if (!e.note || !NOTE_WORDS[e.action]) return e.note;
  return e.note.replace(/^([a-z]+)(, ([a-z]+))?/, (m, a, _b, c) => {
    const first = has(`${NOTE_WORDS[e.action]}.${a}`) ? t(`${NOTE_WORDS[e.action]}.${a}`) : has(`note.${a}`) ? t(`note.${a}`) : a;
    return c ? `${first}, ${has(`sat.${c}`) ? t(`sat.${c}`) : c}` : first;
  });
}

function timelineList(events) {
  const ol = h('ol', { class: 'timeline' });
  for (const e of events) {
    append(ol, h('li', {},
      h('span', { class: 'when' }, fmtTime(e.at)),
      h('strong', {}, t(`action.${e.action}`)),
      e.to && e.from !== e.to ? ` → ${t(`state.${e.to}`)}` : '',
      h('span', { class: 'hint' }, ` · ${e.unit ? `${e.unit.name || e.unit.code} · ` : ''}${t(`role.${e.actor_role}`)} ${e.actor}`),
      e.note ? h('span', { class: 'note' }, noteText(e)) : null));
  }
  return ol;
}

// ---- actions ----

/** A collapsible action with its own form; submit posts body() to action. */
function actionBlock(tk, ctx, action, title, fields, body, opts = {}) {
  const out = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.button || title);
  const form = h('form', { novalidate: true }, fields, out, h('div', { class: 'actions' }, btn));
  let idem = newKey();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    let b;
    try {
      b = body(form);
    } catch (err) {
      append(out, infoBox(err.message, 'error'));
      return;
    }
    busy(btn, async () => {
      await api('POST', `/tickets/${tk.number}/${action}`, { body: b, idem });
      idem = newKey();
      announce(t('ticket.done', { action: t(`action.${action}`), number: tk.number }));
      ctx.refresh();
    }, out);
  });
  return h('details', { class: 'action', id: `act-${action}`, open: opts.open || null }, h('summary', {}, title), form);
}

function need(value, key) {
  if (!value) throw new Error(t(key));
  return value;
}

function noteField() {
  return field(t('common.note'), h('input', { type: 'text', name: 'note', maxlength: 500 }));
}

function withNote(form, body) {
  const n = form.querySelector('[name=note]');
  if (n && n.value.trim()) body.note = n.value.trim();
  return body;
}

async function actionPanel(tk, ctx) {
  const role = ctx.account.role;
  const me = ctx.account.scope ? ctx.account.scope.code : '';
  const blocks = [];
  const isHandler = tk.handler && tk.handler.code === me;
  const s = tk.state;

  if (['operator', 'command'].includes(role) && ['received', 'returned'].includes(s)) {
    const dups = await duplicateCandidates(tk).catch(() => []);
    blocks.push(h('details', { class: 'action', id: 'act-dispatch', open: true }, h('summary', {}, t('action.dispatch')),
      await dispatchForm(tk, { duplicates: dups, onDone: () => ctx.refresh() })));
  }
  if (['department', 'township', 'village'].includes(role) && isHandler) {
    if (s === 'dispatched') {
      blocks.push(actionBlock(tk, ctx, 'sign', t('action.sign'), [noteField()], (f) => withNote(f, {}), { open: true }));
    }
    if (s === 'signed') {
      blocks.push(actionBlock(tk, ctx, 'reply', t('action.reply'), [
        field(t('reply.text'), h('textarea', { name: 'reply', rows: 4, maxlength: 2000 }), t('reply.text_hint'), { required: true }),
        radios(t('reply.result'), 'result', ['resolved', 'explained', 'unresolvable'].map((v) => ({ value: v, label: t(`result.${v}`) })), 'resolved'),
        field(t('reply.reason'), h('input', { type: 'text', name: 'reason', maxlength: 500 }), t('reply.reason_hint')),
      ], (f) => {
        const body = { reply: need(f.elements.reply.value.trim(), 'reply.need_text'), result: radioValue(f, 'result') };
        if (f.elements.reason.value.trim()) body.reason = f.elements.reason.value.trim();
        if (body.result === 'unresolvable' && !body.reason) throw new Error(t('reply.need_reason'));
        return body;
      }, { open: true }));
      blocks.push(actionBlock(tk, ctx, 'ask-extension', t('action.ask-extension'), [
        field(t('extension.days'), h('input', { type: 'number', name: 'days', min: 1, max: 30, value: '5', inputmode: 'numeric' }), null, { required: true }),
        field(t('common.reason'), h('input', { type: 'text', name: 'reason', maxlength: 500 }), null, { required: true }),
      ], (f) => {
        const days = Number(f.elements.days.value);
        if (!Number.isInteger(days) || days < 1 || days > 30) throw new Error(t('extension.bad_days'));
        return { days, reason: need(f.elements.reason.value.trim(), 'common.need_reason') };
      }));
      if (role === 'township') {
        const departments = await departmentsOf(countyOf(me));
        const boxes = h('fieldset', {}, h('legend', {}, t('whistle.departments')),
          departments.map((d) => h('div', { class: 'check' }, h('input', { type: 'checkbox', name: 'dept', value: d.code, id: `w-${d.code}` }), h('label', { for: `w-${d.code}` }, d.name))));
        blocks.push(actionBlock(tk, ctx, 'whistle', t('action.whistle'), [h('p', { class: 'hint' }, t('whistle.hint')), boxes, noteField()], (f) => {
          const list = [...f.querySelectorAll('input[name=dept]:checked')].map((x) => x.value);
          if (!list.length) throw new Error(t('whistle.need'));
          return withNote(f, { departments: list });
        }));
        const villages = (await children(me)).filter((u) => u.level === 'village');
        blocks.push(actionBlock(tk, ctx, 'sub-dispatch', t('action.sub-dispatch'), [
          field(t('subdispatch.village'), select([{ value: '', label: t('loc.choose') }, ...villages.map((v) => ({ value: v.code, label: v.name }))], '', { name: 'handler' }), null, { required: true }),
          noteField(),
        ], (f) => withNote(f, { handler: need(f.elements.handler.value, 'subdispatch.need') })));
      }
    }
    if (['dispatched', 'signed'].includes(s)) {
      blocks.push(actionBlock(tk, ctx, 'return', t('action.return'), [
        field(t('common.reason'), h('textarea', { name: 'reason', rows: 2, maxlength: 500 }), t('return.hint'), { required: true }),
      ], (f) => ({ reason: need(f.elements.reason.value.trim(), 'common.need_reason') }), { danger: true }));
    }
  }
  if (role === 'department' && s === 'signed' && (tk.co_handlers || []).some((c) => c.code === me && !c.reported_at)) {
    blocks.push(actionBlock(tk, ctx, 'report-in', t('action.report-in'), [
      field(t('reportin.note'), h('textarea', { name: 'note', rows: 2, maxlength: 500 }), null, { required: true }),
    ], (f) => ({ note: need(f.elements.note.value.trim(), 'reportin.need') }), { open: true }));
  }
  if (['operator', 'command'].includes(role) && s === 'signed' && tk.extension_pending) {
    blocks.push(actionBlock(tk, ctx, 'decide-extension', t('action.decide-extension'), [
      h('p', {}, t('extension.asked', { n: tk.extension_pending.days })),
      radios(t('extension.decision'), 'approve', [{ value: 'yes', label: t('extension.approve') }, { value: 'no', label: t('extension.refuse') }], 'yes'),
      noteField(),
    ], (f) => withNote(f, { approve: radioValue(f, 'approve') === 'yes' }), { open: true }));
  }
  if (role === 'operator' && s === 'replied') {
    blocks.push(callbackBlock(tk, ctx));
  }
  if (role === 'operator' && ['replied', 'closed'].includes(s)) {
    blocks.push(actionBlock(tk, ctx, 'reopen', t('action.reopen'), [h('p', { class: 'hint' }, t('reopen.hint')), noteField()], (f) => withNote(f, {}), { danger: true }));
  }
  if (role === 'operator' && ['received', 'dispatched'].includes(s)) {
    blocks.push(actionBlock(tk, ctx, 'merge', t('action.merge'), [
      field(t('merge.into'), h('input', { type: 'text', name: 'into', maxlength: 20, placeholder: '20261126-00042', pattern: '\\d{8}-\\d{5}' }), null, { required: true }),
      noteField(),
    ], (f) => withNote(f, { into: need(f.elements.into.value.trim(), 'merge.need') }), { danger: true }));
  }
  if (role === 'command' && ['received', 'dispatched', 'signed', 'returned'].includes(s) && !tk.escalated) {
    blocks.push(actionBlock(tk, ctx, 'escalate', t('action.escalate'), [noteField()], (f) => withNote(f, {})));
  }
  if (!blocks.length) return section(t('ticket.actions'), h('p', { class: 'hint' }, t('ticket.no_actions')));
  return section(t('ticket.actions'), blocks);
}

function callbackBlock(tk, ctx) {
  const fields = [
    h('div', { class: 'check' }, h('input', { type: 'checkbox', name: 'unreachable', id: 'cb-unreach' }), h('label', { for: 'cb-unreach' }, t('callback.unreachable'))),
    radios(t('callback.resolved_q'), 'resolved', [{ value: 'yes', label: t('common.yes') }, { value: 'no', label: t('common.no') }], null),
    radios(t('callback.satisfaction_q'), 'satisfaction', SAT.map((v) => ({ value: v, label: t(`sat.${v}`), icon: SAT_ICON[v] })), null, { big: true }),
    noteField(),
  ];
  return actionBlock(tk, ctx, 'callback', t('action.callback'), fields, (f) => {
    if (f.elements.unreachable.checked) return withNote(f, { unreachable: true });
    const resolved = radioValue(f, 'resolved');
    const satisfaction = radioValue(f, 'satisfaction');
    if (!resolved || !satisfaction) throw new Error(t('callback.need'));
    return withNote(f, { resolved: resolved === 'yes', satisfaction });
  }, { open: true });
}
