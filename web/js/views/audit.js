// audit.js - the auditor checks the audit log's hash chain.

import { h, clear, append } from '../dom.js';
import { t, fmtNum } from '../i18n.js';
import { api } from '../api.js';
import { busy, infoBox, section } from '../ui.js';

export async function render(root) {
  const out = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'primary' }, t('audit.verify'));
  btn.addEventListener('click', () => busy(btn, async () => {
    const r = await api('GET', '/audit/verify');
    append(clear(out), r.intact
      ? infoBox(t('audit.intact', { rows: fmtNum(r.rows) }), 'ok')
      : infoBox(t('audit.broken', { id: r.first_bad_id, rows: fmtNum(r.rows) }), 'error'));
  }, out));
  append(root, h('h1', {}, t('audit.title')), section(t('audit.chain'), h('p', {}, t('audit.lead')), h('div', { class: 'actions' }, btn), out));
}
