// main.js - the shell: language, session, role-aware navigation and the
// hash router (#/intake, #/ticket/20261126-00042, ...). Each page is a
// module under views/ exporting render(root, ctx), which may return a
// function to call when the page is left.

import { h, clear, append } from './dom.js';
import { initI18n, t, languageList, currentLanguage, setLanguage } from './i18n.js';
import { api, session, dropSession, onSessionExpired } from './api.js';
import { announce, roleLabel } from './ui.js';

// Pages: path, module, who may open it (null: anyone, even without login),
// and the navigation label. The first page of a role is its home.
const PAGES = [
  { path: 'login', load: () => import('./views/login.js'), roles: null },
  { path: 'intake', load: () => import('./views/intake.js'), roles: ['operator', 'command'], nav: 'nav.intake' },
  { path: 'queue', load: () => import('./views/queue.js'), roles: ['operator', 'command'], nav: 'nav.queue' },
  { path: 'callbacks', load: () => import('./views/callbacks.js'), roles: ['operator'], nav: 'nav.callbacks' },
  { path: 'inbox', load: () => import('./views/inbox.js'), roles: ['department', 'township', 'village'], nav: 'nav.inbox' },
  { path: 'grid', load: () => import('./views/grid.js'), roles: ['grid'], nav: 'nav.grid' },
  { path: 'dashboard', load: () => import('./views/dashboard.js'), roles: ['command', 'operator', 'admin'], nav: 'nav.dashboard' },
  { path: 'supervise', load: () => import('./views/supervise.js'), roles: ['command', 'operator'], nav: 'nav.supervise' },
  { path: 'search', load: () => import('./views/search.js'), roles: ['operator', 'command', 'department', 'township', 'village', 'grid', 'admin', 'auditor', 'resident'], nav: 'nav.search' },
  { path: 'audit', load: () => import('./views/audit.js'), roles: ['auditor', 'admin'], nav: 'nav.audit' },
  { path: 'access', load: () => import('./views/access.js'), roles: ['command', 'admin', 'department', 'township'], nav: 'nav.access' },
  { path: 'ticket', load: () => import('./views/ticket.js'), roles: ['operator', 'command', 'department', 'township', 'village', 'grid', 'admin', 'auditor', 'resident'] },
  { path: 'file', load: () => import('./views/file.js'), roles: null, nav: 'nav.file', public: true },
  { path: 'track', load: () => import('./views/track.js'), roles: null, nav: 'nav.track', public: true },
];

const HOME = {
  operator: 'intake',
  command: 'dashboard',
  department: 'inbox',
  township: 'inbox',
  village: 'inbox',
  grid: 'grid',
  admin: 'dashboard',
  auditor: 'audit',
  resident: 'file',
  provider: 'file',
};

let leave = null;
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, qs] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { path: parts[0] || '', params: parts.slice(1), query: new URLSearchParams(qs || '') };
}

export function go(path) {
  if (location.hash === `#/${path}`) route();
  else location.hash = `#/${path}`;
}

function allowed(page, account) {
  if (!page.roles) return true;
  return account && page.roles.includes(account.role);
}

function homeOf(account) {
  return account ? HOME[account.role] || 'search' : 'login';
}

function renderNav(account, active) {
  const nav = document.getElementById('nav');
  clear(nav);
  const list = h('ul', {});
  for (const p of PAGES) {
    if (!p.nav) continue;
    if (account ? !(p.roles ? p.roles.includes(account.role) : ['resident', 'provider'].includes(account.role)) : !p.public) continue;
    list.append(h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': p.path === active ? 'page' : null }, t(p.nav))));
  }
  if (!account) list.append(h('li', {}, h('a', { href: '#/login', 'aria-current': active === 'login' ? 'page' : null }, t('nav.login'))));
  nav.append(list);
  const who = document.getElementById('who');
  clear(who);
  const logout = document.getElementById('logout');
  if (account) {
    append(who, h('span', { class: 'who-name' }, account.username), ' · ', roleLabel(account.role),
      account.scope ? h('span', { class: 'who-scope' }, ` · ${account.scope.name || account.scope.code}`) : null);
    logout.hidden = false;
  } else {
    logout.hidden = true;
  }
}

async function route() {
  const seq = ++renderSeq;
  const { path, params, query } = parseHash();
  const s = session();
  const account = s ? s.account : null;
  let page = PAGES.find((p) => p.path === path);
  if (!page) {
    location.replace(`#/${homeOf(account)}`);
    return;
  }
  if (!allowed(page, account)) {
    location.replace(account ? `#/${homeOf(account)}` : `#/login?next=${encodeURIComponent(location.hash.slice(2))}`);
    return;
  }
  if (page.path === 'login' && account) {
    location.replace(`#/${homeOf(account)}`);
    return;
  }
  if (leave) {
    try { leave(); } catch (e) { /* a page's cleanup must not stop navigation */ }
    leave = null;
  }
  renderNav(account, page.path);
  const main = document.getElementById('main');
  clear(main);
  main.append(h('p', { class: 'loading' }, t('common.loading')));
  main.setAttribute('aria-busy', 'true');
  try {
    const mod = await page.load();
    if (seq !== renderSeq) return;
    clear(main);
    const ctx = { account, params, query, go, refresh: route };
    const cleanup = await mod.render(main, ctx);
    if (seq !== renderSeq) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    leave = typeof cleanup === 'function' ? cleanup : null;
  } catch (e) {
    if (seq !== renderSeq) return;
    clear(main);
    main.append(h('div', { class: 'msg error', role: 'alert' }, t('err.page'), ' ', String(e && e.message ? e.message : e)));
  } finally {
    if (seq === renderSeq) main.removeAttribute('aria-busy');
  }
  if (seq !== renderSeq) return;
  // Move focus to the page's heading so screen readers start there.
  const h1 = main.querySelector('h1');
  if (h1 && document.activeElement && !main.contains(document.activeElement)) {
    h1.setAttribute('tabindex', '-1');
    h1.focus({ preventScroll: false });
  }
  document.title = `${h1 ? `${h1.textContent} · ` : ''}${t('app.title')}`;
}

function renderLanguages() {
  const sel = document.getElementById('lang');
  clear(sel);
  for (const l of languageList()) sel.append(h('option', { value: l.code, lang: l.code }, l.name));
  sel.value = currentLanguage();
  sel.onchange = async () => {
    await setLanguage(sel.value);
    announce(t('lang.changed'));
    route();
  };
}

function netStatus() {
  const bar = document.getElementById('netbar');
  bar.hidden = navigator.onLine;
  bar.textContent = navigator.onLine ? '' : t('net.offline');
}

async function boot() {
  await initI18n();
  renderLanguages();
  document.getElementById('skip').addEventListener('click', (e) => {
    e.preventDefault();
    const main = document.getElementById('main');
    main.focus();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('DELETE', '/sessions/current'); } catch (e) { /* the session ends here anyway */ }
    dropSession();
    announce(t('login.bye'));
    go('login');
  });
  onSessionExpired(() => {
    dropSession();
    announce(t('login.expired'));
    location.hash = `#/login?expired=1&next=${encodeURIComponent(location.hash.slice(2))}`;
  });
  window.addEventListener('online', netStatus);
  window.addEventListener('offline', netStatus);
  netStatus();
  // A stored session is checked once; a phone without network keeps it.
  const s = session();
  if (s && navigator.onLine) {
    try {
      await api('GET', '/me');
    } catch (e) {
      if (!e.offline) dropSession();
    }
  }
  window.addEventListener('hashchange', route);
  await route();
  document.documentElement.classList.add('ready');
}

boot().catch((e) => {
  const main = document.getElementById('main');
  clear(main);
  main.append(h('div', { class: 'msg error', role: 'alert' }, `xietong: ${e.message}`));
});
