// WebSocket framing (RFC 6455) for the stand-in server and the small node
// client of the tests: just text, close, ping and pong, no extensions. Node
// 20 has no WebSocket server, and no client without a flag.

import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept answer for a Sec-WebSocket-Key. */
export function acceptKey(key) {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key. */
export function newKey() {
  return randomBytes(16).toString('base64');
}

export const OP_TEXT = 0x1;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/**
 * One frame, final, masked when mask is true (a client must mask, a server
 * must not).
 */
export function encodeFrame(opcode, payload, mask) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '', 'utf8');
  const len = data.length;
  let header;
  if (len < 126) {
    header = Buffer.alloc(2);
    header[1] = len;
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  header[0] = 0x80 | opcode;
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([header, key, masked]);
}

/** A close frame's payload: the code and a reason. */
export function closePayload(code, reason) {
  const r = Buffer.from(reason || '', 'utf8');
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code || 1000, 0);
  r.copy(b, 2);
  return b;
}

/**
 * Splits a byte stream into frames. push(chunk) returns the complete frames
 * so far as {opcode, payload}; continuation frames are joined.
 */
export class FrameReader {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.partial = null; // {opcode, parts}
  }

  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out = [];
    for (;;) {
      const f = this.next();
      if (!f) return out;
      if (f.opcode === 0x0 && this.partial) {
        this.partial.parts.push(f.payload);
        if (f.fin) {
          out.push({ opcode: this.partial.opcode, payload: Buffer.concat(this.partial.parts) });
          this.partial = null;
        }
      } else if (!f.fin && f.opcode < 0x8) {
        this.partial = { opcode: f.opcode, parts: [f.payload] };
      } else {
        out.push({ opcode: f.opcode, payload: f.payload });
      }
    }
  }

  next() {
    const b = this.buf;
    if (b.length < 2) return null;
    const fin = (b[0] & 0x80) !== 0;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return null;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return null;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    const keyOff = off;
    if (masked) off += 4;
    if (b.length < off + len) return null;
    let payload = b.subarray(off, off + len);
    if (masked) {
      const key = b.subarray(keyOff, keyOff + 4);
      const p = Buffer.alloc(len);
      for (let i = 0; i < len; i++) p[i] = payload[i] ^ key[i & 3];
      payload = p;
    } else {
      payload = Buffer.from(payload);
    }
    this.buf = b.subarray(off + len);
    return { fin, opcode, payload };
  }
}
