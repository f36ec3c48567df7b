// tests.mjs - each role's main path in a real browser, in order: a
// resident files without an account, the operator takes a call and
// dispatches both, the township signs and replies, the resident and the
// operator call back, the dashboard's rates and ranking show it; the
// English switch; the grid worker's offline outbox; and the static rules
// of the console (one string table per language, no outside URLs).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, assert, assertEq } from './harness.mjs';

const TOWNSHIP = '622921100'; // 韩集镇, the demo township account's scope
const COUNTY = '622921'; // 临夏县
const VILLAGE = '622921100001'; // 韩集居委会
const stamp = Date.now().toString(36);

// ---- helpers ----

/** Every visible form control has a label; one h1; no sideways scrolling. */
async function checkPage(page, what) {
  const r = await page.evaluate(() => {
    const unlabelled = [];
    for (const el of document.querySelectorAll('main input, main select, main textarea, header select')) {
      if (el.type === 'hidden' || el.closest('[hidden]')) continue;
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!named) unlabelled.push(el.name || el.id || el.outerHTML.slice(0, 60));
    }
    const emptyButtons = [...document.querySelectorAll('button, a.button')].filter((b) => !b.hidden && !b.textContent.trim() && !b.getAttribute('aria-label')).length;
    return {
      unlabelled,
      emptyButtons,
      h1: document.querySelectorAll('main h1').length,
      lang: document.documentElement.lang,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    };
  });
  assertEq(r.unlabelled.length, 0, `${what}: controls without a label: ${r.unlabelled.join(', ')}`);
  assertEq(r.emptyButtons, 0, `${what}: buttons without text`);
  assertEq(r.h1, 1, `${what}: one h1`);
  assert(r.lang, `${what}: html lang set`);
  assert(r.overflow <= 1, `${what}: no horizontal scrolling (${r.overflow} px too wide)`);
}

async function selectLevel(page, depth, code) {
  const sel = page.locator(`select[name=level${depth}]`);
  await sel.locator(`option[value="${code}"]`).waitFor({ state: 'attached' });
  await sel.selectOption(code);
}

async function stateBadge(page, label) {
  await page.locator('main h1 .badge', { hasText: label }).first().waitFor();
}

function rowOf(page, tableSel, text) {
  return page.locator(`${tableSel} tbody tr`, { hasText: text });
}

function walk(dir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// ---- the tests ----

export const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test('static: one string table per language, all keys present, no outside URLs', async () => {
  const zh = JSON.parse(readFileSync(join(ROOT, 'web/i18n/zh-CN.json'), 'utf8'));
  const en = JSON.parse(readFileSync(join(ROOT, 'web/i18n/en.json'), 'utf8'));
  const langs = JSON.parse(readFileSync(join(ROOT, 'web/i18n/languages.json'), 'utf8'));
  assertEq(Object.keys(en).sort().join(','), Object.keys(zh).sort().join(','), 'en and zh-CN have the same keys');
  for (const l of langs) assert(['ltr', 'rtl'].includes(l.dir), `language ${l.code} has a direction`);
  const sources = walk(join(ROOT, 'web')).filter((p) => !p.includes('/vendor/') && /\.(js|css|html)$/.test(p));
  const cjk = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]/;
  for (const p of sources) {
    const text = readFileSync(p, 'utf8');
    if (p.endsWith('.js')) {
      const bad = text.split('\n').findIndex((line) => cjk.test(line.replace(/\/\/.*$/, '')));
      assert(bad < 0, `${p}:${bad + 1} has a Chinese string outside the tables`);
      for (const m of text.matchAll(/\bt\('([a-z_][\w.-]*)'/g)) assert(m[1] in zh, `${p}: key '${m[1]}' missing from the tables`);
    }
    assert(!/(https?:)?\/\/[a-z0-9-]+\.[a-z]{2,}\//i.test(text.replace(/\/\/ .*$/gm, '')), `${p} names an outside URL`);
  }
  for (const prefix of ['type.consult', 'state.merged', 'action.report-in', 'role.grid', 'sat.basically', 'result.unresolvable', 'track.state.returned']) {
    assert(prefix in zh && prefix in en, `key ${prefix}`);
  }
});

test('shell: login page, keyboard, role navigation for the operator', async (h, s) => {
  s.rankBefore = (await h.api('GET', `/metrics/ranking?level=township&unit=${COUNTY}`, null, 'command')).items.find((x) => x.unit.code === TOWNSHIP);
  const ctx = await h.context();
  const page = await h.page(ctx);
  s.lastPage = page;
  await h.open(page, '');
  await page.waitForFunction(() => location.hash.startsWith('#/login'));
  assertEq(await page.getAttribute('html', 'lang'), 'zh-CN', 'Chinese by default');
  assertEq(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea').id), 'skip', 'the skip link comes first');
  await page.focus('#skip');
  await page.keyboard.press('Enter');
  assertEq(await page.evaluate(() => document.activeElement.id), 'main', 'the skip link moves focus to the page');
  assertEq(await page.evaluate(() => location.hash.startsWith('#/login')), true, 'and leaves the route alone');
  await checkPage(page, 'login');
  await h.shot(page, 'login');
  // A wrong password is refused with a message, not a crash.
  await page.fill('input[name=username]', 'operator');
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('form button[type=submit]');
  await page.locator('.msg.error').waitFor();
  await h.login(page, 'operator');
  assert(page.url().endsWith('#/intake'), `operator lands on intake, not ${page.url()}`);
  const nav = await page.locator('#nav').innerText();
  for (const label of ['受理登记', '待派工单', '回访', '工单查询', '指挥看板']) assert(nav.includes(label), `operator nav has ${label}`);
  assert(!nav.includes('待办工单'), 'operator nav has no handler inbox');
  s.op = page;
});

test('resident files a request without an account (360 px phone)', async (h, s) => {
  const ctx = await h.context({ phone: true });
  const page = await h.page(ctx);
  s.lastPage = page;
  await h.open(page, 'file');
  s.residentText = `村口路灯坏了一个月，晚上出行不便（浏览器测试 ${stamp}）`;
  await page.fill('textarea[name=text]', s.residentText);
  await page.locator('fieldset.radios label', { hasText: '求助' }).click();
  await selectLevel(page, 0, COUNTY);
  await selectLevel(page, 1, TOWNSHIP);
  await selectLevel(page, 2, VILLAGE);
  await page.fill('input[name=address]', '村委会东侧路口');
  assertEq(await page.locator('main .msg.error').count(), 0, 'no error while choosing the place');
  await checkPage(page, 'file (phone)');
  await h.shot(page, 'resident-file-phone', { fullPage: true });
  await page.click('main form button[type=submit]');
  const number = (await page.locator('#filed-number').innerText()).trim();
  const code = (await page.locator('#filed-code').innerText()).replace(/\s/g, '');
  assert(/^\d{8}-\d{5}$/.test(number), `a ticket number (${number})`);
  assert(/^\d{10}$/.test(code), `a 10-digit tracking code (${code})`);
  await h.shot(page, 'resident-filed-phone');
  const tk = await h.api('GET', `/tickets/${number}`, null, 'operator');
  assertEq(tk.state, 'received', 'the ticket is received');
  assertEq(tk.channel, 'web', 'filed through the web');
  assertEq(tk.contact, null, 'anonymous: no contact');
  assert(tk.location.grid.code.startsWith(VILLAGE), 'located in the chosen village');
  assertEq(tk.location.address, '村委会东侧路口', 'the address is kept');
  s.resident = { number, code, page };
});

test('resident follows the request by number and code', async (h, s) => {
  const { page, number, code } = s.resident;
  s.lastPage = page;
  await h.go(page, 'track');
  await page.fill('input[name=number]', number);
  await page.fill('input[name=code]', '1234567890');
  await page.click('main form button[type=submit]');
  await page.locator('main .msg.error').waitFor();
  await page.fill('input[name=code]', `${code.slice(0, 5)} ${code.slice(5)}`);
  await page.click('main form button[type=submit]');
  await page.locator('#track-state', { hasText: '已受理' }).waitFor();
  const text = await page.locator('#track-view').innerText();
  assert(text.includes(s.residentText), 'the view shows the request');
  assert(!text.includes('演示居民') && !/1\d{10}/.test(text), 'no contact data in the public view');
  await checkPage(page, 'track (phone)');
  await h.shot(page, 'resident-track-phone', { fullPage: true });
});

test('operator intake: map point, suggestion shown before dispatch, dispatch in one action', async (h, s) => {
  const page = s.op;
  s.lastPage = page;
  await h.go(page, 'intake');
  s.opText = `小区楼道灯不亮，老人上下楼不安全（浏览器测试 ${stamp}）`;
  await page.fill('textarea[name=text]', s.opText);
  await page.selectOption('select[name=type]', 'complaint');
  await page.selectOption('select[name=category]', 'C01');
  await page.locator('.leaflet-container').waitFor();
  await selectLevel(page, 0, COUNTY);
  await selectLevel(page, 1, TOWNSHIP);
  await page.locator(`.map[data-showing="${TOWNSHIP}"]`).waitFor(); // the map shows the township's villages
  await page.waitForTimeout(300); // and has finished zooming
  const box = await page.locator('.leaflet-container').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('main p.hint', { hasText: '属于' }).waitFor();
  await page.fill('input[name=contact_name]', '张三');
  await page.fill('input[name=contact_phone]', '13900001234');
  await checkPage(page, 'intake');
  await h.shot(page, 'operator-intake');
  await page.click('main form[aria-labelledby=intake-h] button[type=submit]');
  await page.locator('#review h2').waitFor();
  const number = (await page.locator('#review h2').innerText()).match(/\d{8}-\d{5}/)[0];
  const sug = await page.locator('#review .sug-handler').innerText();
  assert(sug.includes('住房和城乡建设局'), `the suggested handler is the housing department (${sug})`);
  assert((await page.locator('#review .sug-category').innerText()).includes('城乡建设'), 'the suggested category');
  const chosen = await page.locator('#review select[name=handler]').inputValue();
  assert(/^622921D\d\d$/.test(chosen), `the suggestion (the county's department) is preselected (${chosen})`);
  await h.shot(page, 'operator-intake-review');
  await page.selectOption('#review select[name=handler]', TOWNSHIP);
  await page.click('#review form.dispatch button[type=submit]');
  await page.locator('#review .msg.ok', { hasText: '已派至' }).waitFor();
  const tk = await h.api('GET', `/tickets/${number}`, null, 'operator');
  assertEq(tk.state, 'dispatched', 'dispatched');
  assertEq(tk.handler.code, TOWNSHIP, 'to the chosen township');
  assertEq(tk.channel, 'hotline', 'a hotline ticket');
  assertEq(tk.contact.phone, '139****1234', 'the phone is stored, shown masked');
  assert(tk.location.lat !== null, 'the map point is kept');
  s.opNumber = number;
});

test('operator queue: the resident request is dispatched from the queue', async (h, s) => {
  const page = s.op;
  s.lastPage = page;
  await h.go(page, 'queue');
  const row = rowOf(page, 'main table', s.resident.number);
  await row.waitFor();
  await h.shot(page, 'operator-queue');
  await row.locator('a.button').click();
  await page.waitForFunction((n) => location.hash === `#/ticket/${n}`, s.resident.number);
  await page.locator('#act-dispatch select[name=handler]').waitFor();
  await page.selectOption('#act-dispatch select[name=handler]', TOWNSHIP);
  await page.click('#act-dispatch button[type=submit]');
  await stateBadge(page, '已派单');
  const tk = await h.api('GET', `/tickets/${s.resident.number}`, null, 'operator');
  assertEq(tk.state, 'dispatched', 'dispatched');
  assertEq(tk.handler.code, TOWNSHIP, 'to the township');
});

test('township: inbox sorted by deadline, sign and reply with the whole timeline', async (h, s) => {
  const ctx = await h.context();
  const page = await h.page(ctx);
  s.lastPage = page;
  await h.login(page, 'township');
  assert(page.url().endsWith('#/inbox'), 'the township lands on its inbox');
  const toSign = page.locator('main section').first();
  for (const n of [s.opNumber, s.resident.number]) await toSign.locator('tbody tr', { hasText: n }).waitFor();
  const numbers = await toSign.locator('tbody tr th a').allInnerTexts();
  let last = '';
  for (const n of numbers) {
    const tk = await h.api('GET', `/tickets/${n}`, null, 'township');
    const dl = tk.deadlines.sign_by;
    assert(dl >= last, `inbox sorted by deadline (${n} ${dl} after ${last})`);
    last = dl;
  }
  await checkPage(page, 'inbox');
  await h.shot(page, 'township-inbox');
  for (const number of [s.opNumber, s.resident.number]) {
    await h.go(page, `ticket/${number}`);
    await page.click('#act-sign button[type=submit]');
    await stateBadge(page, '已签收');
    await page.fill('#act-reply textarea[name=reply]', '已更换楼道和路口的灯泡，照明恢复正常。');
    await page.click('#act-reply button[type=submit]');
    await stateBadge(page, '已答复');
    const timeline = await page.locator('ol.timeline').innerText();
    for (const step of ['受理', '派单', '签收', '办结反馈']) assert(timeline.includes(step), `timeline shows ${step}`);
    const tk = await h.api('GET', `/tickets/${number}`, null, 'township');
    assertEq(tk.state, 'replied', 'replied');
    assertEq(tk.reply.result, 'resolved', 'resolved');
  }
  await checkPage(page, 'ticket');
  await h.shot(page, 'township-ticket', { fullPage: true });
});

test('resident confirms it was resolved and rates it at callback (phone)', async (h, s) => {
  const { page, number, code } = s.resident;
  s.lastPage = page;
  await h.go(page, `track?n=${number}&c=${code}`);
  await page.locator('#track-callback').waitFor();
  await page.locator('#track-callback label', { hasText: '是' }).click();
  await page.locator('#track-callback label', { hasText: /^😊?\s*满意$/ }).click();
  await h.shot(page, 'resident-callback-phone', { fullPage: true });
  await page.click('#track-callback button[type=submit]');
  await page.locator('#track-view .msg.ok', { hasText: '您的评价' }).waitFor();
  const tk = await h.api('GET', `/tickets/${number}`, null, 'operator');
  assertEq(tk.state, 'closed', 'closed by the requester');
  assertEq(tk.callback.resolved, true, 'resolved');
  assertEq(tk.callback.satisfaction, 'satisfied', 'satisfied');
});

test('operator calls back the hotline request', async (h, s) => {
  const page = s.op;
  s.lastPage = page;
  await h.go(page, 'callbacks');
  const row = rowOf(page, 'main table', s.opNumber);
  await row.waitFor();
  await row.locator('a.button').click();
  await page.locator('#act-callback[open]').waitFor();
  await page.locator('#act-callback label', { hasText: /^是$/ }).click();
  await page.locator('#act-callback label', { hasText: '基本满意' }).click();
  await h.shot(page, 'operator-callback');
  await page.click('#act-callback button[type=submit]');
  await stateBadge(page, '已办结');
  const tk = await h.api('GET', `/tickets/${s.opNumber}`, null, 'operator');
  assertEq(tk.callback.satisfaction, 'basically', 'basically satisfied');
});

test('command dashboard: rates, ranking with both requests, trends, map from unit outlines, CSV', async (h, s) => {
  const ctx = await h.context();
  const page = await h.page(ctx);
  s.lastPage = page;
  s.cmd = page;
  await h.login(page, 'command');
  assert(page.url().includes('#/dashboard'), 'command lands on the dashboard');
  await page.locator('#dash-map[data-areas]').waitFor();
  await page.selectOption('select[name=unit]', COUNTY);
  await page.locator('table.ranking caption', { hasText: '临夏县' }).waitFor();
  const after = (await h.api('GET', `/metrics/ranking?level=township&unit=${COUNTY}`, null, 'command')).items.find((x) => x.unit.code === TOWNSHIP);
  const before = s.rankBefore ? s.rankBefore.counts : { dispatched: 0, called_back: 0 };
  assertEq(after.counts.dispatched, before.dispatched + 2, 'two more dispatches to the township this month');
  assertEq(after.counts.called_back, before.called_back + 2, 'two more callbacks');
  const row = rowOf(page, 'table.ranking', '韩集镇');
  const cells = await row.locator('th, td').allInnerTexts();
  assertEq(cells[2], String(after.counts.dispatched), 'the ranking row shows the dispatches');
  assertEq(cells[0], String(after.rank), 'the ranking row shows the rank');
  const composite = cells[6];
  assertEq(composite.replace(/\s/g, ''), `${(after.composite * 100).toFixed(1)}%`, 'the ranking row shows the composite');
  const kpis = await page.locator('#kpis').innerText();
  for (const k of ['响应率', '解决率', '满意率', '综合得分']) assert(kpis.includes(k), `KPI ${k}`);
  await page.locator('#dash-map[data-areas]').waitFor();
  assert(Number(await page.getAttribute('#dash-map', 'data-areas')) >= 10, 'the county map draws its townships');
  assert(Number(await page.getAttribute('#dash-map', 'data-grids')) >= 1, 'the map marks grids with tickets');
  await page.locator('.chart canvas').first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.table-block', { has: page.locator('table.ranking') }).locator('button', { hasText: '导出 CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert(csv.startsWith('\ufeff名次,单位,派单量'), 'the CSV has the header');
  assert(csv.includes(`韩集镇,${after.counts.dispatched},`), 'the CSV has the township row');
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.table-block', { has: page.locator('table.ranking') }).locator('button', { hasText: '导出 Excel' }).click(),
  ]);
  assert(/^月度排名-622921-township-\d{4}-\d{2}\.xlsx$/.test(xlsx.suggestedFilename()), `the Excel file is named from the server (${xlsx.suggestedFilename()})`);
  assert(readFileSync(await xlsx.path()).subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')), 'the Excel file is a zip (XLSX)');
  await checkPage(page, 'dashboard');
  await h.shot(page, 'dashboard', { settle: 600 });
  await page.locator('#dash-map').scrollIntoViewIfNeeded();
  await page.locator('#dash-map').screenshot({ path: `${ROOT}/docs/screenshots/dashboard-map.png` });
  await page.locator('section', { has: page.locator('h2', { hasText: '月度趋势' }) }).screenshot({ path: `${ROOT}/docs/screenshots/dashboard-trends.png` });
});

test('English switch: the whole shell and page change, and the choice is kept', async (h, s) => {
  const page = s.cmd;
  s.lastPage = page;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.selectOption('#lang', 'en');
  await page.locator('main h1', { hasText: 'Command dashboard' }).waitFor();
  assertEq(await page.getAttribute('html', 'lang'), 'en', 'html lang');
  assertEq(await page.getAttribute('html', 'dir'), 'ltr', 'direction');
  const nav = await page.locator('#nav').innerText();
  for (const label of ['Dashboard', 'Supervision', 'Search']) assert(nav.includes(label), `English nav has ${label}`);
  await page.locator('table.ranking caption', { hasText: 'Ranking' }).waitFor();
  const kpis = await page.locator('#kpis').innerText();
  assert(kpis.includes('Response rate') && kpis.includes('Composite'), 'English rates');
  const main = await page.locator('main').innerText();
  for (const zh of ['响应率', '月度趋势', '派单量', '导出']) assert(!main.includes(zh), `no Chinese label '${zh}' left`);
  await h.shot(page, 'dashboard-en', { settle: 600 });
  await page.reload();
  await page.waitForSelector('html.ready');
  await page.locator('main h1', { hasText: 'Command dashboard' }).waitFor();
  await page.selectOption('#lang', 'zh-CN');
  await page.locator('main h1', { hasText: '指挥看板' }).waitFor();
});

test('grid worker: report offline with the phone location, sent exactly once when back online', async (h, s) => {
  const gridCode = h.logins.grid.scope;
  const grid = await h.api('GET', `/units/${gridCode}`, null, 'operator');
  const ctx = await h.context({ phone: true, geolocation: { latitude: grid.point.lat, longitude: grid.point.lon, accuracy: 20 } });
  const page = await h.page(ctx);
  s.lastPage = page;
  await h.login(page, 'grid');
  assert(page.url().endsWith('#/grid'), 'the grid worker lands on the grid page');
  await checkPage(page, 'grid (phone)');
  await h.shot(page, 'grid-phone', { fullPage: true });

  await ctx.setOffline(true);
  await page.locator('#outbox-status .badge', { hasText: '离线' }).waitFor();
  const text = `巷道里堆放的杂物堵住消防通道（浏览器测试 ${stamp}）`;
  await page.fill('textarea[name=text]', text);
  await page.locator('main button', { hasText: '使用手机定位' }).click();
  await page.locator('main p.hint', { hasText: '已定位' }).waitFor();
  await page.click('main form button[type=submit]');
  await page.locator('#outbox-status', { hasText: '待发送 1 条' }).waitFor();
  await page.locator('#outbox-pending li', { hasText: text.slice(0, 20) }).waitFor();
  const stored = await page.evaluate((u) => JSON.parse(localStorage.getItem(`xt.outbox.${u}`)), 'grid');
  assertEq(stored.length, 1, 'one report kept on the phone');
  assert(/^[0-9a-f]{32}$/.test(stored[0].id), 'with its idempotency key');
  const q = `/tickets?q=${encodeURIComponent(text)}`;
  assertEq((await h.api('GET', q, null, 'operator')).items.length, 0, 'nothing reached the server while offline');
  await h.shot(page, 'grid-offline-phone', { fullPage: true });

  // Back online, the first answer is lost on the way back: the server has
  // written the ticket but the phone does not know. The retry carries the
  // same key, so the server answers with the same ticket.
  let lost = null;
  await page.route('**/api/v1/tickets', async (route) => {
    if (route.request().method() === 'POST' && lost === null) {
      const resp = await route.fetch();
      lost = resp.status();
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });
  await ctx.setOffline(false);
  await page.locator('#outbox-sent a').first().waitFor({ timeout: 30000 });
  assertEq(lost, 201, 'the first try reached the server and created the ticket');
  const number = (await page.locator('#outbox-sent a').first().innerText()).trim();
  const found = (await h.api('GET', q, null, 'operator')).items;
  assertEq(found.length, 1, 'exactly one ticket on the server');
  assertEq(found[0].number, number, 'the one the phone shows');
  assertEq(found[0].channel, 'grid', 'reported by the grid');
  assertEq(found[0].location.grid.code, gridCode, 'located in the worker\'s grid by the phone');
  assertEq(await page.evaluate((u) => JSON.parse(localStorage.getItem(`xt.outbox.${u}`)).length, 'grid'), 0, 'the outbox is empty');
  await page.locator('main table tbody tr', { hasText: number }).waitFor();
  await h.shot(page, 'grid-sent-phone', { fullPage: true });
});

test('township blows the whistle, the department reports in, an extension is asked and approved', async (h, s) => {
  const created = await h.api('POST', '/tickets', {
    text: `河道垃圾堆积，需多部门联合清理（浏览器测试 ${stamp}）`, type: 'complaint', category: 'C05', location: { unit: VILLAGE },
  }, 'operator');
  const number = created.number;
  await h.api('POST', `/tickets/${number}/dispatch`, { handler: TOWNSHIP }, 'operator');
  const ctx = await h.context();
  const page = await h.page(ctx);
  s.lastPage = page;
  await h.login(page, 'township');
  await h.go(page, `ticket/${number}`);
  await page.click('#act-sign button[type=submit]');
  await stateBadge(page, '已签收');
  await page.locator('#act-whistle summary').click();
  await page.locator('#act-whistle label', { hasText: '住房和城乡建设局' }).click();
  await page.click('#act-whistle button[type=submit]');
  await page.locator('dl.facts dd', { hasText: '住房和城乡建设局' }).waitFor();
  await page.locator('#act-ask-extension summary').click();
  await page.fill('#act-ask-extension input[name=days]', '3');
  await page.fill('#act-ask-extension input[name=reason]', '需协调清运车辆');
  await page.click('#act-ask-extension button[type=submit]');
  await page.locator('dl.facts dt', { hasText: '延期待审批' }).waitFor();
  await h.shot(page, 'township-whistle', { fullPage: true });

  // The summoned department sees it in its inbox and reports in.
  const dctx = await h.context();
  const dpage = await h.page(dctx);
  s.lastPage = dpage;
  await h.login(dpage, 'department');
  const row = dpage.locator('main section', { hasText: '待报到' }).locator('tbody tr', { hasText: number });
  await row.waitFor();
  await row.locator('a').first().click();
  await dpage.fill('#act-report-in textarea[name=note]', '已派执法人员到现场');
  await dpage.click('#act-report-in button[type=submit]');
  await dpage.locator('dl.facts dd', { hasText: '已于' }).waitFor();

  // The command centre approves the extension from its supervision page.
  const before = await h.api('GET', `/tickets/${number}`, null, 'operator');
  const cpage = s.cmd;
  s.lastPage = cpage;
  await h.go(cpage, 'supervise');
  await cpage.locator('main tbody tr', { hasText: number }).locator('a.button').click();
  await cpage.locator('#act-decide-extension[open]').waitFor();
  await cpage.click('#act-decide-extension button[type=submit]');
  await cpage.locator('main h1').waitFor();
  await cpage.waitForFunction(() => !document.querySelector('#act-decide-extension'));
  const after = await h.api('GET', `/tickets/${number}`, null, 'operator');
  assertEq(after.extension_pending, null, 'the extension is decided');
  assert(after.deadlines.resolve_by > before.deadlines.resolve_by, 'the resolution deadline moved');
  assertEq(after.co_handlers.length, 1, 'one co-handling department');
  assert(after.co_handlers[0].reported_at, 'it has reported in');
  const tl = await h.api('GET', `/tickets/${number}/timeline`, null, 'operator');
  const actions = tl.events.map((e) => e.action);
  for (const a of ['whistle', 'ask-extension', 'report-in', 'decide-extension']) assert(actions.includes(a), `timeline has ${a}`);
});

test('every page of every role opens cleanly on a 360 px phone, also right-to-left', async (h, s) => {
  const roles = ['operator', 'command', 'department', 'township', 'village', 'grid', 'admin', 'auditor', 'resident'];
  for (const role of roles) {
    const ctx = await h.context({ phone: true });
    const page = await h.page(ctx);
    s.lastPage = page;
    await h.login(page, role);
    const links = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href').slice(2)));
    assert(links.length >= 1, `${role} has a navigation`);
    for (const link of links) {
      await h.go(page, link);
      await page.waitForTimeout(50);
      assertEq(await page.locator('main .msg.error').count(), 0, `${role} ${link}: no error on the page`);
      await checkPage(page, `${role} ${link}`);
    }
    // A right-to-left language mirrors the layout without breaking it.
    await page.evaluate(() => { document.documentElement.dir = 'rtl'; });
    await checkPage(page, `${role} rtl`);
    if (role === 'grid') await h.shot(page, 'grid-rtl-phone');
    await ctx.close();
  }
});
