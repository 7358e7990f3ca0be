// example.html in a headless Chromium against the stand-in server: the
// scripts of drive.mjs, and what the page must do besides (the token kept in
// sessionStorage only, a wrong token shown, Decline, a refused origin).
// Needs playwright-core (scripts/js-deps.sh) and Debian's chromium: without
// them the tests skip, unless CI is set, when they fail.
//
//   node --test api/js/test/page.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startStandIn, serveStatic } from './standin.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'page-test-token-5f1c';

let playwright = null;
try {
  playwright = await import('playwright-core');
} catch {
  // reported below
}
const missing = !playwright ? 'playwright-core is not installed (run scripts/js-deps.sh)' : !fs.existsSync(CHROMIUM) ? `no browser at ${CHROMIUM} (apt-get install chromium)` : '';
if (missing && process.env.CI) throw new Error(`page tests cannot run in CI: ${missing}`);
const skip = missing || false;

async function setup(t, opts = {}) {
  const site = await serveStatic(path.join(here, '..'));
  t.after(() => site.close());
  const api = await startStandIn({ token: TOKEN, allowedOrigins: [site.url], ...opts });
  t.after(() => api.close());
  return { api, page: `${site.url}/example.html` };
}

function drive(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'drive.mjs')], {
      env: { ...process.env, DRIVE_TIMEOUT_MS: '45000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let report;
      try {
        report = JSON.parse(out);
      } catch {
        reject(new Error(`drive.mjs exited ${code} with no JSON report:\n${out}\n${err}`));
        return;
      }
      resolve({ code, report, stderr: err });
    });
  });
}

function assertOrder(events, want) {
  let i = 0;
  for (const e of events) if (e === want[i]) i++;
  assert.equal(i, want.length, `events ${events.join(' ')} lack ${want.slice(i).join(' ')} in order`);
}

test('outgoing: dial, mute, unmute, hang up', { skip }, async (t) => {
  const { api, page } = await setup(t);
  const { code, report, stderr } = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: TOKEN, PAGE_URL: page, SCRIPT: 'outgoing', NUMBER: '0901234567' });
  assert.equal(code, 0, `${JSON.stringify(report, null, 2)}\n${stderr}`);
  assert.equal(report.pass, true);
  assertOrder(report.events, ['REGISTERED', 'OUTGOING_CALL', 'IN_CALL', 'MUTE', 'UNMUTE', 'CALL_END']);
  assert.deepEqual(report.consoleErrors, []);
  const dial = api.requests.find((r) => r.method === 'POST' && r.path === '/v1/calls');
  assert.equal(dial.body.to, '0901234567');
  assert.equal(dial.origin, new URL(page).origin);
  assert.equal(api.ended[0].cause.by, 'local');
  assert.ok(!JSON.stringify(report).includes(TOKEN), 'the report shows the token');
});

test('incoming: answer, the far end hangs up', { skip }, async (t) => {
  const { api, page } = await setup(t, { autoIncomingMs: 300, remoteHangupMs: 500 });
  const { code, report } = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: TOKEN, PAGE_URL: page, SCRIPT: 'incoming' });
  assert.equal(code, 0, JSON.stringify(report, null, 2));
  assertOrder(report.events, ['INCOMING_CALL', 'IN_CALL', 'CALL_END']);
  assert.equal(api.ended[0].cause.by, 'remote');
});

test('incoming: answer and hang up from the page', { skip }, async (t) => {
  const { api, page } = await setup(t, { autoIncomingMs: 300 });
  const { code, report } = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: TOKEN, PAGE_URL: page, SCRIPT: 'incoming', HANGUP: '1' });
  assert.equal(code, 0, JSON.stringify(report, null, 2));
  assert.equal(api.ended[0].cause.by, 'local');
});

test('drive.mjs fails and says why', { skip }, async (t) => {
  const { api, page } = await setup(t);
  const bad = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: 'wrong', PAGE_URL: page, SCRIPT: 'outgoing', NUMBER: '1002', DRIVE_TIMEOUT_MS: '6000' });
  assert.notEqual(bad.code, 0);
  assert.equal(bad.report.pass, false);
  assert.ok(bad.report.error, 'no error in the report');
  const refused = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: TOKEN, PAGE_URL: page, SCRIPT: 'outgoing', NUMBER: 'abc' });
  assert.equal(refused.code, 1);
  assert.match(refused.report.error, /failed command: .*call abc: .*\[422 invalid\]/);
  assert.ok(refused.report.durationMs < 30000, `took ${refused.report.durationMs} ms to fail`);
  const none = await drive({ RINGDESK_URL: api.url, RINGDESK_TOKEN: TOKEN, PAGE_URL: page, SCRIPT: 'nonsense' });
  assert.equal(none.code, 3);
  assert.match(none.report.error, /SCRIPT must be one of/);
});

test('the page: sessionStorage only, reload, wrong token, decline, refused origin', { skip }, async (t) => {
  const { api, page: pageURL } = await setup(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringdesk-page-test-'));
  const context = await playwright.chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // A wrong token: the page says so and stops trying.
  await page.goto(pageURL);
  await page.fill('#api-url', api.url);
  await page.fill('#api-token', 'wrong');
  await page.click('#connect-button');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /missing or wrong API token/);
  assert.equal(await page.getAttribute('#connection-state', 'data-state'), 'closed');

  // The right one: connected, kept in sessionStorage and nowhere else.
  await page.fill('#api-token', TOKEN);
  await page.click('#connect-button');
  await page.waitForSelector('#connection-state[data-state="open"]');
  await page.waitForSelector('#error', { state: 'hidden' });
  const storage = await page.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage }, cookie: document.cookie }));
  assert.equal(storage.session['ringdesk.apiToken'], TOKEN);
  assert.deepEqual(storage.local, {});
  assert.equal(storage.cookie, '');

  // A reload connects again from sessionStorage.
  await page.reload();
  await page.waitForSelector('#connection-state[data-state="open"]');
  await page.waitForSelector('#accounts li[data-account="main"][data-state="registered"]');

  // Decline rejects with 603.
  const id = api.incoming({ number: '0977805845', name: 'Jane Black' });
  await page.waitForSelector(`#incoming-card[data-call="${id}"]`, { state: 'visible' });
  assert.equal(await page.textContent('#incoming-number'), '0977805845');
  await page.click('#decline-button');
  await page.waitForSelector('#incoming-card', { state: 'hidden' });
  assert.equal(api.ended[0].cause.code, 603);

  // Hold, DTMF and transfer on an established call.
  const call = api.incoming({ number: '555' });
  await page.click('#answer-button');
  await page.waitForSelector(`#call-panel[data-call="${call}"][data-state="established"]`);
  await page.click('#hold-button');
  await page.waitForSelector('#hold-button[aria-pressed="true"]');
  await page.click('#hold-button');
  await page.waitForSelector('#hold-button[aria-pressed="false"]');
  await page.click('[data-testid="dtmf-5"]');
  await page.waitForSelector('#event-log li[data-event="DTMF"]');
  await page.fill('#transfer-to', '1003');
  await page.click('#transfer-button');
  await page.waitForSelector('#event-log li[data-event="TRANSFER"]');
  await page.waitForSelector('#call-panel', { state: 'hidden' });
  assert.deepEqual(pageErrors, []);

  // A page from an origin the API does not allow cannot connect.
  const other = await serveStatic(path.join(here, '..'));
  t.after(() => other.close());
  const before = api.requests.length;
  await page.goto(`${other.url}/example.html`);
  await page.fill('#api-url', api.url);
  await page.fill('#api-token', TOKEN);
  await page.click('#connect-button');
  await page.waitForFunction((n) => document.querySelectorAll('#event-log li.connection').length >= n, 1);
  assert.notEqual(await page.getAttribute('#connection-state', 'data-state'), 'open');
  const refused = api.requests.slice(before);
  assert.ok(refused.length > 0 && refused.every((r) => r.origin === other.url), 'the stand-in saw no request from the other origin');
});
