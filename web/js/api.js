// api.js - the only way the console talks to the server: JSON over
// /api/v1/ with the bearer token of the session. Every write may carry an
// Idempotency-Key, which the server honours: a repeat gets the first
// answer and changes nothing.

import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, field, message, offline = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.offline = offline;
  }

  /** Worth trying again later with the same key (network, overload, 5xx). */
  get transient() {
    return this.offline || this.status === 429 || this.status >= 500;
  }
}

const TOKEN = 'xt.token';
const ACCOUNT = 'xt.account';
let expiredHandler = null;

export function session() {
  const token = sessionStorage.getItem(TOKEN);
  const account = sessionStorage.getItem(ACCOUNT);
  return token && account ? { token, account: JSON.parse(account) } : null;
}

export function saveSession(token, account) {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(ACCOUNT, JSON.stringify(account));
}

export function dropSession() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(ACCOUNT);
}

export function onSessionExpired(fn) {
  expiredHandler = fn;
}

/** 32 hex digits from the system's random source (works without HTTPS). */
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function query(q) {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * api('POST', '/tickets', {body, idem, query}) answers the parsed JSON or
 * throws ApiError. A request that never reached the server throws with
 * offline set.
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const s = session();
  if (s && !opts.anonymous) headers.Authorization = `Bearer ${s.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idem) headers['Idempotency-Key'] = opts.idem;
  const url = new URL(`api/v1${path}${query(opts.query)}`, document.baseURI);
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'offline', null, t('err.offline'), true);
  }
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && s && !opts.anonymous && expiredHandler) expiredHandler();
    const code = e.code || `http_${res.status}`;
    throw new ApiError(res.status, code, e.field, e.message || t('err.http', { status: res.status }));
  }
  return data;
}

/**
 * Fetch a file from the export routes (apiDownload('/export/tickets.xlsx',
 * {status})) and save it under the name the server gives in
 * Content-Disposition (the UTF-8 filename* when present). Throws ApiError
 * like api().
 */
export async function apiDownload(path, q) {
  const headers = {};
  const s = session();
  if (s) headers.Authorization = `Bearer ${s.token}`;
  const url = new URL(`api/v1${path}${query(q)}`, document.baseURI);
  let res;
  try {
    res = await fetch(url, { headers, cache: 'no-store', credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'offline', null, t('err.offline'), true);
  }
  if (!res.ok) {
    let e = {};
    try {
      e = (await res.json()).error || {};
    } catch (x) {
      e = {};
    }
    if (res.status === 401 && s && expiredHandler) expiredHandler();
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.field, e.message || t('err.http', { status: res.status }));
  }
  const cd = res.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="([^"]+)"/i.exec(cd);
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : path.split('/').pop();
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(href); a.remove(); }, 1000);
  return name;
}

/** Every page of a list (items), up to max items. */
export async function apiAll(path, q, max = 5000) {
  const items = [];
  let cursor;
  do {
    const page = await api('GET', path, { query: { ...q, limit: 500, cursor } });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** A sentence for the person at the screen: translated kind, field, detail. */
export function explain(err) {
  if (!(err instanceof ApiError)) return t('err.unexpected', { message: String(err && err.message ? err.message : err) });
  if (err.offline) return t('err.offline');
  const kind = t(`err.${err.code}`) !== `err.${err.code}` ? t(`err.${err.code}`) : t('err.http', { status: err.status });
  const field = err.field ? ` (${err.field})` : '';
  return err.message ? `${kind}${field}: ${err.message}` : `${kind}${field}`;
}
