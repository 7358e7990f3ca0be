// drive.mjs: runs page.js (JsSIP) in Debian's headless Chromium with a fake
// microphone, for internal/testbed's BrowserPhone. It serves the page on
// 127.0.0.1 (getUserMedia needs a secure context, which file:// is not),
// then reads commands as JSON lines on stdin — {"id":1,"fn":"call","args":["1001"]}
// — and writes JSON lines on stdout: {"id":1,"result":...} or
// {"id":1,"error":"..."} for each command, {"event":{...}} for each event
// of the page, and {"ready":true} once the page is loaded.
// Usage: node drive.mjs BUNDLE.js CHROMIUM
import http from 'node:http';
import readline from 'node:readline';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [bundlePath, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const bundle = readFileSync(bundlePath);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const server = http.createServer((req, res) => {
  if (req.url === '/bundle.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end(bundle);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><meta charset="utf-8"><title>webphone</title><script src="/bundle.js"></script>');
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  ],
});
const context = await browser.newContext({ permissions: ['microphone'] });
const page = await context.newPage();
page.on('console', (m) => {
  if (m.type() === 'error') out({ event: { ev: 'console', text: m.text() } });
});
page.on('pageerror', (e) => out({ event: { ev: 'pageerror', text: String(e) } }));
await page.exposeFunction('emit', (ev) => out({ event: ev }));
await page.goto(origin);
out({ ready: true });

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  await browser.close().catch(() => {});
  server.close();
  process.exit(0);
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    out({ error: `not JSON: ${line}` });
    return;
  }
  if (cmd.fn === 'quit') {
    out({ id: cmd.id, result: null });
    await close();
    return;
  }
  try {
    const result = await page.evaluate(([fn, args]) => window[fn](...args), [cmd.fn, cmd.args || []]);
    out({ id: cmd.id, result: result === undefined ? null : result });
  } catch (e) {
    out({ id: cmd.id, error: String(e && e.message ? e.message : e) });
  }
});
rl.on('close', close);
