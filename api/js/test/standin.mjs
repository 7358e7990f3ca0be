// A stand-in for Ringdesk's local API (API.md), in node with no
// dependencies: the same endpoints, bearer token, Origin allow-list, CORS,
// JSON errors and event WebSocket, over a pretend phone whose calls answer
// by themselves. It lets ringdesk.js and example.html be tested without the
// Go server and without SIP. It is a test tool, not a second implementation:
// the Go server is what ships.
//
// As a module:
//   const s = await startStandIn({ token: 't', allowedOrigins: ['http://127.0.0.1:8000'] });
//   s.url; s.incoming({ number: '0977805845' }); s.dropSockets(); await s.close();
//
// From the command line (prints one JSON line with the addresses, then
// serves until killed):
//   node standin.mjs --token T [--port N] [--static DIR] [--origin URL]...
//                    [--auto-incoming-ms MS] [--remote-hangup-ms MS]
// With --static, DIR (e.g. api/js) is served from a second loopback port,
// whose origin is allowed; the line then has "page" too.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptKey, closePayload, encodeFrame, FrameReader, OP_CLOSE, OP_PING, OP_PONG } from './wire.mjs';

const LOOPBACK = '127.0.0.1';

class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const now = () => new Date().toISOString();

/**
 * Starts the stand-in on 127.0.0.1.
 * @param {object} o
 * @param {string} o.token the bearer token
 * @param {string[]} [o.allowedOrigins] Origins whose browser requests are served
 * @param {number} [o.port=0]
 * @param {Array<{id:string, username?:string, registered?:boolean}>} [o.accounts]
 * @param {number} [o.answerAfterMs=150] an outgoing call is answered after this
 * @param {number} [o.autoIncomingMs] when set, an incoming call rings this long
 *   after each event WebSocket opens (one at a time)
 * @param {number} [o.remoteHangupMs] when set, the far end hangs up an
 *   established incoming call after this
 */
export async function startStandIn(o) {
  const s = new StandIn(o);
  await s.listen(o.port || 0);
  return s;
}

class StandIn {
  constructor(o) {
    if (!o || !o.token) throw new Error('startStandIn: token is required');
    this.token = o.token;
    this.allowedOrigins = new Set(o.allowedOrigins || []);
    this.answerAfterMs = o.answerAfterMs ?? 150;
    this.autoIncomingMs = o.autoIncomingMs;
    this.remoteHangupMs = o.remoteHangupMs;
    this.accounts = (o.accounts || [{ id: 'main', username: '1001', registered: true }]).map((a) => ({
      id: a.id, username: a.username || a.id, state: a.registered === false ? 'unregistered' : 'registered', cause: undefined,
    }));
    this.calls = new Map();
    this.ended = [];
    this.nextCall = 1;
    this.dnd = false;
    this.forwards = [];
    this.hints = [];
    this.sockets = new Set();
    this.timers = new Set();
    /** Every request: {method, path, origin, auth, body} */
    this.requests = [];
    /** Every event sent, in order. */
    this.events = [];
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  listen(port) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, LOOPBACK, () => {
        this.url = `http://${LOOPBACK}:${this.server.address().port}`;
        resolve();
      });
    });
  }

  allowOrigin(origin) {
    this.allowedOrigins.add(origin);
  }

  later(ms, fn) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  // ---- events ----------------------------------------------------------

  /** Sends an event to every WebSocket (time is filled in). */
  emit(ev) {
    const e = { time: now(), ...ev };
    this.events.push(e);
    const frame = encodeFrame(0x1, JSON.stringify(e), false);
    for (const s of this.sockets) s.write(frame);
    return e;
  }

  callEvent(type, call, extra) {
    return this.emit({ type, account: call.account, call: { ...call, headers: { ...call.headers }, data: { ...call.data } }, ...extra });
  }

  status() {
    const busy = [...this.calls.values()];
    if (this.dnd) return 'DND';
    if (busy.some((c) => c.state === 'incoming')) return 'RINGING';
    return busy.length ? 'BUSY' : 'AVAILABLE';
  }

  newCall(direction, account, number, extra = {}) {
    const id = `c${this.nextCall++}`;
    const call = {
      id, sipCallId: `standin-${id}-${Date.now()}`, account, direction, number, name: extra.name || '',
      state: direction === 'inbound' ? 'incoming' : 'dialing', video: !!extra.video,
      headers: extra.headers || {}, data: extra.data || {}, muted: false, held: false, remoteHeld: false,
      started: now(),
    };
    this.calls.set(id, call);
    return call;
  }

  endCall(call, cause) {
    if (!this.calls.has(call.id)) return;
    this.calls.delete(call.id);
    const duration = call.answered ? (Date.now() - Date.parse(call.answered)) / 1000 : 0;
    call.state = 'ended';
    this.ended.unshift({ ...call, cause, duration });
    this.callEvent('CALL_END', call, { cause, duration });
    this.emit({ type: 'PHONE_STATUS', status: this.status() });
  }

  establish(call) {
    call.state = 'established';
    call.answered = now();
    this.callEvent('IN_CALL', call);
    this.emit({ type: 'PHONE_STATUS', status: this.status() });
  }

  /**
   * A call rings in, as INCOMING_CALL. With remoteHangupMs the far end hangs
   * up that long after it is answered.
   */
  incoming({ number = '0977805845', name = 'Jane Black', account, headers, video } = {}) {
    const acc = account || this.accounts[0].id;
    const call = this.newCall('inbound', acc, number, { name, headers: headers || { 'X-Business-Id': '42' }, video });
    this.callEvent('INCOMING_CALL', call);
    this.emit({ type: 'PHONE_STATUS', status: this.status() });
    return call.id;
  }

  /** The far end hangs up the call. */
  remoteHangup(id) {
    const call = this.calls.get(id);
    if (call) this.endCall(call, { code: 0, reason: 'BYE', message: 'The other party hung up', by: 'remote' });
  }

  /** Cuts every event WebSocket without a close frame, as a crash would. */
  dropSockets() {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  snapshot(socket) {
    const send = (ev) => socket.write(encodeFrame(0x1, JSON.stringify({ time: now(), ...ev }), false));
    send({ type: 'PHONE_STATUS', status: this.status() });
    for (const a of this.accounts) {
      send({ type: a.state === 'registered' ? 'REGISTERED' : a.state === 'failed' ? 'REGISTER_FAILED' : 'UNREGISTERED', account: a.id });
    }
    const typeOf = { incoming: 'INCOMING_CALL', dialing: 'OUTGOING_CALL', ringing: 'PROGRESS', held: 'HOLD' };
    for (const c of this.calls.values()) send({ type: typeOf[c.state] || 'IN_CALL', account: c.account, call: c });
  }

  // ---- HTTP ------------------------------------------------------------

  async handle(req, res) {
    const u = new URL(req.url, this.url);
    const origin = req.headers.origin;
    const record = { method: req.method, path: u.pathname + u.search, origin, auth: req.headers.authorization || '' };
    this.requests.push(record);
    try {
      if (origin !== undefined && !this.allowedOrigins.has(origin)) {
        throw new APIError(403, 'origin_forbidden', `origin ${origin} is not allowed`);
      }
      if (origin !== undefined) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      if (req.method === 'OPTIONS' && origin !== undefined) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        res.setHeader('Access-Control-Max-Age', '600');
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        throw new APIError(401, 'unauthorized', 'missing or wrong API token');
      }
      const body = await readBody(req);
      record.body = body;
      const [status, answer] = this.route(req.method, u, body);
      send(res, status, answer);
    } catch (err) {
      if (err instanceof APIError) send(res, err.status, { error: { code: err.code, message: err.message } });
      else send(res, 500, { error: { code: 'internal', message: String(err && err.message) } });
    }
  }

  account(id) {
    const a = this.accounts.find((x) => x.id === id);
    if (!a) throw new APIError(404, 'not_found', `no account ${id}`);
    return a;
  }

  call(id) {
    const c = this.calls.get(id);
    if (!c) throw new APIError(404, 'not_found', `no call ${id}`);
    return c;
  }

  route(method, u, body) {
    const p = u.pathname;
    let m;
    const want = (...methods) => {
      if (!methods.includes(method)) throw new APIError(405, 'method_not_allowed', `${method} ${p} is not allowed`);
    };
    if (p === '/v1/status') {
      want('GET');
      return [200, { version: 'standin', status: this.status(), dnd: this.dnd, forwards: this.forwards, accounts: this.accounts.map((a) => ({ id: a.id, username: a.username, state: a.state, cause: a.cause })) }];
    }
    if ((m = p.match(/^\/v1\/accounts\/([^/]+)\/(register|unregister)$/))) {
      want('POST');
      const a = this.account(decodeURIComponent(m[1]));
      a.state = m[2] === 'register' ? 'registered' : 'unregistered';
      this.later(20, () => this.emit({ type: a.state === 'registered' ? 'REGISTERED' : 'UNREGISTERED', account: a.id }));
      return [202, { account: a.id, state: m[2] === 'register' ? 'registering' : 'unregistering' }];
    }
    if (p === '/v1/calls') {
      want('GET', 'POST');
      if (method === 'GET') return [200, [...this.calls.values()]];
      return this.dial(body);
    }
    if ((m = p.match(/^\/v1\/calls\/([^/]+)(?:\/([a-z-]+))?$/))) {
      const call = this.call(decodeURIComponent(m[1]));
      const action = m[2];
      if (!action) {
        want('GET');
        return [200, call];
      }
      if (action === 'data') {
        want('PUT');
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new APIError(400, 'bad_request', 'the body must be a JSON object');
        Object.assign(call.data, body);
        return [200, call];
      }
      want('POST');
      const [status, answer] = this.callAction(call, action, body || {});
      return [status, answer ?? call];
    }
    if (p === '/v1/dnd') {
      want('PUT');
      this.dnd = !!(body && body.enabled);
      this.emit({ type: 'PHONE_STATUS', status: this.status() });
      return [200, { dnd: this.dnd }];
    }
    if (p === '/v1/forward') {
      want('PUT');
      if (!body || !['unconditional', 'busy', 'noanswer'].includes(body.mode)) throw new APIError(422, 'invalid', 'mode must be unconditional, busy or noanswer');
      this.forwards = this.forwards.filter((f) => f.mode !== body.mode).concat([{ mode: body.mode, to: body.to || '', enabled: !!body.enabled }]);
      return [200, {}];
    }
    if (p === '/v1/hints') {
      want('PUT');
      this.hints = (body && body.numbers) || [];
      return [200, {}];
    }
    if (p === '/v1/history') {
      want('GET');
      const page = Math.max(1, parseInt(u.searchParams.get('page') || '1', 10) || 1);
      const limit = Math.max(1, parseInt(u.searchParams.get('pageSize') || '100', 10) || 100);
      const kw = (u.searchParams.get('keyword') || '').toLowerCase();
      const all = this.ended.filter((c) => !kw || c.number.toLowerCase().includes(kw) || c.name.toLowerCase().includes(kw));
      return [200, { docs: all.slice((page - 1) * limit, page * limit), totalDocs: all.length, limit, totalPages: Math.max(1, Math.ceil(all.length / limit)), page }];
    }
    if (p === '/v1/contacts/lookup') {
      want('GET');
      const number = u.searchParams.get('number');
      if (!number) throw new APIError(400, 'bad_request', 'number is required');
      if (number === '0977805845') return [200, { found: true, name: 'Jane Black', company: 'Black & Co', url: 'https://crm.invalid/contacts/7', fields: { Owner: 'Sam' } }];
      return [200, { found: false, reason: 'no contact has this number' }];
    }
    if (p === '/v1/mic-check') {
      want('POST');
      return [200, { ok: true, level: -23.5, peak: -12.1 }];
    }
    throw new APIError(404, 'not_found', `no such endpoint ${p}`);
  }

  dial(body) {
    if (!body || typeof body.to !== 'string' || !body.to.trim()) throw new APIError(400, 'bad_request', '"to" is required');
    const account = body.account || this.accounts[0].id;
    const a = this.account(account);
    if (a.state !== 'registered') throw new APIError(503, 'not_registered', `account ${a.id} is not registered`);
    if (!/^\+?[0-9*#. ()/-]{1,64}$/.test(body.to.trim())) throw new APIError(422, 'invalid', `"${body.to}" is not a phone number or extension`);
    const call = this.newCall('outbound', account, body.to.trim(), { video: body.video, headers: body.headers, data: body.data });
    this.callEvent('OUTGOING_CALL', call);
    this.emit({ type: 'PHONE_STATUS', status: this.status() });
    this.later(this.answerAfterMs / 2, () => {
      if (!this.calls.has(call.id)) return;
      call.state = 'ringing';
      this.callEvent('PROGRESS', call);
    });
    this.later(this.answerAfterMs, () => {
      if (!this.calls.has(call.id)) return;
      if (call.number === '486') this.endCall(call, { code: 486, reason: 'Busy Here', message: 'The customer is busy', by: 'remote' });
      else this.establish(call);
    });
    return [201, { id: call.id, sipCallId: call.sipCallId }];
  }

  callAction(call, action, body) {
    const wrong = (what) => new APIError(409, 'wrong_state', `call ${call.id} is ${call.state}: cannot ${what}`);
    const up = call.state === 'established' || call.state === 'held';
    switch (action) {
      case 'answer':
        if (call.state !== 'incoming') throw wrong('answer');
        this.establish(call);
        if (this.remoteHangupMs !== undefined) this.later(this.remoteHangupMs, () => this.remoteHangup(call.id));
        return [200];
      case 'hangup': {
        const code = call.state === 'incoming' ? body.code || 486 : 0;
        const reason = { 0: 'BYE', 486: 'Busy Here', 603: 'Decline' }[code] || 'Rejected';
        this.endCall(call, { code, reason, message: call.state === 'incoming' ? 'You declined the call' : 'You hung up', by: 'local' });
        return [200];
      }
      case 'hold':
      case 'unhold':
        if (!up) throw wrong(action);
        call.held = action === 'hold';
        call.state = call.held ? 'held' : 'established';
        this.callEvent(call.held ? 'HOLD' : 'UNHOLD', call);
        return [200];
      case 'mute':
      case 'unmute':
        call.muted = action === 'mute';
        this.callEvent(call.muted ? 'MUTE' : 'UNMUTE', call);
        return [200];
      case 'dtmf': {
        if (!up) throw wrong('send DTMF');
        const d = body.digits;
        if (typeof d !== 'string' || !/^[0-9*#A-Da-d]+$/.test(d)) throw new APIError(400, 'bad_request', 'digits must be 0-9, *, # or A-D');
        for (const digit of d) this.callEvent('DTMF', call, { digit });
        return [200];
      }
      case 'transfer':
        if (!up) throw wrong('transfer');
        if (!body.to) throw new APIError(400, 'bad_request', '"to" is required');
        this.callEvent('TRANSFER', call, { state: 'trying' });
        this.later(50, () => {
          this.callEvent('TRANSFER', call, { state: 'completed' });
          this.endCall(call, { code: 0, reason: 'BYE', message: `Transferred to ${body.to}`, by: 'local' });
        });
        return [202];
      case 'attended-transfer': {
        if (!up) throw wrong('transfer');
        if (!body.to) throw new APIError(400, 'bad_request', '"to" is required');
        call.held = true;
        call.state = 'held';
        this.callEvent('HOLD', call);
        const consult = this.newCall('outbound', call.account, body.to, {});
        call.consult = consult.id;
        this.callEvent('OUTGOING_CALL', consult);
        this.later(this.answerAfterMs, () => this.calls.has(consult.id) && this.establish(consult));
        return [201, { id: consult.id }];
      }
      case 'complete-transfer':
      case 'cancel-transfer': {
        const consult = call.consult && this.calls.get(call.consult);
        if (!consult) throw wrong(action.replace('-', ' '));
        if (action === 'complete-transfer') {
          this.callEvent('TRANSFER', call, { state: 'completed' });
          this.endCall(consult, { code: 0, reason: 'BYE', message: 'Transferred', by: 'local' });
          this.endCall(call, { code: 0, reason: 'BYE', message: 'Transferred', by: 'local' });
        } else {
          this.endCall(consult, { code: 0, reason: 'BYE', message: 'Transfer cancelled', by: 'local' });
        }
        return [200];
      }
      default:
        throw new APIError(404, 'not_found', `no such action ${action}`);
    }
  }

  // ---- WebSocket -------------------------------------------------------

  upgrade(req, socket) {
    const u = new URL(req.url, this.url);
    const origin = req.headers.origin;
    const refuse = (status, code, message) => {
      const body = JSON.stringify({ error: { code, message } });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    this.requests.push({ method: 'GET', path: u.pathname + u.search, origin, auth: req.headers.authorization || '', upgrade: true });
    if (u.pathname !== '/v1/events') return refuse(404, 'not_found', `no such endpoint ${u.pathname}`);
    if (origin !== undefined && !this.allowedOrigins.has(origin)) return refuse(403, 'origin_forbidden', `origin ${origin} is not allowed`);
    const token = u.searchParams.get('token') ?? (req.headers.authorization || '').replace(/^Bearer /, '');
    if (token !== this.token) return refuse(401, 'unauthorized', 'missing or wrong API token');
    const key = req.headers['sec-websocket-key'];
    if (!key) return refuse(400, 'bad_request', 'not a WebSocket handshake');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
    this.sockets.add(socket);
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.opcode === OP_CLOSE) {
          socket.end(encodeFrame(OP_CLOSE, f.payload.subarray(0, 2), false));
          this.sockets.delete(socket);
        } else if (f.opcode === OP_PING) {
          socket.write(encodeFrame(OP_PONG, f.payload, false));
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    this.snapshot(socket);
    if (this.autoIncomingMs !== undefined) {
      this.later(this.autoIncomingMs, () => {
        if (this.sockets.has(socket) && ![...this.calls.values()].some((c) => c.direction === 'inbound')) this.incoming({});
      });
    }
  }

  /** Stops serving: closes every WebSocket (1001) and the listener. */
  async close() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.end(encodeFrame(OP_CLOSE, closePayload(1001, 'going away'), false));
    this.sockets.clear();
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1 << 20) {
        reject(new APIError(413, 'too_large', 'the body is too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new APIError(400, 'bad_request', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

/**
 * Serves the files of dir on 127.0.0.1 (GET only, no listing), as a CRM's
 * web server would serve example.html. Resolves to {url, close()}.
 */
export function serveStatic(dir, port = 0) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const file = path.resolve(root, '.' + decodeURIComponent(u.pathname));
    if (req.method !== 'GET' || (file !== root && !file.startsWith(root + path.sep))) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      resolve({
        url: `http://${LOOPBACK}:${server.address().port}`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

async function main(argv) {
  const opts = { token: '', allowedOrigins: [] };
  let staticDir = null;
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--token') opts.token = v();
    else if (a === '--port') port = Number(v());
    else if (a === '--origin') opts.allowedOrigins.push(v());
    else if (a === '--static') staticDir = v();
    else if (a === '--auto-incoming-ms') opts.autoIncomingMs = Number(v());
    else if (a === '--remote-hangup-ms') opts.remoteHangupMs = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  const stat = staticDir ? await serveStatic(staticDir) : null;
  if (stat) opts.allowedOrigins.push(stat.url);
  const s = await startStandIn({ ...opts, port });
  console.log(JSON.stringify({ api: s.url, page: stat ? `${stat.url}/example.html` : undefined }));
  const stop = async () => {
    await s.close();
    if (stat) await stat.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`standin: ${err.message}`);
    process.exit(2);
  });
}
