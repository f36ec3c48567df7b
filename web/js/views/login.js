// login.js - staff sign in; residents are pointed to filing and tracking,
// which need no account.

import { h, append } from '../dom.js';
import { t } from '../i18n.js';
import { api, saveSession } from '../api.js';
import { field, busy, infoBox, announce } from '../ui.js';

export async function render(root, ctx) {
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('login.staff')),
    field(t('login.username'), user, null, { required: true }),
    field(t('login.password'), pass, null, { required: true }),
    out,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!user.value.trim() || !pass.value) {
      out.replaceChildren(infoBox(t('login.missing'), 'error'));
      (user.value.trim() ? pass : user).focus();
      return;
    }
    busy(submit, async () => {
      const r = await api('POST', '/sessions', { body: { username: user.value.trim(), password: pass.value }, anonymous: true });
      saveSession(r.token, r.account);
      announce(t('login.welcome', { name: r.account.username }));
      const next = ctx.query.get('next');
      ctx.go(next && !next.startsWith('login') ? next : '');
    }, out);
  });
  if (ctx.query.get('expired')) append(out, infoBox(t('login.expired'), 'warn'));
  append(root, 
    h('h1', {}, t('login.title')),
    h('p', { class: 'lead' }, t('login.lead')),
    h('div', { class: 'cols' },
      form,
      h('section', { class: 'card', 'aria-labelledby': 'res-h' },
        h('h2', { id: 'res-h' }, t('login.residents')),
        h('p', {}, t('login.residents_text')),
        h('div', { class: 'actions' },
          h('a', { class: 'button primary', href: '#/file' }, t('nav.file')),
          h('a', { class: 'button', href: '#/track' }, t('nav.track'))))));
  user.focus();
}
