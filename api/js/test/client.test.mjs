// Tests of ringdesk.js against the stand-in server (standin.mjs): requests,
// errors, events, reconnection, and the three ways of loading it. No
// dependencies: run with `node --test api/js/test/` (node 18 or newer).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startStandIn } from './standin.mjs';
import { MiniWebSocket } from './miniws.mjs';

const require = createRequire(import.meta.url);
const clientPath = fileURLToPath(new URL('../ringdesk.js', import.meta.url));
const RingdeskClient = require(clientPath);
const TOKEN = 'test-token-0123456789';

/** Resolves when cond() holds, polling; rejects after ms. */
async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withStandIn(t, opts = {}) {
  const s = await startStandIn({ token: TOKEN, ...opts });
  t.after(() => s.close());
  return s;
}

function client(s, opts = {}) {
  const events = [];
  const c = new RingdeskClient({
    url: s.url,
    token: TOKEN,
    WebSocket: MiniWebSocket,
    stateEventListener: (type, data) => events.push({ type, data }),
    reconnectMinDelay: 20,
    reconnectMaxDelay: 200,
    ...opts,
  });
  c.events = events;
  return c;
}

const types = (events) => events.map((e) => e.type);

test('loads as CommonJS, as an ES module and as a plain script', async () => {
  assert.equal(typeof RingdeskClient, 'function');
  assert.equal(RingdeskClient.RingdeskClient, RingdeskClient);
  assert.equal(RingdeskClient.default, RingdeskClient);
  assert.ok(RingdeskClient.EVENT_TYPES.includes('CALL_END'));

  const esm = await import(pathToFileURL(clientPath).href);
  assert.equal(esm.default, RingdeskClient);
  assert.equal(esm.RingdeskClient, RingdeskClient);

  const pkg = require('../package.json');
  assert.equal(pkg.name, 'ringdesk-client');
  assert.equal(require.resolve('../'), clientPath);

  // A browser's <script>: no module, no exports; the global is set.
  const window = {};
  window.window = window;
  vm.runInNewContext(fs.readFileSync(clientPath, 'utf8'), window, { filename: 'ringdesk.js' });
  assert.equal(typeof window.RingdeskClient, 'function');
  assert.equal(typeof window.RingdeskError, 'function');
  const c = new window.RingdeskClient({ url: 'http://127.0.0.1:5478/', token: 'a b' });
  assert.equal(c.url, 'http://127.0.0.1:5478');
  assert.equal(c.eventsURL(), 'ws://127.0.0.1:5478/v1/events?token=a%20b');
});

test('commands send the bearer token and the bodies API.md gives', async (t) => {
  const s = await withStandIn(t);
  const c = client(s);
  const id = await c.call('0901234567', { account: 'main', video: false, headers: { 'X-Business-Id': '42' }, data: { ticket: '7' } });
  assert.match(id, /^c\d+$/);
  const dial = s.requests.find((r) => r.method === 'POST' && r.path === '/v1/calls');
  assert.equal(dial.auth, `Bearer ${TOKEN}`);
  assert.deepEqual(dial.body, { to: '0901234567', account: 'main', video: false, headers: { 'X-Business-Id': '42' }, data: { ticket: '7' } });

  await until(() => s.calls.get(id)?.state === 'established', 'the call to be answered');
  await c.hold(id);
  await c.unhold(id);
  await c.mute(id);
  await c.unmute(id);
  await c.sendDtmf(id, '12#');
  await c.setData(id, { ticket: '8' });
  assert.equal(s.calls.get(id).data.ticket, '8');
  const calls = await c.calls();
  assert.deepEqual(calls.map((x) => x.id), [id]);
  await c.hangup(id);
  await c.register('main');
  await c.unregister('main');
  await c.setDnd(true);
  await c.setForward('busy', '1003', true);
  await c.setForward({ mode: 'noanswer', to: '1004', enabled: false });
  await c.setHints(['1001', '1002']);
  const st = await c.status();
  assert.equal(st.dnd, true);
  assert.equal(st.accounts[0].id, 'main');
  const h = await c.history({ page: 1, pageSize: 10, keyword: '0901' });
  assert.equal(h.totalDocs, 1);
  assert.equal(h.docs[0].id, id);
  const card = await c.lookup('0977805845');
  assert.equal(card.name, 'Jane Black');

  const seen = s.requests.map((r) => `${r.method} ${r.path}${r.body !== undefined ? ' ' + JSON.stringify(r.body) : ''}`);
  for (const want of [
    `POST /v1/calls/${id}/hold {}`,
    `POST /v1/calls/${id}/unhold {}`,
    `POST /v1/calls/${id}/mute {}`,
    `POST /v1/calls/${id}/unmute {}`,
    `POST /v1/calls/${id}/dtmf {"digits":"12#"}`,
    `PUT /v1/calls/${id}/data {"ticket":"8"}`,
    'GET /v1/calls',
    `POST /v1/calls/${id}/hangup {}`,
    'POST /v1/accounts/main/register {}',
    'POST /v1/accounts/main/unregister {}',
    'PUT /v1/dnd {"enabled":true}',
    'PUT /v1/forward {"mode":"busy","to":"1003","enabled":true}',
    'PUT /v1/forward {"mode":"noanswer","to":"1004","enabled":false}',
    'PUT /v1/hints {"numbers":["1001","1002"]}',
    'GET /v1/status',
    'GET /v1/history?page=1&pageSize=10&keyword=0901',
    'GET /v1/contacts/lookup?number=0977805845',
  ]) {
    assert.ok(seen.includes(want), `no request ${want} in:\n${seen.join('\n')}`);
  }
  for (const r of s.requests) assert.equal(r.auth, `Bearer ${TOKEN}`, `${r.method} ${r.path}`);
});

test('answer, reject with a code, transfers', async (t) => {
  const s = await withStandIn(t);
  const c = client(s);
  const in1 = s.incoming({ number: '0977805845' });
  await c.answer(in1, { video: true });
  assert.deepEqual(s.requests.at(-1).body, { video: true });
  assert.equal(s.calls.get(in1).state, 'established');
  await c.transfer(in1, '1003');
  assert.deepEqual(s.requests.at(-1).body, { to: '1003' });
  await until(() => !s.calls.has(in1), 'the blind transfer to end the call');

  const in2 = s.incoming({});
  await c.hangup(in2, { code: 603 });
  assert.deepEqual(s.requests.at(-1).body, { code: 603 });
  assert.equal(s.ended[0].cause.code, 603);

  const in3 = s.incoming({});
  await c.answer(in3);
  const consult = await c.attendedTransfer(in3, '1004');
  assert.match(consult, /^c\d+$/);
  assert.notEqual(consult, in3);
  await c.cancelTransfer(in3);
  assert.ok(!s.calls.has(consult));
  const consult2 = await c.attendedTransfer(in3, '1005');
  await c.completeTransfer(in3);
  assert.ok(!s.calls.has(consult2) && !s.calls.has(in3));
});

test('failed commands reject with status, code and the server message', async (t) => {
  const s = await withStandIn(t);
  const c = client(s);

  await assert.rejects(c.hold('c99'), (err) => {
    assert.ok(err instanceof Error);
    assert.ok(err instanceof RingdeskClient.RingdeskError);
    assert.equal(err.name, 'RingdeskError');
    assert.equal(err.status, 404);
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'no call c99');
    assert.deepEqual(err.body, { error: { code: 'not_found', message: 'no call c99' } });
    return true;
  });

  const id = s.incoming({});
  await assert.rejects(c.hold(id), { status: 409, code: 'wrong_state' });
  await assert.rejects(c.call('not a number!'), { status: 422, code: 'invalid' });
  assert.deepEqual(await c.micCheck(), { ok: true, level: -23.5, peak: -12.1 });
  await c.unregister('main');
  await assert.rejects(c.call('1002'), { status: 503, code: 'not_registered' });

  const wrong = new RingdeskClient({ url: s.url, token: 'wrong' });
  await assert.rejects(wrong.status(), { status: 401, code: 'unauthorized', message: 'missing or wrong API token' });

  // Bad arguments fail before any request.
  const before = s.requests.length;
  await assert.rejects(c.call(''), { status: 0, code: 'bad_request' });
  await assert.rejects(c.hangup(undefined), { status: 0, code: 'bad_request' });
  await assert.rejects(c.sendDtmf(id, '12x'), { code: 'bad_request' });
  await assert.rejects(c.transfer(id, ''), { code: 'bad_request' });
  await assert.rejects(c.setData(id, 'x'), { code: 'bad_request' });
  await assert.rejects(c.lookup(''), { code: 'bad_request' });
  assert.equal(s.requests.length, before);
});

test('an answer without a JSON error, no server, and no answer in time', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/v1/status') {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('bad gateway from a proxy\n');
    } else if (req.url === '/v1/calls') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"calls":[{"id":"c1"}]}');
    } else if (req.url === '/v1/dnd') {
      res.writeHead(200);
      res.end(); // an empty 200 is fine
    } else {
      // /v1/history: never answers
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const c = new RingdeskClient({ url, token: TOKEN, timeout: 300 });
  await assert.rejects(c.status(), { status: 502, code: 'http_502', message: 'bad gateway from a proxy' });
  assert.deepEqual(await c.calls(), [{ id: 'c1' }]);
  assert.equal(await c.setDnd(false), null);
  await assert.rejects(c.history(), { status: 0, code: 'timeout' });

  // A port nobody listens on.
  const gone = http.createServer();
  await new Promise((r) => gone.listen(0, '127.0.0.1', r));
  const port = gone.address().port;
  await new Promise((r) => gone.close(r));
  const c2 = new RingdeskClient({ url: `http://127.0.0.1:${port}`, token: TOKEN });
  await assert.rejects(c2.status(), (err) => {
    assert.equal(err.status, 0);
    assert.equal(err.code, 'network_error');
    assert.match(err.message, /cannot reach Ringdesk/);
    return true;
  });
});

test('events reach the listeners with their API names, snapshot first', async (t) => {
  const s = await withStandIn(t);
  const byOn = [];
  const all = [];
  const c = client(s);
  c.on('IN_CALL', (type, data) => byOn.push(data.call.id));
  c.on('*', (type) => all.push(type));
  c.on('OUTGOING_CALL', () => {
    throw new Error('a broken listener');
  });
  const consoleError = console.error;
  const logged = [];
  console.error = (...a) => logged.push(a.join(' '));
  t.after(() => {
    console.error = consoleError;
    c.close();
  });
  await c.connect();
  assert.ok(c.isConnected());
  const ws = MiniWebSocket.created.at(-1);
  assert.equal(ws.url, `${s.url.replace('http', 'ws')}/v1/events?token=${TOKEN}`);
  await until(() => c.events.length >= 2, 'the snapshot');
  assert.deepEqual(types(c.events).slice(0, 2), ['PHONE_STATUS', 'REGISTERED']);
  assert.equal(c.events[1].data.account, 'main');

  const id = await c.call('1002');
  await until(() => types(c.events).includes('IN_CALL'), 'IN_CALL');
  await c.hangup(id);
  await until(() => types(c.events).includes('CALL_END'), 'CALL_END');
  const callTypes = c.events.filter((e) => e.data.call?.id === id).map((e) => e.type);
  assert.deepEqual(callTypes, ['OUTGOING_CALL', 'PROGRESS', 'IN_CALL', 'CALL_END']);
  const end = c.events.find((e) => e.type === 'CALL_END').data;
  assert.equal(end.cause.by, 'local');
  assert.equal(typeof end.duration, 'number');
  assert.equal(typeof end.time, 'string');
  assert.deepEqual(byOn, [id]);
  assert.deepEqual(all, types(c.events));
  assert.ok(logged.some((l) => l.includes('a broken listener')), 'the throwing listener was not reported');
});

test('the event socket reconnects with growing backoff, and close() stops it', async (t) => {
  const s = await withStandIn(t);
  const states = [];
  const c = client(s, { connectionListener: (state, info) => states.push({ state, ...info }) });
  t.after(() => c.close());
  await c.connect();
  await until(() => types(c.events).includes('REGISTERED'), 'the first snapshot');

  // Ringdesk's socket dies: the client comes back and gets a snapshot again.
  c.events.length = 0;
  s.dropSockets();
  await until(() => states.filter((x) => x.state === 'open').length === 2, 'a reconnect');
  await until(() => types(c.events).includes('REGISTERED'), 'the second snapshot');
  const closed = states.find((x) => x.state === 'closed');
  assert.ok(closed.delay >= 0 && closed.delay <= 200, `first delay ${closed.delay}`);

  // Ringdesk is gone for a while: attempts back off, up to the maximum.
  const port = Number(new URL(s.url).port);
  const before = states.length;
  await s.close();
  await until(() => states.slice(before).filter((x) => x.state === 'closed').length >= 5, 'five failed attempts', 8000);
  const delays = states.slice(before).filter((x) => x.state === 'closed').map((x) => x.delay);
  assert.ok(delays[3] > delays[0], `delays do not grow: ${delays}`);
  assert.ok(delays.every((d) => d <= 200), `delays pass the maximum: ${delays}`);

  // It comes back on the same port: the client reconnects, and the backoff
  // starts over.
  const s2 = await startStandIn({ token: TOKEN, port });
  t.after(() => s2.close());
  await until(() => c.isConnected(), 'a reconnect to the restarted server', 5000);
  assert.equal(c._attempt, 0);
  const id = s2.incoming({ number: '555' });
  await until(() => c.events.some((e) => e.type === 'INCOMING_CALL' && e.data.call.id === id), 'an event from the new server');

  // close() ends it for good.
  c.close();
  assert.ok(!c.isConnected());
  const made = MiniWebSocket.created.length;
  s2.dropSockets();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(MiniWebSocket.created.length, made, 'a socket was opened after close()');
  assert.equal(states.at(-1).state, 'closed');
});

test('connect() with a wrong token is refused at once; a server that is down is retried', async (t) => {
  const s = await withStandIn(t);
  for (const reconnect of [false, true]) {
    const states = [];
    const c = new RingdeskClient({ url: s.url, token: 'wrong', WebSocket: MiniWebSocket, reconnect, reconnectMinDelay: 20, connectionListener: (st, info) => states.push({ st, ...info }) });
    const upgrades = () => s.requests.filter((r) => r.upgrade && r.path.includes('token=wrong')).length;
    const before = upgrades();
    await assert.rejects(c.connect(), { status: 401, code: 'unauthorized', message: 'missing or wrong API token' });
    assert.ok(!c.isConnected());
    assert.equal(states.at(-1).st, 'closed');
    assert.equal(states.at(-1).error.status, 401);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(upgrades() - before, 1, `reconnect=${reconnect}: retried a refused token`);
  }

  // Nobody listens: no answer to the probe either, so it keeps trying.
  const port = Number(new URL(s.url).port);
  await s.close();
  const c = new RingdeskClient({ url: `http://127.0.0.1:${port}`, token: TOKEN, WebSocket: MiniWebSocket, reconnectMinDelay: 20, reconnectMaxDelay: 50 });
  const made = MiniWebSocket.created.length;
  const p = c.connect();
  await until(() => MiniWebSocket.created.length - made >= 3, 'three attempts');
  c.close();
  await assert.rejects(p, { code: 'closed' });
});
