// picker.js - where a request is: a point picked on the map or taken from
// the phone, or a unit chosen level by level, plus an optional address.

import { h, uid, clear, append } from './dom.js';
import { t } from './i18n.js';
import { explain } from './api.js';
import { children, places, lookup } from './units.js';
import { loadLeaflet, makeMap, destroyMap, featuresOf, vendorMissing } from './map.js';
import { field, select } from './ui.js';

/**
 * opts.root: the code whose children form the first list (staff), or null
 *            for the public place list (residents without an account);
 * opts.map: draw a map to click on (staff consoles);
 * opts.gps: offer "use my location".
 * Returns {el, value(), reset(), destroy()}; value() gives the API's
 * location object or null when nothing was chosen.
 */
export function locationPicker(opts) {
  const pub = !opts.root;
  let point = null;
  let map = null;
  let marker = null;
  let outlines = null;
  const levels = [];
  const cascade = h('div', { class: 'inline' });
  const pointLine = h('p', { class: 'hint', 'aria-live': 'polite' }, t('loc.no_point'));
  const address = h('input', { type: 'text', name: 'address', maxlength: 200, autocomplete: 'street-address' });
  const mapEl = h('div', { class: 'map small', role: 'application', 'aria-label': t('loc.map_label') });
  const clearBtn = h('button', { type: 'button', class: 'small', hidden: true, onclick: () => setPoint(null) }, t('loc.clear_point'));

  const listOf = (code) => (pub ? places(code) : children(code, !!opts.map));

  async function setPoint(p, how) {
    point = p;
    clearBtn.hidden = !p;
    if (marker) { marker.remove(); marker = null; }
    if (!p) {
      pointLine.textContent = t('loc.no_point');
      return;
    }
    if (map) marker = window.L.circleMarker([p.lat, p.lon], { radius: 8, color: '#a8071a', weight: 3, fillOpacity: 0.6 }).addTo(map);
    const where = `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`;
    pointLine.textContent = t(how === 'gps' ? 'loc.point_gps' : 'loc.point_map', { where });
    if (!pub) {
      try {
        const r = await lookup(p.lat, p.lon);
        if (point === p) pointLine.textContent = t('loc.point_in', { where, grid: r.grid ? r.grid.name : '' });
      } catch (e) {
        if (point === p) pointLine.textContent = `${t('loc.point_map', { where })} — ${explain(e)}`;
      }
    }
  }

  async function showOutlines(units, parent) {
    if (!map) return;
    const L = window.L;
    if (outlines) outlines.remove();
    const fc = featuresOf(units);
    if (!fc.features.length) return;
    outlines = L.geoJSON(fc, {
      style: { color: '#0b5cad', weight: 1.5, fillColor: '#9ecae1', fillOpacity: 0.15 },
      onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { sticky: true }),
    }).addTo(map);
    outlines.on('click', (e) => setPoint({ lat: e.latlng.lat, lon: e.latlng.lng }, 'map'));
    map.fitBounds(outlines.getBounds(), { padding: [8, 8], animate: false });
    mapEl.dataset.showing = parent || '';
  }

  async function addLevel(code, depth) {
    levels.splice(depth);
    while (cascade.children.length > depth) cascade.lastChild.remove();
    let items;
    try {
      items = (await listOf(code)).filter((u) => u.level !== 'department' && u.code !== code);
    } catch (e) {
      append(cascade, h('p', { class: 'msg error' }, explain(e)));
      return;
    }
    if (!items.length) return;
    const label = t(`loc.level.${items[0].level}`);
    const sel = select([{ value: '', label: t('loc.choose') }, ...items.map((u) => ({ value: u.code, label: u.name }))], '', { name: `level${depth}` });
    sel.addEventListener('change', async () => {
      levels.splice(depth + 1);
      while (cascade.children.length > depth + 1) cascade.lastChild.remove();
      levels[depth] = sel.value || null;
      // Residents name a village at most; staff may go down to the grid.
      if (sel.value && !(pub && sel.value.length >= 12)) {
        await addLevel(sel.value, depth + 1);
        if (map) {
          const kids = (await listOf(sel.value).catch(() => [])).filter((u) => u.code !== sel.value);
          if (kids.some((u) => u.polygon)) showOutlines(kids, sel.value);
        }
      }
    });
    append(cascade, field(label, sel));
    if (depth === 0 && map) showOutlines(items, code);
  }

  const parts = [];
  if (opts.map) parts.push(mapEl, h('div', { class: 'actions' }, pointLine, clearBtn));
  else parts.push(h('div', { class: 'actions' }, pointLine, clearBtn));
  if (opts.gps) {
    const gpsBtn = h('button', { type: 'button', class: 'small' }, h('span', { 'aria-hidden': 'true' }, '📍 '), t('loc.use_gps'));
    gpsBtn.addEventListener('click', () => {
      if (!navigator.geolocation) {
        pointLine.textContent = t('loc.gps_none');
        return;
      }
      pointLine.textContent = t('loc.gps_wait');
      navigator.geolocation.getCurrentPosition(
        (pos) => setPoint({ lat: pos.coords.latitude, lon: pos.coords.longitude }, 'gps'),
        () => { pointLine.textContent = t('loc.gps_failed'); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    parts.unshift(h('div', { class: 'actions' }, gpsBtn));
  }
  const legendId = uid('loc');
  const el = h('fieldset', { class: 'location', 'aria-describedby': legendId },
    h('legend', {}, t('loc.legend')),
    h('p', { class: 'hint', id: legendId }, t(opts.map ? 'loc.hint_map' : 'loc.hint')),
    parts,
    cascade,
    field(t('loc.address'), address, t('loc.address_hint')));

  (async () => {
    if (opts.map) {
      try {
        const L = await loadLeaflet();
        map = makeMap(L, mapEl);
        map.on('click', (e) => setPoint({ lat: e.latlng.lat, lon: e.latlng.lng }, 'map'));
      } catch (e) {
        mapEl.replaceWith(vendorMissing());
      }
    }
    await addLevel(opts.root || '', 0);
  })();

  return {
    el,
    value() {
      const loc = {};
      if (point) {
        loc.lat = Number(point.lat.toFixed(6));
        loc.lon = Number(point.lon.toFixed(6));
      } else {
        const chosen = levels.filter(Boolean);
        const last = chosen[chosen.length - 1];
        if (!last || last.length < 9) return null;
        loc.unit = last;
      }
      if (address.value.trim()) loc.address = address.value.trim();
      return loc;
    },
    reset() {
      setPoint(null);
      address.value = '';
    },
    focusTarget() {
      return cascade.querySelector('select') || address;
    },
    setPoint,
    destroy() {
      destroyMap(map);
      map = null;
    },
    clear: () => clear(cascade),
  };
}
