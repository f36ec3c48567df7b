// units.js - the unit tree and reference lists, fetched once per page load.

import { api } from './api.js';

const cache = new Map();

function once(key, fn) {
  if (!cache.has(key)) cache.set(key, fn().catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}

/** A unit with its polygon (staff). */
export const unit = (code) => once(`u:${code}`, () => api('GET', `/units/${code}`));

/** The children of a unit, each with its polygon when polygons is true (staff). */
export const children = (code, polygons = false) =>
  once(`c:${code}:${polygons}`, () => api('GET', `/units/${code}/children`, { query: polygons ? { polygons: 'true' } : undefined }).then((r) => r.children));

/** Place names for residents without an account: the counties, or the children of one. */
export const places = (code, level) => once(`p:${code || ''}:${level || ''}`, () => api('GET', code ? `/places/${code}` : '/places', { anonymous: true, query: level ? { level } : undefined }).then((r) => r.items));

/** A county's departments (public names; a township summons them). */
export const departmentsOf = (county) => places(county, 'department');

export const categories = () => once('cats', () => api('GET', '/categories', { anonymous: true }).then((r) => r.items));

export const lookup = (lat, lon) => api('GET', '/units/lookup', { query: { lat: lat.toFixed(6), lon: lon.toFixed(6) } });

/** Codes: 2+2+2+3+3(+3) digits; departments are county code + D + 2. */
export function levelOf(code) {
  if (/D\d+$/.test(code)) return 'department';
  return { 2: 'province', 4: 'city', 6: 'county', 9: 'township', 12: 'village', 15: 'grid' }[code.length] || 'unknown';
}

export const countyOf = (code) => (code && code.length >= 6 ? code.slice(0, 6) : null);
export const townshipOf = (code) => (code && code.length >= 9 && !/D/.test(code) ? code.slice(0, 9) : null);

/** Dispatch targets for a ticket in a county: its townships and departments. */
export async function dispatchTargets(county) {
  const kids = await children(county);
  return {
    townships: kids.filter((u) => u.level === 'township'),
    departments: kids.filter((u) => u.level === 'department'),
  };
}
