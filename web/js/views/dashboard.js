// dashboard.js - the command centre (县社会治理中心): the three rates and
// the composite, the monthly ranking, trends by month, counts by category
// and type, the overdue list, and a map of tickets by grid drawn on the
// units' own outlines (no tile server). Every table exports to CSV; every
// chart has its table beside it.

import { h, clear, append } from '../dom.js';
import { t, fmtPct, fmtNum, monthOf, addMonths, currentLanguage } from '../i18n.js';
import { api, apiAll } from '../api.js';
import { children, places } from '../units.js';
import { loadLeaflet, loadEcharts, makeMap, destroyMap, featuresOf, rampColour, legend, vendorMissing } from '../map.js';
import { field, select, dataTable, ticketTable, section, infoBox, errorBox, TYPES, typeLabel, categoryLabel } from '../ui.js';

const RATES = ['response', 'resolution', 'satisfaction', 'composite'];

function lastDay(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function rateColumns(withRank) {
  const cols = [];
  if (withRank) cols.push({ label: t('dash.rank'), value: (r) => r.rank, num: true });
  cols.push(
    { label: t('dash.unit'), value: (r) => r.unit.name || r.unit.code },
    { label: t('dash.dispatched'), value: (r) => r.counts.dispatched, num: true },
    ...RATES.map((k) => ({ label: t(`rate.${k}`), value: (r) => fmtPct(r[k]), csv: (r) => (r[k] === null ? '' : r[k]), num: true })),
    { label: t('rate.on_time'), value: (r) => fmtPct(r.on_time), csv: (r) => (r.on_time === null ? '' : r.on_time), num: true },
    { label: t('rate.return_rate'), value: (r) => fmtPct(r.return_rate), csv: (r) => (r.return_rate === null ? '' : r.return_rate), num: true },
  );
  return cols;
}

export async function render(root, ctx) {
  const scope = ctx.account.scope ? ctx.account.scope.code : '';
  const charts = [];
  let map = null;
  // Each drawing has a generation; work that finds a newer one stops, so a
  // slow answer never draws into a page that has moved on.
  let gen = 0;
  const cleanup = () => {
    gen += 1;
    for (const c of charts) c.dispose();
    charts.length = 0;
    destroyMap(map);
    map = null;
  };
  window.addEventListener('resize', onResize);
  function onResize() { for (const c of charts) c.resize(); }

  // Units to look at: the scope and, for a prefecture or province, its counties.
  // An account without a scope (the administrator) sees every prefecture
  // and county of the deployment.
  const units = [];
  if (scope) {
    const scopeUnit = await api('GET', `/units/${scope}`);
    units.push(scopeUnit);
    if (['province', 'city'].includes(scopeUnit.level)) units.push(...(await children(scope)).filter((u) => u.level === 'county'));
  } else {
    const counties = await places();
    const prefectures = await Promise.all([...new Set(counties.map((c) => c.code.slice(0, 4)))]
      .map((code) => api('GET', `/units/${code}`).catch(() => null)));
    units.push(...prefectures.filter(Boolean), ...counties);
  }
  if (!units.length) {
    append(root, h('h1', {}, t('dash.title')), infoBox(t('common.empty'), 'warn'));
    return undefined;
  }
  const unitSel = select(units.map((u) => ({ value: u.code, label: u.name })), ctx.query.get('unit') || units[0].code, { name: 'unit' });
  const period = h('input', { type: 'month', name: 'period', value: ctx.query.get('period') || monthOf(), max: monthOf() });
  const level = select([{ value: 'township', label: t('dash.level.township') }, { value: 'department', label: t('dash.level.department') }], ctx.query.get('level') || 'township', { name: 'level' });
  const body = h('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
  const controls = h('form', { class: 'card inline', role: 'search', 'aria-label': t('dash.controls') },
    field(t('dash.unit'), unitSel), field(t('dash.period'), period), field(t('dash.ranking_level'), level));
  controls.addEventListener('change', () => {
    const q = new URLSearchParams({ unit: unitSel.value, period: period.value || monthOf(), level: level.value });
    history.replaceState(null, '', `#/dashboard?${q}`);
    draw();
  });
  controls.addEventListener('submit', (e) => e.preventDefault());

  append(root, h('h1', {}, t('dash.title')), controls, body);

  async function draw() {
    cleanup();
    const mine = gen;
    clear(body);
    body.setAttribute('aria-busy', 'true');
    append(body, h('p', { class: 'loading' }, t('common.loading')));
    const unit = unitSel.value;
    const ym = /^\d{4}-\d{2}$/.test(period.value) ? period.value : monthOf();
    const months = Array.from({ length: 6 }, (_, i) => addMonths(ym, i - 5));
    let rates;
    let ranking;
    let trend;
    let tickets;
    let overdue;
    try {
      [rates, ranking, trend, tickets, overdue] = await Promise.all([
        api('GET', '/metrics/rates', { query: { unit, period: ym } }),
        api('GET', '/metrics/ranking', { query: { level: level.value, unit, period: ym } }),
        Promise.all(months.map((m) => api('GET', '/metrics/rates', { query: { unit, period: m } }))),
        apiAll('/tickets', { unit, from: `${ym}-01`, to: lastDay(ym) }, 20000),
        apiAll('/tickets', { unit, overdue: 'true' }, 2000),
      ]);
    } catch (e) {
      if (mine !== gen) return;
      append(clear(body), errorBox(e));
      body.setAttribute('aria-busy', 'false');
      return;
    }
    if (mine !== gen) return;
    clear(body);
    const uname = unitSel.options[unitSel.selectedIndex].text;

    // Rates.
    append(body, h('ul', { class: 'kpis', id: 'kpis' },
      RATES.map((k) => h('li', { class: 'kpi', dataset: { rate: k } }, h('span', { class: 'k' }, t(`rate.${k}`)), h('span', { class: 'v' }, fmtPct(rates[k])),
        h('span', { class: 'd' }, t(`rate.${k}_def`)))),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('dash.dispatched')), h('span', { class: 'v' }, fmtNum(rates.counts.dispatched)), h('span', { class: 'd' }, t('dash.period_is', { period: ym }))),
      h('li', { class: 'kpi' }, h('span', { class: 'k' }, t('dash.overdue_now')), h('span', { class: 'v' }, fmtNum(overdue.length)))));

    // Ranking.
    append(body, section(t('dash.ranking', { level: t(`dash.level.${level.value}`), period: ym }),
      dataTable({ caption: t('dash.ranking_caption', { unit: uname, period: ym }), columns: rateColumns(true), rows: ranking.items, csvName: `ranking-${level.value}-${unit}-${ym}`, className: 'ranking',
        xlsx: { path: '/export/ranking.xlsx', query: { kind: level.value, unit, period: ym, lang: document.documentElement.lang === 'en' ? 'en' : undefined } } })));

    // Map and counts by area.
    const mapSection = section(t('dash.map'), h('p', { class: 'hint' }, t('dash.map_hint')));
    append(body, mapSection);

    // Trends.
    const trendCols = [{ label: t('dash.month'), value: (r) => r.period }, { label: t('dash.dispatched'), value: (r) => r.counts.dispatched, num: true },
      ...RATES.map((k) => ({ label: t(`rate.${k}`), value: (r) => fmtPct(r[k]), csv: (r) => (r[k] === null ? '' : r[k]), num: true }))];
    const trendChart = h('div', { class: 'chart', role: 'img', 'aria-label': t('dash.trend_chart', { unit: uname }) });
    append(body, section(t('dash.trends'), trendChart,
      dataTable({ caption: t('dash.trend_caption', { unit: uname }), columns: trendCols, rows: trend, csvName: `trend-${unit}-${months[0]}-${ym}` })));

    // Counts by category and type.
    const byCat = new Map();
    const byType = new Map(TYPES.map((x) => [x, 0]));
    for (const tk of tickets) {
      const key = tk.category ? tk.category.code : '';
      const cur = byCat.get(key) || { category: tk.category, n: 0, open: 0 };
      cur.n += 1;
      if (['received', 'dispatched', 'signed', 'returned'].includes(tk.state)) cur.open += 1;
      byCat.set(key, cur);
      byType.set(tk.type, (byType.get(tk.type) || 0) + 1);
    }
    const catRows = [...byCat.values()].sort((a, b) => b.n - a.n);
    const typeRows = [...byType.entries()].map(([type, n]) => ({ type, n }));
    const catChart = h('div', { class: 'chart', role: 'img', 'aria-label': t('dash.by_category') });
    const typeChart = h('div', { class: 'chart', role: 'img', 'aria-label': t('dash.by_type') });
    append(body, h('div', { class: 'cols' },
      section(t('dash.by_category'), catChart, dataTable({
        caption: t('dash.by_category_caption', { period: ym, n: tickets.length }),
        columns: [{ label: t('tk.category'), value: (r) => (r.category ? categoryLabel(r.category) : t('common.none')) }, { label: t('dash.count'), value: (r) => r.n, num: true }, { label: t('dash.open'), value: (r) => r.open, num: true }],
        rows: catRows, csvName: `categories-${unit}-${ym}`,
      })),
      section(t('dash.by_type'), typeChart, dataTable({
        caption: t('dash.by_type_caption', { period: ym, n: tickets.length }),
        columns: [{ label: t('tk.type'), value: (r) => typeLabel(r.type) }, { label: t('dash.count'), value: (r) => r.n, num: true }],
        rows: typeRows, csvName: `types-${unit}-${ym}`,
      }))));

    // Overdue list.
    append(body, section(t('dash.overdue', { n: overdue.length }), ticketTable(t('dash.overdue', { n: overdue.length }), overdue, `overdue-${unit}`)));
    body.setAttribute('aria-busy', 'false');

    drawMap(mapSection, unit, tickets, ym, mine);
    drawCharts(trend, catRows, typeRows, { trendChart, catChart, typeChart }, mine);
  }

  async function drawMap(sec, unit, tickets, ym, mine) {
    const areas = (await children(unit, true).catch(() => [])).filter((u) => u.level !== 'department' && u.code !== unit);
    if (mine !== gen) return;
    const depth = areas.length ? areas[0].code.length : unit.length + 3;
    const byArea = new Map(areas.map((a) => [a.code, { unit: a, n: 0, open: 0, overdue: 0 }]));
    const byGrid = new Map();
    for (const tk of tickets) {
      const g = tk.location && tk.location.grid;
      if (!g) continue;
      const a = byArea.get(g.code.slice(0, depth));
      if (a) {
        a.n += 1;
        if (['received', 'dispatched', 'signed', 'returned'].includes(tk.state)) a.open += 1;
        if (tk.overdue) a.overdue += 1;
      }
      if (tk.location.lat !== null && tk.location.lat !== undefined) {
        const cur = byGrid.get(g.code) || { name: g.name, n: 0, lat: 0, lon: 0 };
        cur.n += 1;
        cur.lat += tk.location.lat;
        cur.lon += tk.location.lon;
        byGrid.set(g.code, cur);
      }
    }
    const rows = [...byArea.values()].sort((a, b) => b.n - a.n);
    const mapEl = h('div', { class: 'map', id: 'dash-map', role: 'img', 'aria-label': t('dash.map_label', { n: tickets.length }) });
    append(sec, mapEl, dataTable({
      caption: t('dash.by_area_caption', { period: ym }),
      columns: [{ label: t('dash.area'), value: (r) => r.unit.name }, { label: t('dash.count'), value: (r) => r.n, num: true },
        { label: t('dash.open'), value: (r) => r.open, num: true }, { label: t('due.overdue'), value: (r) => r.overdue, num: true }],
      rows, csvName: `areas-${unit}-${ym}`,
    }));
    let L;
    try {
      L = await loadLeaflet();
    } catch (e) {
      mapEl.replaceWith(vendorMissing());
      return;
    }
    if (mine !== gen || !mapEl.isConnected) return;
    map = makeMap(L, mapEl);
    const max = Math.max(1, ...rows.map((r) => r.n));
    const layer = L.geoJSON(featuresOf(areas), {
      style: (f) => ({ color: '#243447', weight: 1, fillColor: rampColour(byArea.get(f.properties.code).n, max), fillOpacity: 0.75 }),
      onEachFeature: (f, l) => l.bindTooltip(`${f.properties.name}: ${byArea.get(f.properties.code).n}`, { sticky: true }),
    }).addTo(map);
    const gmax = Math.max(1, ...[...byGrid.values()].map((g) => g.n));
    for (const [code, g] of byGrid) {
      L.circleMarker([g.lat / g.n, g.lon / g.n], { radius: 3 + 9 * Math.sqrt(g.n / gmax), color: '#a8071a', weight: 1, fillColor: '#a8071a', fillOpacity: 0.5 })
        .bindTooltip(`${g.name} (${code}): ${g.n}`).addTo(map);
    }
    legend(L, max, t('dash.count')).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
    mapEl.dataset.areas = String(layer.getLayers().length);
    mapEl.dataset.grids = String(byGrid.size);
  }

  async function drawCharts(trend, catRows, typeRows, els, mine) {
    let echarts;
    try {
      echarts = await loadEcharts();
    } catch (e) {
      els.trendChart.replaceWith(vendorMissing());
      els.catChart.remove();
      els.typeChart.remove();
      return;
    }
    if (mine !== gen || !els.trendChart.isConnected) return;
    const base = { animation: false, textStyle: { fontFamily: getComputedStyle(document.body).fontFamily }, tooltip: { trigger: 'axis' }, grid: { left: 48, right: 16, top: 40, bottom: 40, containLabel: true } };
    const rtl = document.documentElement.dir === 'rtl';
    const c1 = echarts.init(els.trendChart, null, { renderer: 'canvas', locale: currentLanguage() === 'en' ? 'EN' : 'ZH' });
    c1.setOption({
      ...base,
      legend: { top: 0 },
      xAxis: { type: 'category', data: trend.map((r) => r.period), inverse: rtl },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` }, position: rtl ? 'right' : 'left' },
      series: RATES.map((k) => ({ name: t(`rate.${k}`), type: 'line', data: trend.map((r) => r[k]), connectNulls: true, lineStyle: { width: k === 'composite' ? 3 : 2 } })),
    });
    const c2 = echarts.init(els.catChart, null, { renderer: 'canvas' });
    c2.setOption({
      ...base,
      xAxis: { type: 'value', inverse: rtl },
      yAxis: { type: 'category', data: catRows.map((r) => (r.category ? categoryLabel(r.category) : t('common.none'))).reverse(), position: rtl ? 'right' : 'left' },
      series: [{ type: 'bar', name: t('dash.count'), data: catRows.map((r) => r.n).reverse(), itemStyle: { color: '#0b5cad' } }],
    });
    const c3 = echarts.init(els.typeChart, null, { renderer: 'canvas' });
    c3.setOption({
      ...base,
      xAxis: { type: 'category', data: typeRows.map((r) => typeLabel(r.type)), inverse: rtl },
      yAxis: { type: 'value', position: rtl ? 'right' : 'left' },
      series: [{ type: 'bar', name: t('dash.count'), data: typeRows.map((r) => r.n), itemStyle: { color: '#3182bd' } }],
    });
    charts.push(c1, c2, c3);
  }

  await draw();
  return () => {
    window.removeEventListener('resize', onResize);
    cleanup();
  };
}
