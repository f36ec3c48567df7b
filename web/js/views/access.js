// access.js - access to public services (服务半径) for planners: every
// village (or grid) of the caller's area coloured by travel time to the
// nearest facility of a type, the facilities, population within and beyond
// the service standard, the places out of reach, and proposed sites for k
// new facilities. Drawn on a plain background (no tile server); every table
// exports to CSV. A generated road network (the demo region) is said so.

import { h, clear, append } from '../dom.js';
import { t, fmtNum } from '../i18n.js';
import { api } from '../api.js';
import { loadLeaflet, makeMap, destroyMap, vendorMissing } from '../map.js';
import { field, select, dataTable, section, infoBox, errorBox, busy } from '../ui.js';

const TYPES = ['primary_school', 'secondary_school', 'kindergarten', 'township_health_centre', 'village_clinic',
  'hospital', 'elderly_care', 'service_hall', 'cultural_station'];
// Travel-time bands, green to red (ColorBrewer RdYlGn), grey when not connected.
const BANDS = [['0-15', '#1a9850'], ['15-30', '#91cf60'], ['30-60', '#fee08b'], ['60-120', '#fc8d59'], ['>120', '#d73027'], ['unreachable', '#595959']];
const BAND_COLOUR = new Map(BANDS);

function minutes(v) {
  return v === null || v === undefined ? t('access.unreachable') : fmtNum(Math.round(v * 10) / 10);
}

export async function render(root, ctx) {
  let map = null;
  let siteLayer = null;
  let gen = 0;
  const q = ctx.query;
  const typeSel = select(TYPES.map((v) => ({ value: v, label: t(`access.type.${v}`) })), q.get('type') || 'township_health_centre', { name: 'type' });
  const modeSel = select([{ value: 'car', label: t('access.mode.car') }, { value: 'foot', label: t('access.mode.foot') }], q.get('mode') || 'car', { name: 'mode' });
  const levelSel = select([{ value: 'village', label: t('access.level.village') }, { value: 'grid', label: t('access.level.grid') }], q.get('level') || 'village', { name: 'level' });
  const controls = h('form', { class: 'card inline', role: 'search', 'aria-label': t('access.controls') },
    field(t('access.type'), typeSel), field(t('access.mode'), modeSel), field(t('access.level'), levelSel));
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
  controls.addEventListener('change', () => {
    const p = new URLSearchParams({ type: typeSel.value, mode: modeSel.value, level: levelSel.value });
    history.replaceState(null, '', `#/access?${p}`);
    draw();
  });
  controls.addEventListener('submit', (e) => e.preventDefault());
  append(root, h('h1', {}, t('access.title')), controls, body);

  function cleanup() {
    gen += 1;
    destroyMap(map);
    map = null;
    siteLayer = null;
  }

  async function draw() {
    cleanup();
    const mine = gen;
    clear(body);
    body.setAttribute('aria-busy', 'true');
    append(body, h('p', { class: 'loading' }, t('common.loading')));
    const query = { type: typeSel.value, mode: modeSel.value, level: levelSel.value };
    let travel;
    let cov;
    let bands;
    try {
      [travel, cov, bands] = await Promise.all([api('GET', '/access/travel', { query }), api('GET', '/access/coverage', { query }),
        api('GET', '/access/bands', { query })]);
    } catch (e) {
      if (mine !== gen) return;
      append(clear(body), errorBox(e));
      body.setAttribute('aria-busy', 'false');
      return;
    }
    if (mine !== gen) return;
    clear(body);
    body.setAttribute('aria-busy', 'false');
    const meta = travel.xietong;
    if (meta.generated_network) append(body, infoBox(t('access.generated'), 'warn'));
    const share = cov.population > 0 ? cov.population_within / cov.population : null;
    append(body, h('ul', { class: 'kpis', id: 'access-kpis' },
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('access.standard')), h('span', { class: 'v' }, `${fmtNum(meta.standard_minutes)} ${t('access.min')}`)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('access.within')), h('span', { class: 'v' }, fmtNum(cov.population_within)),
        h('span', { class: 'd' }, share === null ? '' : `${Math.round(share * 1000) / 10}%`)),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('access.beyond')), h('span', { class: 'v' }, fmtNum(cov.population_beyond))),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('access.out_places')), h('span', { class: 'v' }, fmtNum(cov.out_of_reach.length)))));

    // Map.
    const places = travel.features.filter((f) => f.properties.layer === 'place');
    const facilities = travel.features.filter((f) => f.properties.layer === 'facility');
    const mapEl = h('div', { class: 'map', id: 'access-map', role: 'img', 'aria-label': t('access.map_label', { n: places.length, f: facilities.length }) });
    const k = h('input', { type: 'number', name: 'k', min: 1, max: 50, value: 3 });
    const objective = select([{ value: 'mclp', label: t('access.objective.mclp') }, { value: 'pmedian', label: t('access.objective.pmedian') }], 'mclp', { name: 'objective' });
    const siteOut = h('div', { 'aria-live': 'polite' });
    const siteBtn = h('button', { type: 'submit' }, t('access.propose'));
    const siteForm = h('form', { class: 'inline', 'aria-label': t('access.sites') }, field(t('access.k'), k), field(t('access.objective'), objective), siteBtn);
    siteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(siteBtn, async () => {
        const res = await api('GET', '/access/sites', { query: { ...query, k: k.value, objective: objective.value } });
        if (mine !== gen) return;
        showSites(res, siteOut, mine);
      }, siteOut);
    });
    append(body, section(t('access.map'), mapEl, legendList(), siteForm, siteOut));

    // Tables.
    append(body, section(t('access.by_township'), dataTable({
      caption: t('access.by_township_caption', { type: t(`access.type.${query.type}`) }),
      columns: [
        { label: t('access.township'), value: (r) => r.township_name || r.township },
        { label: t('access.places'), value: (r) => r.places, num: true },
        { label: t('access.population'), value: (r) => r.population, num: true },
        { label: t('access.within'), value: (r) => r.population_within, num: true },
        { label: t('access.share'), value: (r) => `${r.share_within}%`, csv: (r) => r.share_within, num: true },
      ],
      rows: cov.by_township,
      csvName: `access-${query.type}-${query.mode}-townships`,
    })));
    append(body, section(t('access.out_of_reach'), dataTable({
      caption: t('access.out_caption', { min: meta.standard_minutes }),
      columns: [
        { label: t('access.place'), value: (r) => r.name },
        { label: t('access.code'), value: (r) => r.code },
        { label: t('access.population'), value: (r) => r.population, num: true },
        { label: t('access.minutes'), value: (r) => minutes(r.minutes), csv: (r) => (r.minutes === null ? '' : r.minutes), num: true },
        { label: t('access.vulnerable'), value: (r) => (r.vulnerable === null ? t('access.no_registry') : r.vulnerable), num: true },
      ],
      rows: cov.out_of_reach,
      csvName: `access-${query.type}-${query.mode}-out-of-reach`,
      empty: t('access.all_within'),
    })));

    let L;
    try {
      L = await loadLeaflet();
    } catch (e) {
      mapEl.replaceWith(vendorMissing());
      return;
    }
    if (mine !== gen || !mapEl.isConnected) return;
    map = makeMap(L, mapEl);
    // Roads first, coloured by the band of their slower end.
    L.geoJSON(bands, { style: (f) => ({ color: BAND_COLOUR.get(f.properties.band) || '#595959', weight: 2, opacity: 0.8 }), interactive: false }).addTo(map);
    const group = L.featureGroup().addTo(map);
    for (const f of places) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      L.circleMarker([lat, lon], { radius: 5, color: '#243447', weight: 1, fillColor: BAND_COLOUR.get(p.band) || '#595959', fillOpacity: 0.9 })
        .bindTooltip(`${p.name}: ${minutes(p.minutes)} ${t('access.min')}`).addTo(group);
    }
    for (const f of facilities) {
      const [lon, lat] = f.geometry.coordinates;
      L.circleMarker([lat, lon], { radius: 3, color: '#000000', weight: 2, fillColor: '#ffffff', fillOpacity: 1 })
        .bindTooltip(f.properties.name).addTo(group);
    }
    if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [8, 8], animate: false });
    mapEl.dataset.places = String(places.length);
    mapEl.dataset.facilities = String(facilities.length);
  }

  function legendList() {
    return h('ul', { class: 'legend-list' }, BANDS.map(([band, colour]) => h('li', {},
      h('i', { style: `background:${colour}`, 'aria-hidden': 'true' }), ' ', band === 'unreachable' ? t('access.unreachable') : `${band} ${t('access.min')}`)),
    h('li', {}, h('i', { class: 'fac', 'aria-hidden': 'true' }), ' ', t('access.facility')),
    h('li', {}, h('i', { class: 'site', 'aria-hidden': 'true' }), ' ', t('access.proposed')));
  }

  function showSites(res, out, mine) {
    const m = res.xietong;
    const summary = m.objective === 'mclp'
      ? t('access.sites_mclp', { before: fmtNum(m.population_within_before), after: fmtNum(m.population_within_after), gap: Math.round(m.gap_percent * 100) / 100 })
      : t('access.sites_pmedian', { before: fmtNum(m.mean_minutes_before), after: fmtNum(m.mean_minutes_after), gap: Math.round(m.gap_percent * 100) / 100 });
    append(clear(out), h('p', { id: 'access-sites-summary' }, summary), dataTable({
      caption: t('access.sites'),
      columns: [{ label: t('access.rank'), value: (r) => r.properties.rank, num: true }, { label: t('access.place'), value: (r) => r.properties.name },
        { label: t('access.code'), value: (r) => r.properties.code }],
      rows: res.features,
      csvName: `access-sites-${m.facility_type}`,
    }));
    if (!map || mine !== gen) return;
    const L = window.L;
    if (siteLayer) map.removeLayer(siteLayer);
    siteLayer = L.featureGroup().addTo(map);
    for (const f of res.features) {
      const [lon, lat] = f.geometry.coordinates;
      L.circleMarker([lat, lon], { radius: 10, color: '#6a0dad', weight: 3, fill: false })
        .bindTooltip(`${f.properties.rank}. ${f.properties.name}`).addTo(siteLayer);
    }
  }

  await draw();
  return cleanup;
}
