// ui.js - pieces every page uses: labels for the API's codes, deadline
// marks, tables that export to CSV, messages for screen readers.

import { h, uid, clear } from './dom.js';
import { t, has, fmtTime, fmtPct } from './i18n.js';
import { explain, apiDownload } from './api.js';

// ---- labels for the API's codes ----

export const TYPES = ['consult', 'help', 'complaint', 'report', 'suggestion'];
export const STATES = ['received', 'dispatched', 'signed', 'replied', 'closed', 'returned', 'merged'];
const OPEN = new Set(['received', 'dispatched', 'signed', 'returned']);

export const typeLabel = (code) => t(`type.${code}`);
export const stateLabel = (code) => t(`state.${code}`);
export const roleLabel = (code) => t(`role.${code}`);

/** A category by code: the table's name when it has one, else the server's. */
export function categoryLabel(cat) {
  if (!cat) return t('common.none');
  const code = typeof cat === 'string' ? cat : cat.code;
  if (has(`cat.${code}`)) return t(`cat.${code}`);
  return (typeof cat === 'object' && cat.name) || code;
}

export const fmtConfidence = (c) => (c === null || c === undefined ? t('common.none') : fmtPct(c));

export const unitLabel = (u) => (u ? u.name || u.code : t('common.none'));

// ---- deadlines ----

const DAY = 24 * 3600 * 1000;

/** The deadline that matters now: sign-for until signed, then resolution. */
export function currentDeadline(tk) {
  if (!OPEN.has(tk.state) || !tk.deadlines) return null;
  if (tk.state === 'dispatched' && !tk.signed_at) return tk.deadlines.sign_by;
  return tk.deadlines.resolve_by;
}

/** 'overdue', 'due-soon' (within a day), 'ok' or null for closed tickets. */
export function dueStatus(tk, now = Date.now()) {
  const dl = currentDeadline(tk);
  if (!dl) return null;
  const left = Date.parse(dl) - now;
  if (tk.overdue || left < 0) return 'overdue';
  if (left < DAY) return 'due-soon';
  return 'ok';
}

export function dueBadge(tk) {
  const s = dueStatus(tk);
  if (s === 'overdue') return h('span', { class: 'badge bad' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('due.overdue'));
  if (s === 'due-soon') return h('span', { class: 'badge warn' }, h('span', { 'aria-hidden': 'true' }, '⏰ '), t('due.soon'));
  return null;
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, stateLabel(state));
}

// ---- messages ----

/** Say msg to screen readers (and show it briefly). */
export function announce(msg) {
  const el = document.getElementById('live');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => { el.textContent = msg; }, 30);
}

export function errorBox(err) {
  return h('div', { class: 'msg error', role: 'alert' }, explain(err));
}

export function infoBox(text, kind = 'info') {
  return h('div', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Run fn with the button disabled; show an error in out (if given). */
export async function busy(button, fn, out) {
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  if (out) clear(out);
  try {
    return await fn();
  } catch (e) {
    if (out) out.append(errorBox(e));
    else announce(explain(e));
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
}

// ---- form fields ----

/** A labelled control; hint (optional) is tied to it for screen readers. */
export function field(label, control, hint, opts = {}) {
  if (!control.id) control.id = uid('f');
  const kids = [h('label', { for: control.id }, label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null)];
  if (opts.required) control.required = true;
  if (hint) {
    const hid = uid('hint');
    control.setAttribute('aria-describedby', hid);
    kids.push(h('p', { class: 'hint', id: hid }, hint));
  }
  kids.splice(1, 0, control);
  return h('div', { class: 'field' }, kids);
}

export function select(options, value, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) {
    // The selected attribute (not just the value) so a form reset keeps it.
    s.append(h('option', { value: o.value, selected: value !== undefined && value !== null && o.value === value }, o.label));
  }
  if (value !== undefined && value !== null) s.value = value;
  return s;
}

/** A group of radio buttons in a fieldset with a legend. */
export function radios(legend, name, options, value, opts = {}) {
  const fs = h('fieldset', { class: `radios ${opts.big ? 'big' : ''}` }, h('legend', {}, legend));
  for (const o of options) {
    const id = uid('r');
    fs.append(h('div', { class: 'radio' },
      h('input', { type: 'radio', id, name, value: o.value, checked: o.value === value, required: opts.required }),
      h('label', { for: id }, o.icon ? h('span', { class: 'icon', 'aria-hidden': 'true' }, o.icon) : null, o.label)));
  }
  return fs;
}

export function radioValue(form, name) {
  const el = form.querySelector(`input[name="${name}"]:checked`);
  return el ? el.value : null;
}

// ---- tables with CSV export ----

function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell a spreadsheet would read as a formula is kept as text.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text (UTF-8 with BOM, CRLF) of rows under columns. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.csv ? c.csv(r) : c.value(r))).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export function download(filename, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

/**
 * A table with a caption and an "export CSV" button, and an "export Excel"
 * button when xlsx names a server export ({path, query}).
 * columns: [{label, value(row) -> text, cell(row) -> node (optional),
 *            csv(row) (optional), num: bool}]
 */
export function dataTable({ caption, columns, rows, csvName, empty, className, xlsx }) {
  const table = h('table', { class: `data ${className || ''}` },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, columns.map((c, i) => {
      const content = c.cell ? c.cell(r) : c.value(r);
      return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.num ? 'num' : null, 'data-label': c.label }, content);
    }))) : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty || t('common.empty')))));
  const tools = h('div', { class: 'table-tools' });
  if (csvName) {
    tools.append(h('button', {
      type: 'button',
      class: 'small',
      onclick: () => {
        download(`${csvName}.csv`, toCsv(columns, rows));
        announce(t('csv.done', { name: `${csvName}.csv` }));
      },
    }, t('csv.export'), h('span', { class: 'sr-only' }, `: ${caption}`)));
  }
  if (xlsx) {
    const out = h('span', { class: 'export-status' });
    const btn = h('button', { type: 'button', class: 'small', dataset: { export: 'xlsx' } },
      t('xlsx.export'), h('span', { class: 'sr-only' }, `: ${caption}`));
    btn.addEventListener('click', () => busy(btn, async () => {
      const name = await apiDownload(xlsx.path, xlsx.query);
      announce(t('csv.done', { name }));
    }, out));
    tools.append(btn, out);
  }
  return h('div', { class: 'table-block' }, tools, h('div', { class: 'table-scroll' }, table));
}

/** The common columns of a ticket list. */
export function ticketColumns(opts = {}) {
  const cols = [
    { label: t('tk.number'), value: (r) => r.number, cell: (r) => h('a', { href: `#/ticket/${r.number}` }, r.number) },
    { label: t('tk.type'), value: (r) => typeLabel(r.type), cell: (r) => [typeLabel(r.type), r.urgent ? h('span', { class: 'badge bad' }, t('tk.urgent')) : null] },
    { label: t('tk.category'), value: (r) => categoryLabel(r.category) },
    { label: t('tk.text'), value: (r) => r.text, cell: (r) => h('span', { class: 'excerpt' }, r.text.length > 60 ? `${r.text.slice(0, 60)}…` : r.text) },
    { label: t('tk.place'), value: (r) => (r.location && r.location.grid ? r.location.grid.name : '') },
    { label: t('tk.handler'), value: (r) => (r.handler ? r.handler.name : '') },
    { label: t('tk.state'), value: (r) => stateLabel(r.state), cell: (r) => stateBadge(r.state) },
    {
      label: t('tk.deadline'),
      value: (r) => fmtTime(currentDeadline(r)),
      csv: (r) => currentDeadline(r) || '',
      cell: (r) => [h('span', { class: 'nowrap' }, fmtTime(currentDeadline(r))), ' ', dueBadge(r)],
    },
  ];
  if (opts.actions) cols.push({ label: t('common.actions'), value: () => '', csv: () => '', cell: opts.actions });
  return cols;
}

export function ticketTable(caption, items, csvName, opts = {}) {
  return dataTable({ caption, columns: ticketColumns(opts), rows: items, csvName, empty: opts.empty || t('tk.none'), className: 'cards', xlsx: opts.xlsx });
}

export function section(title, ...body) {
  const id = uid('s');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), body);
}
