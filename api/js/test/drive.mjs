#!/usr/bin/env node
// drive.mjs: a headless Chromium plays a CRM user on example.html, which
// drives Ringdesk's local API with ringdesk.js, and reports what the page's
// event log showed.
//
//   RINGDESK_URL=http://127.0.0.1:5478 RINGDESK_TOKEN=... \
//   PAGE_URL=http://127.0.0.1:8000/example.html SCRIPT=outgoing NUMBER=1002 \
//   node api/js/test/drive.mjs
//
// Environment:
//   RINGDESK_URL, RINGDESK_TOKEN  the API to connect the page to (required)
//   PAGE_URL     example.html served over http://127.0.0.1 from an origin the
//                API allows (required)
//   SCRIPT       "outgoing": dial NUMBER, wait for OUTGOING_CALL and IN_CALL,
//                  mute and unmute (MUTE, UNMUTE), hang up (unless HANGUP=0,
//                  when the far end must), wait for CALL_END.
//                "incoming": wait for the incoming-call card, Answer, wait for
//                  IN_CALL, then hang up when HANGUP=1, and wait for CALL_END
//                  (by default the far end hangs up).
//   NUMBER       what to dial (outgoing)
//   HANGUP       "1" the page hangs up, "0" the far end does (see SCRIPT)
//   ACCOUNT      wait for this account to be registered (default: any)
//   CHROMIUM     the browser (default /usr/bin/chromium, Debian's)
//   DRIVE_TIMEOUT_MS  the whole run's limit (default 60000)
//   SCREENSHOT   save a PNG of the page at the end to this path
//
// Prints one JSON report on stdout: {script, pass, error, events (the API
// event types in the page's log, in order), log, callId, consoleErrors,
// pageErrors, failedRequests, durationMs}. Progress goes to stderr. Exit
// code: 0 passed, 1 failed, 2 timed out, 3 could not start (no
// playwright-core, no browser, bad environment).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const started = Date.now();
const env = process.env;
const TIMEOUT = Number(env.DRIVE_TIMEOUT_MS) > 0 ? Number(env.DRIVE_TIMEOUT_MS) : 60000;
const deadline = started + TIMEOUT;
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
// The flags Debian's Chromium needs here (shared/FACTS.md, "Browser peer");
// the fresh --user-data-dir is launchPersistentContext's first argument.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const report = {
  script: env.SCRIPT || '',
  pass: false,
  error: '',
  events: [],
  log: [],
  callId: '',
  steps: [],
  consoleErrors: [],
  pageErrors: [],
  failedRequests: [],
  browser: '',
  durationMs: 0,
};

function step(text) {
  const line = `${((Date.now() - started) / 1000).toFixed(2)}s ${text}`;
  report.steps.push(line);
  process.stderr.write(`drive: ${line}\n`);
}

class Timeout extends Error {}

// The browser names the WebSocket's URL, token included, in its messages.
function redact(text) {
  let out = String(text).replace(/token=[^&\s'"]*/g, 'token=…');
  if (env.RINGDESK_TOKEN) out = out.split(env.RINGDESK_TOKEN).join('…');
  return out;
}

function remaining() {
  const ms = deadline - Date.now();
  if (ms <= 0) throw new Timeout(`the run took longer than ${TIMEOUT} ms`);
  return ms;
}

let context = null;
let page = null;
let userDataDir = '';
let finished = false;

async function finish(code) {
  if (finished) return;
  finished = true;
  if (page) {
    try {
      report.log = await withLimit(readLog(page), 5000);
      report.events = report.log.filter((e) => e.event).map((e) => e.event);
    } catch (err) {
      step(`could not read the page's log: ${err.message}`);
    }
    if (env.SCREENSHOT) {
      try {
        await withLimit(page.screenshot({ path: env.SCREENSHOT, fullPage: true }), 10000);
      } catch (err) {
        step(`screenshot failed: ${err.message}`);
      }
    }
  }
  if (context) {
    try {
      await withLimit(context.close(), 10000);
    } catch (err) {
      step(`closing the browser: ${err.message}`);
    }
  }
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  report.durationMs = Date.now() - started;
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  process.exit(code);
}

function withLimit(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function readLog(p) {
  return p.$$eval('#event-log li', (items) => items.map((li) => ({
    seq: Number(li.dataset.seq),
    event: li.dataset.event || '',
    call: li.dataset.call || '',
    kind: li.className,
    text: li.textContent.replace(/\s+/g, ' ').trim(),
  })));
}

// waitEvent waits until the page's log has an API event of this type (for
// callId when given) after the log line numbered after; returns {seq, call}.
async function waitEvent(type, callId, after) {
  step(`waiting for ${type}${callId ? ' of ' + callId : ''}`);
  const handle = await page.waitForFunction(([t, c, a]) => {
    for (const li of document.querySelectorAll('#event-log li')) {
      if (Number(li.dataset.seq) <= a) continue;
      // A command the page sent failed: no use waiting on.
      if (li.classList.contains('command-error')) return { failed: li.textContent.replace(/\s+/g, ' ').trim() };
      if (li.dataset.event === t && (!c || li.dataset.call === c)) {
        return { seq: Number(li.dataset.seq), call: li.dataset.call || '' };
      }
    }
    return null;
  }, [type, callId || '', after || 0], { timeout: remaining(), polling: 50 });
  const found = await handle.jsonValue();
  if (found.failed) throw new Error(`waiting for ${type}, the page reported a failed command: ${found.failed}`);
  step(`${type} seen (line ${found.seq})`);
  return found;
}

function lastSeq() {
  return page.$$eval('#event-log li', (items) => items.reduce((m, li) => Math.max(m, Number(li.dataset.seq) || 0), 0));
}

async function connectPage() {
  step(`opening ${env.PAGE_URL}`);
  await page.goto(env.PAGE_URL, { waitUntil: 'load', timeout: remaining() });
  await page.fill('#api-url', env.RINGDESK_URL, { timeout: remaining() });
  await page.fill('#api-token', env.RINGDESK_TOKEN, { timeout: remaining() });
  await page.click('#connect-button', { timeout: remaining() });
  await page.waitForSelector('#connection-state[data-state="open"]', { timeout: remaining() });
  step('event socket open');
  const sel = env.ACCOUNT ? `#accounts li[data-account="${env.ACCOUNT}"][data-state="registered"]` : '#accounts li[data-state="registered"]';
  await page.waitForSelector(sel, { timeout: remaining() });
  step('account registered');
}

async function outgoing() {
  if (!env.NUMBER) throw new Error('SCRIPT=outgoing needs NUMBER');
  await page.fill('#dial-number', env.NUMBER, { timeout: remaining() });
  const before = await lastSeq();
  step(`dialling ${env.NUMBER}`);
  await page.click('#dial-button', { timeout: remaining() });
  const out = await waitEvent('OUTGOING_CALL', '', before);
  report.callId = out.call;
  const up = await waitEvent('IN_CALL', out.call, out.seq);
  await page.waitForSelector(`#call-panel[data-call="${out.call}"]:not([hidden])`, { timeout: remaining() });
  await page.click('#mute-button', { timeout: remaining() });
  const muted = await waitEvent('MUTE', out.call, up.seq);
  await page.waitForSelector('#mute-button[aria-pressed="true"]', { timeout: remaining() });
  await page.click('#mute-button', { timeout: remaining() });
  const unmuted = await waitEvent('UNMUTE', out.call, muted.seq);
  if (env.HANGUP !== '0') {
    step('hanging up');
    await page.click('#hangup-button', { timeout: remaining() });
  }
  await waitEvent('CALL_END', out.call, unmuted.seq);
  await page.waitForSelector('#call-panel', { state: 'hidden', timeout: remaining() });
}

async function incoming() {
  step('waiting for the incoming-call card');
  await page.waitForSelector('#incoming-card[data-call]', { state: 'visible', timeout: remaining() });
  const callId = await page.getAttribute('#incoming-card', 'data-call');
  report.callId = callId;
  const ring = await waitEvent('INCOMING_CALL', callId, 0);
  step(`answering ${callId}`);
  await page.click('#answer-button', { timeout: remaining() });
  const up = await waitEvent('IN_CALL', callId, ring.seq);
  await page.waitForSelector('#incoming-card', { state: 'hidden', timeout: remaining() });
  await page.waitForSelector(`#call-panel[data-call="${callId}"]:not([hidden])`, { timeout: remaining() });
  if (env.HANGUP === '1') {
    step('hanging up');
    await page.click('#hangup-button', { timeout: remaining() });
  }
  await waitEvent('CALL_END', callId, up.seq);
  await page.waitForSelector('#call-panel', { state: 'hidden', timeout: remaining() });
}

async function main() {
  for (const name of ['RINGDESK_URL', 'RINGDESK_TOKEN', 'PAGE_URL']) {
    if (!env[name]) throw Object.assign(new Error(`${name} is not set`), { exitCode: 3 });
  }
  for (const name of ['RINGDESK_URL', 'PAGE_URL']) {
    const host = new URL(env[name]).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      throw Object.assign(new Error(`${name} must be a loopback address, not ${host}`), { exitCode: 3 });
    }
  }
  const scripts = { outgoing, incoming };
  const script = scripts[env.SCRIPT];
  if (!script) throw Object.assign(new Error(`SCRIPT must be one of ${Object.keys(scripts).join(', ')}`), { exitCode: 3 });

  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw Object.assign(new Error(`playwright-core is not installed (run scripts/js-deps.sh): ${err.message}`), { exitCode: 3 });
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw Object.assign(new Error(`no browser at ${CHROMIUM} (Debian package chromium, or set CHROMIUM)`), { exitCode: 3 });
  }
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ringdesk-drive-'));
  step(`starting ${CHROMIUM}`);
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: FLAGS,
      timeout: Math.min(remaining(), 30000),
    });
  } catch (err) {
    throw Object.assign(new Error(`starting the browser failed: ${err.message}`), { exitCode: 3 });
  }
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') report.consoleErrors.push(redact(msg.text()));
  });
  page.on('pageerror', (err) => report.pageErrors.push(String(err && err.stack ? err.stack : err)));
  page.on('requestfailed', (req) => report.failedRequests.push(redact(`${req.method()} ${req.url()}: ${req.failure()?.errorText || ''}`)));
  report.browser = await page.evaluate(() => navigator.userAgent);

  await connectPage();
  await script();
  step('script done');
}

async function run() {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      report.error = `stopped by ${sig}`;
      finish(1);
    });
  }
  // The whole run, closing included, is bounded: past the limit (plus time
  // to close the browser) the process reports and exits whatever hangs.
  const watchdog = setTimeout(() => {
    report.error = report.error || `the run took longer than ${TIMEOUT} ms`;
    finish(2);
  }, TIMEOUT + 1000);
  watchdog.unref();
  const hardStop = setTimeout(() => {
    process.stdout.write(JSON.stringify({ ...report, error: report.error || 'hung while closing', durationMs: Date.now() - started }) + '\n');
    process.exit(2);
  }, TIMEOUT + 20000);
  hardStop.unref();
  try {
    await main();
    const problems = [];
    if (report.pageErrors.length) problems.push(`${report.pageErrors.length} uncaught page error(s)`);
    if (report.consoleErrors.length) problems.push(`${report.consoleErrors.length} console error(s)`);
    report.pass = problems.length === 0;
    report.error = problems.join('; ');
    await finish(report.pass ? 0 : 1);
  } catch (err) {
    const timedOut = err instanceof Timeout || (err && err.name === 'TimeoutError');
    report.error = String(err && err.message ? err.message : err).split('\n')[0];
    step(`failed: ${report.error}`);
    await finish(err && err.exitCode ? err.exitCode : timedOut ? 2 : 1);
  }
}

run();
