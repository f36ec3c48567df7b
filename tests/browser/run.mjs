// run.mjs - the browser tests: node tests/browser/run.mjs [BUILD_DIR]
//
// Starts xietong on a fresh demo data directory, drives Debian's chromium
// through every role's main path (tests.mjs), saves screenshots under
// docs/screenshots/, and ends with "N passed, M failed"; exits non-zero
// on any failure. A test that fails leaves a screenshot of its page in
// BUILD_DIR/browser-failures/.

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Harness } from './harness.mjs';
import { tests } from './tests.mjs';

const buildDir = process.argv[2] || 'build';
const only = process.env.XT_ONLY ? new RegExp(process.env.XT_ONLY) : null;
const h = new Harness(buildDir);
let passed = 0;
let failed = 0;
const t0 = Date.now();
try {
  await h.start();
  const state = {};
  for (const [name, fn] of tests) {
    if (only && !only.test(name)) continue;
    const t = Date.now();
    const before = { external: h.external.length, errors: h.pageErrors.length };
    try {
      await fn(h, state);
      if (h.external.length > before.external) throw new Error(`requests left the machine: ${h.external.slice(before.external).join(', ')}`);
      if (h.pageErrors.length > before.errors) throw new Error(`uncaught errors in the page: ${h.pageErrors.slice(before.errors).join(' | ')}`);
      passed++;
      console.log(`ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
      if (state.lastPage) {
        const file = join(resolve(buildDir), 'browser-failures', `${name.replace(/\W+/g, '-')}.png`);
        mkdirSync(dirname(file), { recursive: true });
        await state.lastPage.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`     screenshot: ${file}`);
      }
    }
  }
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e.stack || e}`);
} finally {
  await h.stop();
  if (h.serverExit !== undefined && h.serverExit !== 0) {
    failed++;
    console.log(`FAIL server: it did not stop cleanly (${h.serverExit})`);
  }
  if (failed && h.serverLog) console.log(`server output (last lines):\n${h.serverLog.slice(-3000)}`);
}
console.log(`browser tests took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
