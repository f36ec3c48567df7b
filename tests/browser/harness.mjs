// harness.mjs - what the browser tests share: a fresh demo data directory,
// a real `xietong serve` on a free port of 127.0.0.1, Debian's chromium
// driven by playwright-core with every network route outside that server
// refused, and small helpers (API calls from node, login, screenshots).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = join(ROOT, 'docs/screenshots');
export const CHROMIUM = process.env.XT_CHROMIUM || '/usr/bin/chromium';

// Flags that keep Chromium off the network: no background services, no
// component updates, no QUIC probes; the sandbox needs a non-root user.
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only',
  '--no-default-browser-check', '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

export function assertEq(actual, expected, msg) {
  if (actual !== expected) throw new Error(`assertion failed: ${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Harness {
  constructor(buildDir) {
    this.bin = resolve(buildDir, 'xietong');
    this.tmp = mkdtempSync(join(tmpdir(), 'xt-browser-'));
    this.data = join(this.tmp, 'data');
    this.external = [];
    this.pageErrors = [];
    this.contexts = [];
  }

  async start() {
    if (!existsSync(this.bin)) throw new Error(`no server binary at ${this.bin} (build first)`);
    if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run sh scripts/web-deps.sh --browser`);
    if (!existsSync(join(ROOT, 'web/vendor/leaflet/leaflet.js'))) throw new Error('web/vendor/ is missing: run sh scripts/web-deps.sh');
    execFileSync(this.bin, ['demo', '--data', this.data, '--no-serve', '--tickets', '2000'], { cwd: ROOT, stdio: 'pipe' });
    this.logins = {};
    for (const line of readFileSync(join(this.data, 'demo-logins.txt'), 'utf8').split('\n')) {
      const [user, password, role, scope] = line.trim().split(/\s+/);
      if (user) this.logins[user] = { user, password, role, scope };
    }
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.server = spawn(this.bin, ['serve', '--data', this.data, '--port', String(this.port), '--web', join(ROOT, 'web')], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.serverLog = '';
    this.server.stdout.on('data', (d) => { this.serverLog += d; });
    this.server.stderr.on('data', (d) => { this.serverLog += d; });
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`${this.base}/api/v1/health`);
        if (r.ok) break;
      } catch (e) { /* not up yet */ }
      if (i > 100) throw new Error(`server did not start: ${this.serverLog}`);
      await sleep(100);
    }
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    mkdirSync(SHOTS, { recursive: true });
  }

  async stop() {
    for (const c of this.contexts) await c.close().catch(() => {});
    if (this.browser) await this.browser.close().catch(() => {});
    if (this.server) {
      // A clean stop exits 0; under ASan a leak or a memory error does not.
      this.serverExit = await new Promise((r) => {
        if (this.server.exitCode !== null || this.server.signalCode !== null) {
          r(this.server.exitCode ?? this.server.signalCode);
          return;
        }
        const timer = setTimeout(() => { this.server.kill('SIGKILL'); r('timeout'); }, 15000);
        this.server.once('exit', (code, signal) => { clearTimeout(timer); r(code ?? signal); });
        this.server.kill('SIGTERM');
      });
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** A browser context (a fresh profile) that may reach only our server. */
  async context(opts = {}) {
    const phone = opts.phone;
    const ctx = await this.browser.newContext({
      viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      isMobile: !!phone,
      hasTouch: !!phone,
      locale: opts.locale || 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      geolocation: opts.geolocation,
      permissions: opts.geolocation ? ['geolocation'] : [],
      acceptDownloads: true,
    });
    ctx.setDefaultTimeout(15000);
    await ctx.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(this.base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      this.external.push(url);
      return route.abort('blockedbyclient');
    });
    this.contexts.push(ctx);
    return ctx;
  }

  async page(ctx) {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => this.pageErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  /** Open a console route (#/...) and wait until the shell has drawn it. */
  async open(page, hash) {
    await page.goto(`${this.base}/${hash ? `#/${hash}` : ''}`);
    await page.waitForSelector('html.ready');
    await page.waitForFunction(() => !document.querySelector('main[aria-busy="true"]'));
  }

  async go(page, hash) {
    await page.evaluate((h) => { location.hash = `#/${h}`; }, hash);
    await page.waitForFunction((h) => location.hash.startsWith(`#/${h.split('?')[0]}`) && !document.querySelector('main[aria-busy="true"]') && !document.querySelector('main > p.loading'), hash);
  }

  /** Sign in through the login page as a demo account. */
  async login(page, user) {
    const a = this.logins[user];
    await this.open(page, 'login');
    await page.fill('input[name=username]', a.user);
    await page.fill('input[name=password]', a.password);
    await page.click('form button[type=submit]');
    await page.waitForFunction(() => !location.hash.startsWith('#/login'));
    await page.waitForFunction(() => !document.querySelector('main[aria-busy="true"]') && !document.querySelector('main > p.loading'));
  }

  async shot(page, name, opts = {}) {
    if (!opts.keepScroll) await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(opts.settle || 150);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: !!opts.fullPage });
  }

  // ---- the API from node (to check what the pages did) ----

  async token(user) {
    this.tokens = this.tokens || {};
    if (!this.tokens[user]) {
      const r = await this.api('POST', '/sessions', { username: user, password: this.logins[user].password });
      this.tokens[user] = r.token;
    }
    return this.tokens[user];
  }

  async api(method, path, body, user) {
    const headers = { 'Content-Type': 'application/json' };
    if (user) headers.Authorization = `Bearer ${await this.token(user)}`;
    const r = await fetch(`${this.base}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const j = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  }
}
