// MiniWebSocket: the part of the browser WebSocket API that ringdesk.js
// uses (onopen, onmessage, onerror, onclose, send, close, readyState), over
// node:http, for node tests on a node without a global WebSocket (20).
// ws:// on loopback only; no TLS, no extensions.

import http from 'node:http';
import { acceptKey, closePayload, encodeFrame, FrameReader, newKey, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from './wire.mjs';

export class MiniWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  /** Every socket created, for tests that look at what the client opened. */
  static created = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.onopen = this.onmessage = this.onerror = this.onclose = null;
    this.socket = null;
    MiniWebSocket.created.push(this);
    const u = new URL(url);
    if (u.protocol !== 'ws:') throw new SyntaxError(`MiniWebSocket: ${url}: only ws:// here`);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new SyntaxError(`MiniWebSocket: ${url}: loopback only`);
    const key = newKey();
    const req = http.request({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || 80,
      path: u.pathname + u.search,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key },
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        this.fail(1006, 'bad Sec-WebSocket-Accept');
        return;
      }
      this.attach(socket, head);
    });
    req.on('response', (res) => {
      res.resume();
      this.fail(1006, `HTTP ${res.statusCode}`);
    });
    req.on('error', (err) => this.fail(1006, err.message));
    req.end();
  }

  attach(socket, head) {
    this.socket = socket;
    this.readyState = 1;
    const reader = new FrameReader();
    let gotClose = null;
    const onData = (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.opcode === OP_TEXT) {
          if (this.readyState === 1) this.onmessage?.({ data: f.payload.toString('utf8') });
        } else if (f.opcode === OP_PING) {
          socket.write(encodeFrame(OP_PONG, f.payload, true));
        } else if (f.opcode === OP_CLOSE) {
          gotClose = { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString('utf8') };
          if (this.readyState === 1) socket.write(encodeFrame(OP_CLOSE, f.payload.subarray(0, 2), true));
          this.readyState = 2;
          socket.end();
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', () => {
      const c = gotClose || this.sentClose || { code: 1006, reason: '' };
      this.finish(c.code, c.reason);
    });
    queueMicrotask(() => {
      this.onopen?.({});
      if (head && head.length) onData(head);
    });
  }

  fail(code, reason) {
    if (this.readyState === 3) return;
    this.onerror?.({ message: reason });
    this.finish(code, reason);
  }

  finish(code, reason) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }

  send(text) {
    if (this.readyState !== 1) throw new Error('MiniWebSocket: not open');
    this.socket.write(encodeFrame(OP_TEXT, String(text), true));
  }

  close(code = 1000, reason = '') {
    if (this.readyState >= 2) return;
    if (!this.socket) {
      this.finish(1006, 'closed before open');
      return;
    }
    this.readyState = 2;
    this.sentClose = { code, reason };
    this.socket.write(encodeFrame(OP_CLOSE, closePayload(code, reason), true));
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
