// i18n.js - every string the console shows comes from one table per
// language (web/i18n/<code>.json); web/i18n/languages.json lists the
// languages with their writing direction, so adding Tibetan (bo) or
// Uyghur (ug, right-to-left) is one table and one line there.

const FALLBACK = 'zh-CN';
let languages = [];
let table = {};
let fallback = {};
let current = FALLBACK;

async function fetchJson(path) {
  const res = await fetch(new URL(path, document.baseURI), { cache: 'no-cache' });
  if (!res.ok) throw new Error(`cannot load ${path}`);
  return res.json();
}

export async function initI18n() {
  languages = await fetchJson('i18n/languages.json');
  fallback = await fetchJson(`i18n/${FALLBACK}.json`);
  const fromUrl = new URLSearchParams(location.search).get('lang');
  let want = fromUrl || localStorage.getItem('xt.lang') || FALLBACK;
  if (!languages.some((l) => l.code === want)) want = FALLBACK;
  await setLanguage(want, false);
}

export function languageList() {
  return languages;
}

export function currentLanguage() {
  return current;
}

export async function setLanguage(code, remember = true) {
  const meta = languages.find((l) => l.code === code) || languages[0];
  table = meta.code === FALLBACK ? fallback : await fetchJson(`i18n/${meta.code}.json`);
  current = meta.code;
  document.documentElement.lang = meta.code;
  document.documentElement.dir = meta.dir || 'ltr';
  if (remember) localStorage.setItem('xt.lang', meta.code);
  applyStatic(document);
}

/** The string for key, with {name} placeholders filled from params. */
export function t(key, params) {
  let s = table[key];
  if (s === undefined) s = fallback[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

/** True when the table has the key (for optional labels like category names). */
export function has(key) {
  return table[key] !== undefined || fallback[key] !== undefined;
}

/** Fill elements marked data-i18n (text) and data-i18n-<attr> (attributes). */
export function applyStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
  document.title = t('app.title');
}

// ---- formatting ----

const TZ = 'Asia/Shanghai';

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: TZ,
  }).format(d);
}

export function fmtPct(x) {
  if (x === null || x === undefined) return '—';
  return new Intl.NumberFormat(current, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);
}

export function fmtNum(n) {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(current).format(n);
}

/** "YYYY-MM" of a date in China time. */
export function monthOf(date = new Date()) {
  const p = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit' }).formatToParts(date);
  const y = p.find((x) => x.type === 'year').value;
  const m = p.find((x) => x.type === 'month').value;
  return `${y}-${m}`;
}

export function addMonths(ym, delta) {
  let [y, m] = ym.split('-').map(Number);
  m += delta;
  while (m < 1) { m += 12; y -= 1; }
  while (m > 12) { m -= 12; y += 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
}
