// grid.js - the grid worker's phone page (网格员): report what I found with
// the phone's location and a note, handled on the spot or not; my grid's
// tickets. Reports go through the outbox, so a weak network loses nothing
// and sends nothing twice.

import { h, clear, append } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { apiAll } from '../api.js';
import { Outbox } from '../outbox.js';
import { field, select, infoBox, announce, section, TYPES, typeLabel, ticketTable } from '../ui.js';

export async function render(root, ctx) {
  const grid = ctx.account.scope;
  const box = new Outbox(ctx.account.username);
  let point = null;

  // ---- report form ----
  const text = h('textarea', { name: 'text', rows: 4, maxlength: 2000 });
  const type = select(TYPES.map((v) => ({ value: v, label: typeLabel(v) })), 'help', { name: 'type' });
  const urgent = h('input', { type: 'checkbox', id: 'g-urgent', name: 'urgent' });
  const onSpot = h('input', { type: 'checkbox', id: 'g-onspot', name: 'on_spot' });
  const reply = h('textarea', { name: 'reply', rows: 2, maxlength: 1000 });
  const replyField = field(t('grid.on_spot_reply'), reply, t('grid.on_spot_hint'));
  replyField.hidden = true;
  onSpot.addEventListener('change', () => { replyField.hidden = !onSpot.checked; });
  const where = h('p', { class: 'hint', 'aria-live': 'polite' }, t('grid.where_grid', { grid: grid.name || grid.code }));
  const gpsBtn = h('button', { type: 'button' }, h('span', { 'aria-hidden': 'true' }, '📍 '), t('loc.use_gps'));
  gpsBtn.addEventListener('click', () => {
    if (!navigator.geolocation) { where.textContent = t('loc.gps_none'); return; }
    where.textContent = t('loc.gps_wait');
    navigator.geolocation.getCurrentPosition((pos) => {
      point = { lat: Number(pos.coords.latitude.toFixed(6)), lon: Number(pos.coords.longitude.toFixed(6)) };
      where.textContent = t('loc.point_gps', { where: `${point.lat.toFixed(5)}, ${point.lon.toFixed(5)}` })
        + (pos.coords.accuracy ? ` ±${Math.round(pos.coords.accuracy)} m` : '');
    }, () => { point = null; where.textContent = t('loc.gps_failed_grid', { grid: grid.name || grid.code }); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  const out = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('grid.submit'));
  const form = h('form', { novalidate: true },
    field(t('grid.text'), text, t('grid.text_hint'), { required: true }),
    h('div', { class: 'inline' }, field(t('tk.type'), type), h('div', { class: 'check field' }, urgent, h('label', { for: 'g-urgent' }, t('intake.urgent')))),
    h('div', { class: 'actions' }, gpsBtn), where,
    h('div', { class: 'check' }, onSpot, h('label', { for: 'g-onspot' }, t('grid.on_spot'))),
    replyField, out, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(out);
    if (!text.value.trim()) { append(out, infoBox(t('intake.need_text'), 'error')); text.focus(); return; }
    if (onSpot.checked && !reply.value.trim()) { append(out, infoBox(t('grid.need_reply'), 'error')); reply.focus(); return; }
    const body = { text: text.value.trim(), type: type.value, urgent: urgent.checked, channel: 'grid', location: point ? { ...point } : { unit: grid.code } };
    if (onSpot.checked) body.on_spot = { reply: reply.value.trim() };
    box.add('POST', '/tickets', body, text.value.trim().slice(0, 40));
    form.reset();
    replyField.hidden = true;
    point = null;
    where.textContent = t('grid.where_grid', { grid: grid.name || grid.code });
    append(out, infoBox(navigator.onLine ? t('grid.queued_online') : t('grid.queued_offline'), 'ok'));
    announce(navigator.onLine ? t('grid.queued_online') : t('grid.queued_offline'));
  });

  // ---- outbox ----
  const status = h('div', { class: 'status-line', id: 'outbox-status', 'aria-live': 'polite' });
  const pendingList = h('ul', { class: 'outbox', id: 'outbox-pending' });
  const sentList = h('ul', { class: 'outbox', id: 'outbox-sent' });
  const sendNow = h('button', { type: 'button', class: 'small', onclick: () => box.flush() }, t('grid.send_now'));

  function drawOutbox() {
    const items = box.items();
    const waiting = items.filter((x) => x.state !== 'failed').length;
    append(clear(status), 
      h('span', { class: `badge ${navigator.onLine ? 'ok' : 'warn'}` }, navigator.onLine ? t('net.online') : t('net.offline_short')),
      h('span', { class: 'queue-count' }, t('grid.waiting', { n: waiting })),
      waiting ? sendNow : null);
    clear(pendingList);
    for (const it of items) {
      const li = h('li', { class: `state-${it.state}` },
        h('strong', {}, it.label), h('br'),
        h('span', { class: 'hint' }, `${fmtTime(it.created)} · `, t(`outbox.${it.state}`),
          it.error && it.state !== 'failed' ? ` · ${it.error === 'login' ? t('outbox.need_login') : it.error === 'offline' ? t('net.offline_short') : it.error}` : ''));
      if (it.state === 'failed') {
        append(li, h('div', { class: 'msg error' }, t('outbox.refused', { why: it.error })));
        const acts = h('div', { class: 'actions' });
        if (it.body && it.body.location && it.body.location.lat !== undefined) {
          append(acts, h('button', { type: 'button', class: 'small primary', onclick: () => box.retryWith(it.id, { ...it.body, location: { unit: grid.code } }) }, t('outbox.retry_grid')));
        }
        append(acts, h('button', { type: 'button', class: 'small danger', onclick: () => box.remove(it.id) }, t('outbox.drop')));
        append(li, acts);
      }
      append(pendingList, li);
    }
    if (!items.length) append(pendingList, h('li', { class: 'hint' }, t('grid.nothing_waiting')));
    clear(sentList);
    for (const s of box.sent().slice(0, 5)) {
      append(sentList, h('li', {}, h('strong', {}, s.label), h('br'),
        h('span', { class: 'hint' }, `${fmtTime(s.at)} · `), s.number ? h('a', { href: `#/ticket/${s.number}` }, s.number) : t('outbox.sent')));
    }
  }
  box.subscribe(drawOutbox);
  const onNet = () => drawOutbox();
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);
  drawOutbox();
  box.flush();

  // ---- my grid's tickets (cached for offline reading) ----
  const list = h('div', { 'aria-live': 'polite' });
  const cacheKey = `xt.gridlist.${ctx.account.username}`;
  async function loadList() {
    let items;
    let asOf = null;
    try {
      items = await apiAll('/tickets', { unit: grid.code }, 200);
      localStorage.setItem(cacheKey, JSON.stringify({ at: new Date().toISOString(), items }));
    } catch (e) {
      const cached = JSON.parse(localStorage.getItem(cacheKey) || 'null');
      if (!cached) { append(clear(list), infoBox(t('grid.list_unavailable'), 'warn')); return; }
      items = cached.items;
      asOf = cached.at;
    }
    const open = items.filter((x) => ['received', 'dispatched', 'signed', 'returned', 'replied'].includes(x.state));
    append(clear(list), 
      asOf ? infoBox(t('grid.cached', { at: fmtTime(asOf) }), 'warn') : null,
      ticketTable(t('grid.open', { n: open.length }), open, 'grid-open'),
      h('details', {}, h('summary', {}, t('grid.closed', { n: items.length - open.length })),
        ticketTable(t('grid.closed', { n: items.length - open.length }), items.filter((x) => !open.includes(x)), 'grid-closed')));
  }
  loadList();
  let lastWaiting = box.items().length;
  const unsub = box.subscribe(() => {
    const n = box.items().length;
    if (n < lastWaiting) loadList();
    lastWaiting = n;
  });

  append(root, 
    h('h1', {}, t('grid.title')),
    h('p', { class: 'lead' }, grid.name || grid.code),
    section(t('grid.report'), form),
    section(t('grid.outbox'), status, pendingList, h('h3', {}, t('grid.sent')), sentList),
    section(t('grid.tickets'), list));
  return () => {
    unsub();
    box.close();
    window.removeEventListener('online', onNet);
    window.removeEventListener('offline', onNet);
  };
}
