// map.js - Leaflet without a tile server: the county may be offline, so
// maps draw the units' own outlines (GeoJSON polygons from the API) on a
// plain background. Leaflet is loaded on first use from web/vendor/.

import { loadScript, loadCss, h } from './dom.js';
import { t } from './i18n.js';

export async function loadLeaflet() {
  if (window.L) return window.L;
  loadCss('vendor/leaflet/leaflet.css');
  await loadScript('vendor/leaflet/leaflet.js');
  return window.L;
}

export async function loadEcharts() {
  if (window.echarts) return window.echarts;
  await loadScript('vendor/echarts/echarts.min.js');
  return window.echarts;
}

/** A note shown when the vendor files were not installed. */
export function vendorMissing() {
  return h('p', { class: 'msg warn', role: 'status' }, t('map.missing'));
}

/** A map in el with no tiles and no attribution links. */
export function makeMap(L, el) {
  const map = L.map(el, {
    attributionControl: false,
    zoomSnap: 0.25,
    // SVG: a few hundred shapes at most, and unlike the canvas renderer it
    // leaves no frame pending when the map is removed mid-draw.
    preferCanvas: false,
    keyboard: true,
    worldCopyJump: false,
    // No animations: old PCs draw faster, and a map removed while it
    // moves (the page changed) leaves no timer behind.
    zoomAnimation: false,
    fadeAnimation: false,
    markerZoomAnimation: false,
    inertia: false,
  });
  map.setView([35.5, 103.0], 9);
  return map;
}

/** Remove a map and its layers; safe on a map that is half drawn. */
export function destroyMap(map) {
  if (!map) return;
  try {
    map.eachLayer((l) => map.removeLayer(l));
    map.remove();
  } catch (e) {
    /* the page is going away anyway */
  }
}

/** A FeatureCollection of units that have a polygon. */
export function featuresOf(units) {
  return {
    type: 'FeatureCollection',
    features: units.filter((u) => u.polygon).map((u) => ({
      type: 'Feature',
      geometry: u.polygon,
      properties: { code: u.code, name: u.name, level: u.level },
    })),
  };
}

/** Colour ramp for counts (light to dark blue), colour-blind safe. */
const RAMP = ['#eff3ff', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
export function rampColour(value, max) {
  if (!value || !max) return '#ffffff';
  const i = Math.min(RAMP.length - 1, Math.floor((value / max) * (RAMP.length - 1) + 0.5));
  return RAMP[Math.max(1, i)];
}

export function legend(L, max, title) {
  const ctl = L.control({ position: 'bottomright' });
  ctl.onAdd = () => {
    const div = h('div', { class: 'legend' }, h('strong', {}, title), h('br'));
    const steps = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max));
    for (const s of [...new Set(steps)]) {
      div.append(h('i', { style: `background:${rampColour(s, max)}` }), `≥ ${s}`, h('br'));
    }
    return div;
  };
  return ctl;
}
