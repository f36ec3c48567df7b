// dispatch.js - the dispatch form shared by intake, the queue and the
// ticket page: suggested category and handler, duplicate candidates (with
// merge), and one button that dispatches.

import { h, clear, append } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { api, apiAll, newKey } from '../api.js';
import { categories, dispatchTargets, countyOf } from '../units.js';
import { field, select, busy, announce, categoryLabel, stateBadge, fmtConfidence } from '../ui.js';

// Character bigrams: Chinese needs no word segmentation for a rough
// similarity, and the same works for other scripts.
function bigrams(s) {
  const clean = s.replace(/[\s\p{P}]/gu, '');
  const set = new Set();
  for (let i = 0; i + 1 < clean.length; i++) set.add(clean.slice(i, i + 2));
  return set;
}

export function similarity(a, b) {
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return 0;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

/**
 * Likely duplicates of tk: the server's candidates, then open tickets of
 * the same village in the last 30 days whose text is similar.
 */
export async function duplicateCandidates(tk) {
  const found = new Map();
  for (const d of (tk.suggestion && tk.suggestion.duplicates) || []) {
    const number = typeof d === 'string' ? d : d.number;
    if (number && number !== tk.number) found.set(number, { number, score: d.score || null, text: d.text || '' });
  }
  const grid = tk.location && tk.location.grid ? tk.location.grid.code : null;
  if (grid) {
    const from = new Date(Date.now() - 30 * 86400 * 1000).toISOString().slice(0, 10);
    const near = await apiAll('/tickets', { unit: grid.slice(0, 12), from }, 500);
    for (const o of near) {
      if (o.number === tk.number || !['received', 'dispatched', 'signed'].includes(o.state)) continue;
      const score = similarity(tk.text, o.text);
      if (score >= 0.25) found.set(o.number, { number: o.number, score, text: o.text, state: o.state, created_at: o.created_at });
    }
  }
  return [...found.values()].sort((a, b) => (b.score || 0) - (a.score || 0)).slice(0, 5);
}

export async function dispatchForm(tk, opts = {}) {
  const cats = await categories();
  const county = countyOf((tk.location && tk.location.grid && tk.location.grid.code) || (tk.lead && tk.lead.code) || '');
  const targets = county ? await dispatchTargets(county) : { townships: [], departments: [] };
  const sug = tk.suggestion || {};
  const sugHandler = sug.handler ? sug.handler.code : '';
  const sugCategory = sug.category || (tk.category ? tk.category.code : '');

  const handler = select([
    { value: '', label: t('dispatch.choose_handler') },
    ...targets.townships.map((u) => ({ value: u.code, label: `${t('dispatch.township')}: ${u.name}` })),
    ...targets.departments.map((u) => ({ value: u.code, label: `${t('dispatch.department')}: ${u.name}` })),
  ], (tk.handler && tk.state === 'returned' ? '' : sugHandler) || sugHandler, { name: 'handler' });
  const category = select([{ value: '', label: t('common.none') }, ...cats.map((c) => ({ value: c.code, label: `${c.code} ${categoryLabel(c)}` }))], sugCategory, { name: 'category' });
  const note = h('input', { type: 'text', name: 'note', maxlength: 500 });
  const out = h('div', { 'aria-live': 'polite' });
  const go = h('button', { type: 'submit', class: 'primary' }, t('dispatch.submit'));
  let idem = newKey();

  const facts = h('dl', { class: 'facts' },
    h('dt', {}, t('dispatch.suggested_category')), h('dd', { class: 'sug-category' }, sugCategory ? categoryLabel(sugCategory) : t('dispatch.no_suggestion')),
    h('dt', {}, t('dispatch.suggested_handler')), h('dd', { class: 'sug-handler' }, sug.handler ? sug.handler.name : t('dispatch.no_suggestion')),
    h('dt', {}, t('dispatch.confidence')), h('dd', { class: 'sug-confidence' }, fmtConfidence(sug.confidence),
      // Below the server's threshold the guess is only a hint.
      sug.operator_decides && sug.confidence !== null && sug.confidence !== undefined
        ? h('span', { class: 'badge' }, ` ${t('dispatch.operator_decides')}`) : null),
    ...(sug.type ? [h('dt', {}, t('dispatch.suggested_type')),
      h('dd', { class: 'sug-type' }, `${t(`type.${sug.type.type}`)} (${fmtConfidence(sug.type.confidence)})`)] : []));

  const dupList = h('div', { class: 'dups' });
  const dups = opts.duplicates || [];
  if (dups.length) {
    const ul = h('ul', {});
    for (const d of dups) {
      const mergeBtn = h('button', { type: 'button', class: 'small' }, t('dispatch.merge_into', { number: d.number }));
      mergeBtn.addEventListener('click', () => busy(mergeBtn, async () => {
        const after = await api('POST', `/tickets/${tk.number}/merge`, { body: { into: d.number }, idem: newKey() });
        announce(t('dispatch.merged', { number: tk.number, into: d.number }));
        if (opts.onDone) opts.onDone(after);
      }, out));
      append(ul, h('li', {},
        h('a', { href: `#/ticket/${d.number}` }, d.number), ' ',
        d.state ? stateBadge(d.state) : null, ' ',
        d.score ? h('span', { class: 'badge' }, t('dispatch.similar', { pct: Math.round(d.score * 100) })) : null,
        d.created_at ? ` ${fmtTime(d.created_at)}` : '',
        h('br'), h('span', { class: 'excerpt' }, d.text.length > 80 ? `${d.text.slice(0, 80)}…` : d.text), ' ',
        ['received', 'dispatched'].includes(tk.state) ? mergeBtn : null));
    }
    append(dupList, h('h3', {}, t('dispatch.duplicates', { n: dups.length })), ul);
  } else {
    append(dupList, h('p', { class: 'hint' }, t('dispatch.no_duplicates')));
  }

  const form = h('form', { class: 'dispatch', novalidate: true },
    facts, dupList,
    h('div', { class: 'inline' }, field(t('dispatch.handler'), handler), field(t('tk.category'), category)),
    field(t('common.note'), note),
    out,
    h('div', { class: 'actions' }, go));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    if (!handler.value) {
      append(out, h('div', { class: 'msg error', role: 'alert' }, t('dispatch.need_handler')));
      handler.focus();
      return;
    }
    const body = { handler: handler.value };
    if (category.value) body.category = category.value;
    if (note.value.trim()) body.note = note.value.trim();
    busy(go, async () => {
      const after = await api('POST', `/tickets/${tk.number}/dispatch`, { body, idem });
      idem = newKey();
      announce(t('intake.dispatched', { number: after.number, handler: after.handler ? after.handler.name : '' }));
      if (opts.onDone) opts.onDone(after);
    }, out);
  });
  return form;
}
