// The HTTP/2 client against a scripted peer on a unix socket: handshake, flow
// control in both directions, CONTINUATION, padding, GOAWAY, RST_STREAM, deadlines,
// cancellation, limits, concurrency. The peer has its own minimal framing and HPACK
// literal encoding so it does not lean on the code under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dialH2 } from '../../src/client/h2/index.js';
import { ENCODED_PARTS, frameMessage, messageBuffer, messageBufferSize } from '../../src/client/h2/grpc.js';
import { Code, GrpcError, type MethodDesc, type Transport } from '../../src/client/transport.js';

const T = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
const END_STREAM = 1, ACK = 1, END_HEADERS = 4, PADDED = 8;
const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

interface PeerFrame { type: number; flags: number; stream: number; payload: Buffer }

function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream, 5);
  return Buffer.concat([h, payload]);
}
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
/** HPACK "literal without indexing, new name", short strings only. */
function literalBlock(headers: Array<[string, string]>): Buffer {
  const parts: number[] = [];
  for (const [n, v] of headers) parts.push(0, n.length, ...Buffer.from(n), v.length, ...Buffer.from(v));
  return Buffer.from(parts);
}
function grpcMessage(body: Buffer): Buffer {
  const m = Buffer.alloc(5 + body.length);
  m.writeUInt32BE(body.length, 1);
  body.copy(m, 5);
  return m;
}
const RESPONSE_HEADERS = literalBlock([[':status', '200'], ['content-type', 'application/grpc']]);
const OK_TRAILERS = literalBlock([['grpc-status', '0']]);

class PeerConn {
  readonly received: PeerFrame[] = [];
  private pending: PeerFrame[] = [];
  private waiters: Array<() => void> = [];
  private buf = Buffer.alloc(0);
  private prefaceSeen = false;
  /** Flow-control credit the client has granted us. */
  connWindow = 65535;
  readonly streamWindow = new Map<number, number>();
  clientInitialWindow = 65535;
  closed = false;

  constructor(readonly socket: Socket, settings: Array<[number, number]>) {
    const payload = Buffer.concat(settings.map(([id, v]) => { const b = Buffer.alloc(6); b.writeUInt16BE(id); b.writeUInt32BE(v, 2); return b; }));
    socket.write(frame(T.SETTINGS, 0, 0, payload));
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => {});
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.prefaceSeen) {
      if (this.buf.length < 24) return;
      assert.equal(this.buf.subarray(0, 24).toString('latin1'), PREFACE);
      this.buf = this.buf.subarray(24);
      this.prefaceSeen = true;
    }
    while (this.buf.length >= 9) {
      const len = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + len) break;
      const f = { type: this.buf[3], flags: this.buf[4], stream: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) };
      this.buf = this.buf.subarray(9 + len);
      this.account(f);
      this.received.push(f);
      this.pending.push(f);
    }
    this.wake();
  }

  private account(f: PeerFrame): void {
    if (f.type === T.SETTINGS && !(f.flags & ACK)) {
      for (let i = 0; i < f.payload.length; i += 6) {
        if (f.payload.readUInt16BE(i) === 4) this.clientInitialWindow = f.payload.readUInt32BE(i + 2);
      }
      this.socket.write(frame(T.SETTINGS, ACK, 0));
    } else if (f.type === T.WINDOW_UPDATE) {
      const inc = f.payload.readUInt32BE(0);
      if (f.stream === 0) this.connWindow += inc;
      else this.streamWindow.set(f.stream, this.window(f.stream) + inc);
    }
  }

  window(stream: number): number {
    return this.streamWindow.get(stream) ?? this.clientInitialWindow;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next not-yet-taken frame matching `pred`. */
  async expect(pred: (f: PeerFrame) => boolean, what = 'frame', timeoutMs = 3000): Promise<PeerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.pending.findIndex(pred);
      if (i >= 0) return this.pending.splice(i, 1)[0];
      if (this.closed || Date.now() > deadline) throw new Error(`peer: no ${what} (closed=${this.closed})`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 20); });
    }
  }

  headersOf = (stream?: number) => (f: PeerFrame) => f.type === T.HEADERS && (stream === undefined || f.stream === stream);

  send(type: number, flags: number, stream: number, payload?: Buffer): void {
    this.socket.write(frame(type, flags, stream, payload));
  }

  /** Sends DATA within the client's windows; returns how many bytes went. */
  sendData(stream: number, data: Buffer, endStream = false): number {
    let off = 0;
    while (off < data.length) {
      const n = Math.min(16384, data.length - off, this.connWindow, this.window(stream));
      if (n <= 0) break;
      this.send(T.DATA, endStream && off + n === data.length ? END_STREAM : 0, stream, data.subarray(off, off + n));
      this.connWindow -= n;
      this.streamWindow.set(stream, this.window(stream) - n);
      off += n;
    }
    return off;
  }

  respond(stream: number, messages: Buffer[], trailers = OK_TRAILERS): void {
    this.send(T.HEADERS, END_HEADERS, stream, RESPONSE_HEADERS);
    const body = Buffer.concat(messages.map(grpcMessage));
    assert.equal(this.sendData(stream, body), body.length);
    this.send(T.HEADERS, END_HEADERS | END_STREAM, stream, trailers);
  }
}

class Peer {
  readonly conns: PeerConn[] = [];
  private connWaiters: Array<() => void> = [];
  constructor(readonly server: Server, readonly path: string, private readonly dir: string) {}

  static async start(settings: Array<[number, number]> = []): Promise<Peer> {
    const dir = mkdtempSync(join(tmpdir(), 'h2peer-'));
    const path = join(dir, 'peer.sock');
    let peer!: Peer;
    const server = createServer((s) => {
      peer.conns.push(new PeerConn(s, settings));
      for (const w of peer.connWaiters.splice(0)) w();
    });
    peer = new Peer(server, path, dir);
    await new Promise<void>((r) => server.listen(path, r));
    return peer;
  }

  async conn(index = 0): Promise<PeerConn> {
    while (this.conns.length <= index) await new Promise<void>((r) => this.connWaiters.push(r));
    return this.conns[index];
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const bytesMethod = (path: string, opts: { requestStream?: boolean; responseStream?: boolean } = {}): MethodDesc<Buffer, Buffer> => ({
  path, requestStream: !!opts.requestStream, responseStream: !!opts.responseStream,
  encode: (b) => b, decode: (b) => Buffer.from(b),
});
const UNARY = bytesMethod('/test.Svc/Unary');
const SERVER_STREAM = bytesMethod('/test.Svc/Stream', { responseStream: true });
const BIDI = bytesMethod('/test.Svc/Bidi', { requestStream: true, responseStream: true });

async function withPeer(settings: Array<[number, number]>, fn: (peer: Peer, t: Transport) => Promise<void>, maxReceive?: number) {
  const peer = await Peer.start(settings);
  const t = await dialH2({ address: peer.path, connectTimeoutMs: 2000, maxReceiveMessageBytes: maxReceive });
  try {
    await fn(peer, t);
  } finally {
    t.close();
    await peer.stop();
  }
}

const isGrpc = (code: number, details: string | RegExp) => (e: unknown) => {
  assert.ok(e instanceof GrpcError, `not a GrpcError: ${e}`);
  assert.equal(e.code, code);
  if (typeof details === 'string') assert.equal(e.details, details);
  else assert.match(e.details, details);
  return true;
};
const dataBytes = (frames: PeerFrame[], stream: number) =>
  frames.filter((f) => f.type === T.DATA && f.stream === stream).reduce((n, f) => n + f.payload.length, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  assert.ok(cond(), what);
}

test('handshake: preface, SETTINGS, connection WINDOW_UPDATE, SETTINGS ack, PING ack', async () => {
  await withPeer([], async (peer) => {
    const c = await peer.conn();
    const settings = await c.expect((f) => f.type === T.SETTINGS && !(f.flags & ACK), 'SETTINGS');
    const values = new Map<number, number>();
    for (let i = 0; i < settings.payload.length; i += 6) values.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2));
    assert.equal(values.get(2), 0, 'push disabled');
    assert.ok((values.get(4) ?? 0) >= 1 << 20, 'large initial window');
    const wu = await c.expect((f) => f.type === T.WINDOW_UPDATE && f.stream === 0, 'connection WINDOW_UPDATE');
    assert.ok(wu.payload.readUInt32BE(0) >= 1 << 20);
    await c.expect((f) => f.type === T.SETTINGS && (f.flags & ACK) !== 0, 'SETTINGS ack');
    c.send(T.PING, 0, 0, Buffer.from('12345678'));
    const pong = await c.expect((f) => f.type === T.PING, 'PING ack');
    assert.equal(pong.flags, ACK);
    assert.equal(pong.payload.toString(), '12345678');
  });
});

test('request headers and a unary round trip', async () => {
  await withPeer([], async (peer, t) => {
    const reply = t.unary(UNARY, Buffer.from('ping'), { metadata: { 'containerd-namespace': 'ns1' }, deadline: Date.now() + 5000 });
    const c = await peer.conn();
    const h = await c.expect(c.headersOf(), 'HEADERS');
    assert.equal(h.stream, 1);
    assert.equal(h.flags & END_HEADERS, END_HEADERS);
    const text = h.payload.toString('latin1');
    for (const s of ['/test.Svc/Unary', 'localhost', 'application/grpc', 'te', 'trailers', 'grpc-timeout', 'containerd-namespace', 'ns1']) {
      assert.ok(text.includes(s), `header block has ${s}`);
    }
    assert.match(text, /grpc-timeout.\d{1,8}[num]/s);
    const d = await c.expect((f) => f.type === T.DATA && f.stream === 1, 'DATA');
    assert.deepEqual(d.payload, grpcMessage(Buffer.from('ping')));
    assert.equal(d.flags & END_STREAM, END_STREAM);
    c.respond(1, [Buffer.from('pong')]);
    assert.equal((await reply).toString(), 'pong');
  });
});

test('sending honours the stream window and waits for WINDOW_UPDATE', async () => {
  await withPeer([[4, 100]], async (peer, t) => {
    const call = t.bidi(BIDI);
    const c = await peer.conn();
    await c.expect((f) => f.type === T.SETTINGS && (f.flags & ACK) !== 0, 'SETTINGS ack');
    let sent = false;
    const sending = call.send(Buffer.alloc(1000, 7)).then(() => (sent = true));
    await c.expect(c.headersOf(1));
    await sleep(100);
    assert.equal(dataBytes(c.received, 1), 100, 'only the initial 100-byte window is used');
    assert.equal(sent, false, 'send() waits for credit');
    c.send(T.WINDOW_UPDATE, 0, 1, u32(400));
    await sleep(100);
    assert.equal(dataBytes(c.received, 1), 500);
    assert.equal(sent, false);
    c.send(T.WINDOW_UPDATE, 0, 1, u32(10000));
    await sending;
    await until(() => dataBytes(c.received, 1) === 1005, 'all 1005 bytes arrive');
    call.end();
    const end = await c.expect((f) => f.type === T.DATA && (f.flags & END_STREAM) !== 0, 'END_STREAM');
    assert.equal(end.payload.length, 0);
    c.respond(1, []);
    for await (const _ of call.responses) assert.fail('no responses expected');
  });
});

test('sending honours the connection window and the peer MAX_FRAME_SIZE', async () => {
  await withPeer([[4, 1 << 20], [5, 32768]], async (peer, t) => {
    const call = t.bidi(BIDI);
    const c = await peer.conn();
    await c.expect((f) => f.type === T.SETTINGS && (f.flags & ACK) !== 0, 'SETTINGS ack');
    const sending = call.send(Buffer.alloc(200_000, 1));
    await sleep(150);
    assert.equal(dataBytes(c.received, 1), 65535, 'stops at the connection window');
    const sizes = c.received.filter((f) => f.type === T.DATA).map((f) => f.payload.length);
    assert.ok(Math.max(...sizes) === 32768, `frames up to the peer's 32768: ${sizes}`);
    c.send(T.WINDOW_UPDATE, 0, 0, u32(1 << 20));
    await sending;
    await until(() => dataBytes(c.received, 1) === 200_005, 'all bytes arrive');
    call.cancel();
    await c.expect((f) => f.type === T.RST_STREAM && f.stream === 1, 'RST_STREAM');
  });
});

test('a window shrunk below zero by SETTINGS recovers with WINDOW_UPDATE', async () => {
  await withPeer([[4, 1000]], async (peer, t) => {
    const call = t.bidi(BIDI);
    const c = await peer.conn();
    await call.send(Buffer.alloc(995));
    await until(() => dataBytes(c.received, 1) === 1000, 'the first message arrives');
    c.send(T.SETTINGS, 0, 0, Buffer.from([0, 4, 0, 0, 0, 0])); // initial window 0: stream window -1000
    await c.expect((f) => f.type === T.SETTINGS && (f.flags & ACK) !== 0 && c.received.filter((x) => x.type === T.SETTINGS && x.flags & ACK).length === 2, 'second ack');
    const sending = call.send(Buffer.alloc(10));
    c.send(T.WINDOW_UPDATE, 0, 1, u32(1000));
    await sleep(100);
    assert.equal(dataBytes(c.received, 1), 1000, 'still blocked at window 0');
    c.send(T.WINDOW_UPDATE, 0, 1, u32(15));
    await sending;
    await until(() => dataBytes(c.received, 1) === 1015, 'the second message arrives');
    call.cancel();
  });
});

test('receiving: CONTINUATION, padding, messages split across and packed into frames', async () => {
  await withPeer([], async (peer, t) => {
    const got: string[] = [];
    const done = (async () => { for await (const m of t.serverStream(SERVER_STREAM, Buffer.from('q'))) got.push(m.toString()); })();
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    // Response headers in three pieces.
    c.send(T.HEADERS, PADDED, 1, Buffer.concat([Buffer.from([3]), RESPONSE_HEADERS.subarray(0, 5), Buffer.alloc(3)]));
    c.send(T.CONTINUATION, 0, 1, RESPONSE_HEADERS.subarray(5, 12));
    c.send(T.CONTINUATION, END_HEADERS, 1, RESPONSE_HEADERS.subarray(12));
    const body = Buffer.concat(['one', 'two', 'three', 'four'].map((s) => grpcMessage(Buffer.from(s))));
    c.send(T.DATA, PADDED, 1, Buffer.concat([Buffer.from([10]), body.subarray(0, 17), Buffer.alloc(10)])); // one, two, part of three
    c.send(T.DATA, 0, 1, body.subarray(17, 20));
    c.send(T.DATA, 0, 1, body.subarray(20));
    const trailers = literalBlock([['grpc-status', '0'], ['grpc-message', '']]);
    c.send(T.HEADERS, END_STREAM, 1, trailers.subarray(0, 4));
    c.send(T.CONTINUATION, END_HEADERS, 1, trailers.subarray(4));
    await done;
    assert.deepEqual(got, ['one', 'two', 'three', 'four']);
  });
});

test('receiving: credit is returned as data is consumed, and held back for a slow consumer', async () => {
  await withPeer([], async (peer, t) => {
    const iterator = t.serverStream(SERVER_STREAM, Buffer.from('q'))[Symbol.asyncIterator]();
    const first = iterator.next();
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.send(T.HEADERS, END_HEADERS, 1, RESPONSE_HEADERS);
    const message = grpcMessage(Buffer.alloc(64 * 1024 - 5, 9));
    const total = 48 * 1024 * 1024; // far more than any window
    const wire = Buffer.concat(Array.from({ length: total / message.length }, () => message));
    let sent = c.sendData(1, wire);
    await first;
    // Nobody reads now: what the peer may send must level off.
    for (let i = 0; i < 10; i++) {
      await sleep(30);
      sent += c.sendData(1, wire.subarray(sent));
    }
    const plateau = sent;
    await sleep(100);
    sent += c.sendData(1, wire.subarray(sent));
    assert.equal(sent, plateau, 'no credit while the consumer is idle');
    assert.ok(plateau < 16 * 1024 * 1024, `buffered ${plateau} bytes`);
    // Reading drains the queue; credit flows again and the rest arrives.
    let count = 1;
    const reading = (async () => { while (!(await iterator.next()).done) count++; })();
    while (sent < wire.length) {
      await sleep(5);
      sent += c.sendData(1, wire.subarray(sent));
    }
    c.send(T.HEADERS, END_HEADERS | END_STREAM, 1, OK_TRAILERS);
    await reading;
    assert.equal(count, wire.length / message.length);
    assert.ok(c.received.some((f) => f.type === T.WINDOW_UPDATE && f.stream === 1));
  });
});

test('HEADERS larger than the peer frame size go out as HEADERS + CONTINUATION', async () => {
  await withPeer([], async (peer, t) => {
    const big = 'x'.repeat(40000);
    const reply = t.unary(UNARY, Buffer.from(''), { metadata: { 'x-big': big } });
    const c = await peer.conn();
    const h = await c.expect(c.headersOf(1));
    assert.equal(h.flags & END_HEADERS, 0);
    const parts = [h];
    for (;;) {
      const f = await c.expect((x) => x.type === T.CONTINUATION && x.stream === 1, 'CONTINUATION');
      parts.push(f);
      if (f.flags & END_HEADERS) break;
    }
    assert.ok(parts.length >= 3 && parts.every((p) => p.payload.length <= 16384));
    assert.ok(Buffer.concat(parts.map((p) => p.payload)).includes(big));
    c.respond(1, [Buffer.from('ok')]);
    assert.equal((await reply).toString(), 'ok');
  });
});

test('many concurrent streams, answered out of order; MAX_CONCURRENT_STREAMS is honoured', async () => {
  await withPeer([[3, 2]], async (peer, t) => {
    const calls = Array.from({ length: 10 }, (_, i) => t.unary(UNARY, Buffer.from(`req${i}`)));
    const c = await peer.conn();
    const answered = new Set<number>();
    while (answered.size < 10) {
      await sleep(30);
      const open = c.received.filter((f) => f.type === T.HEADERS).map((f) => f.stream).filter((s) => !answered.has(s));
      assert.ok(open.length <= 2, `open streams ${open}`);
      for (const s of open.reverse()) {
        const req = c.received.find((f) => f.type === T.DATA && f.stream === s)!;
        c.respond(s, [Buffer.from(`re:${req.payload.subarray(5)}`)]);
        answered.add(s);
      }
    }
    assert.deepEqual((await Promise.all(calls)).map(String), calls.map((_, i) => `re:req${i}`));
  });
});

test('status errors: trailers-only and after messages, grpc-message percent-decoded', async () => {
  await withPeer([], async (peer, t) => {
    const failing = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.send(T.HEADERS, END_HEADERS | END_STREAM, 1, literalBlock([
      [':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '5'], ['grpc-message', 'thing %22x%22: not found'],
    ]));
    await assert.rejects(failing, isGrpc(Code.NotFound, 'thing "x": not found'));

    const got: string[] = [];
    const stream = (async () => { for await (const m of t.serverStream(SERVER_STREAM, Buffer.from(''))) got.push(String(m)); })();
    await c.expect(c.headersOf(3));
    c.respond(3, [Buffer.from('a'), Buffer.from('b')], literalBlock([['grpc-status', '13'], ['grpc-message', 'boom']]));
    await assert.rejects(stream, isGrpc(Code.Internal, 'boom'));
    assert.deepEqual(got, ['a', 'b'], 'messages before the status are delivered');
  });
});

test('RST_STREAM from the peer', async () => {
  await withPeer([], async (peer, t) => {
    const call = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.send(T.RST_STREAM, 0, 1, u32(1));
    await assert.rejects(call, isGrpc(Code.Internal, 'stream terminated by RST_STREAM with error code: PROTOCOL_ERROR'));
  });
});

test('deadline: DeadlineExceeded locally and RST_STREAM(CANCEL)', async () => {
  await withPeer([], async (peer, t) => {
    const start = Date.now();
    const call = t.unary(UNARY, Buffer.from(''), { deadline: Date.now() + 150 });
    const c = await peer.conn();
    await assert.rejects(call, isGrpc(Code.DeadlineExceeded, 'context deadline exceeded'));
    assert.ok(Date.now() - start >= 140);
    const rst = await c.expect((f) => f.type === T.RST_STREAM && f.stream === 1, 'RST_STREAM');
    assert.equal(rst.payload.readUInt32BE(0), 8);
    // Already expired: fails without touching the wire.
    await assert.rejects(t.unary(UNARY, Buffer.from(''), { deadline: Date.now() - 1 }), isGrpc(Code.DeadlineExceeded, 'context deadline exceeded'));
    assert.equal(c.received.filter((f) => f.type === T.HEADERS).length, 1);
  });
});

test('AbortSignal and cancel(): Canceled and RST_STREAM(CANCEL)', async () => {
  await withPeer([], async (peer, t) => {
    const ac = new AbortController();
    const it = t.serverStream(SERVER_STREAM, Buffer.from(''), { signal: ac.signal })[Symbol.asyncIterator]();
    const next = it.next();
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    ac.abort();
    await assert.rejects(next, isGrpc(Code.Canceled, 'context canceled'));
    assert.equal((await c.expect((f) => f.type === T.RST_STREAM && f.stream === 1)).payload.readUInt32BE(0), 8);

    const bidi = t.bidi(BIDI);
    await bidi.send(Buffer.from('x'));
    bidi.cancel();
    await assert.rejects(bidi.send(Buffer.from('y')), isGrpc(Code.Canceled, 'context canceled'));
    await c.expect((f) => f.type === T.RST_STREAM && f.stream === 3);

    // Breaking out of for-await cancels too.
    const s = t.serverStream(SERVER_STREAM, Buffer.from(''));
    const reading = (async () => { for await (const _ of s) break; })();
    await c.expect(c.headersOf(5));
    c.send(T.HEADERS, END_HEADERS, 5, RESPONSE_HEADERS);
    c.sendData(5, grpcMessage(Buffer.from('m')));
    await reading;
    await c.expect((f) => f.type === T.RST_STREAM && f.stream === 5);
  });
});

test('a message above maxReceiveMessageBytes: ResourceExhausted with grpc-go text, stream cancelled', async () => {
  await withPeer([], async (peer, t) => {
    const call = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.send(T.HEADERS, END_HEADERS, 1, RESPONSE_HEADERS);
    c.sendData(1, grpcMessage(Buffer.alloc(11)));
    await assert.rejects(call, isGrpc(Code.ResourceExhausted, 'grpc: received message larger than max (11 vs. 10)'));
    await c.expect((f) => f.type === T.RST_STREAM && f.stream === 1);
  }, 10);
});

test('GOAWAY: streams above last-stream-id are refused, older ones finish, next call redials', async () => {
  await withPeer([], async (peer, t) => {
    const a = t.unary(UNARY, Buffer.from('a'));
    const b = t.unary(UNARY, Buffer.from('b'));
    const c = await peer.conn();
    await c.expect(c.headersOf(3));
    c.send(T.GOAWAY, 0, 0, Buffer.concat([u32(1), u32(0)]));
    await assert.rejects(b, isGrpc(Code.Unavailable, 'the stream is rejected because server is draining the connection'));
    c.respond(1, [Buffer.from('A')]);
    assert.equal(String(await a), 'A');
    const again = t.unary(UNARY, Buffer.from('c'));
    const c2 = await peer.conn(1);
    await c2.expect(c2.headersOf(1));
    c2.respond(1, [Buffer.from('C')]);
    assert.equal(String(await again), 'C');
  });
});

test('connection loss mid-call: Unavailable; close(): Canceled', async () => {
  await withPeer([], async (peer, t) => {
    const call = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.socket.destroy();
    await assert.rejects(call, isGrpc(Code.Unavailable, 'transport is closing'));
  });
  await withPeer([], async (peer, t) => {
    const call = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    t.close();
    await assert.rejects(call, isGrpc(Code.Canceled, 'grpc: the client connection is closing'));
    await assert.rejects(t.unary(UNARY, Buffer.from('')), isGrpc(Code.Canceled, 'grpc: the client connection is closing'));
  });
});

test('a non-gRPC response is reported like grpc-go does', async () => {
  await withPeer([], async (peer, t) => {
    const call = t.unary(UNARY, Buffer.from(''));
    const c = await peer.conn();
    await c.expect(c.headersOf(1));
    c.send(T.HEADERS, END_HEADERS | END_STREAM, 1, literalBlock([[':status', '503'], ['content-type', 'text/plain']]));
    await assert.rejects(call, isGrpc(Code.Unavailable, 'Service Unavailable: HTTP status code 503; transport: received the unexpected content-type "text/plain"'));
  });
});

test('upload streams: the first shares the connection, further concurrent ones get their own (at most 4 more)', async () => {
  await withPeer([], async (peer, t) => {
    const calls = Array.from({ length: 7 }, () => t.bidi(BIDI));
    await Promise.all(calls.map((c, i) => c.send(Buffer.from(`upload ${i}`))));
    await until(() => peer.conns.length === 5, 'five connections');
    // Every connection carries at least one upload; unary calls stay on the first.
    for (let i = 0; i < 5; i++) await until(() => peer.conns[i]!.received.some((f) => f.type === T.DATA), `data on connection ${i}`);
    const reply = t.unary(UNARY, Buffer.from('small'));
    const c0 = await peer.conn(0);
    const h = await c0.expect((f) => f.type === T.HEADERS && f.payload.includes('/test.Svc/Unary'), 'unary HEADERS on the first connection');
    c0.respond(h.stream, [Buffer.from('ok')]);
    assert.equal((await reply).toString(), 'ok');
    assert.equal(peer.conns.length, 5);
    for (const c of calls) c.cancel();
  });
});

test('upload connections are reused once their streams end', async () => {
  await withPeer([], async (peer, t) => {
    const finish = async (n: number) => {
      const calls = Array.from({ length: n }, () => t.bidi(BIDI));
      await Promise.all(calls.map((c) => c.send(Buffer.from('x'))));
      for (const c of calls) c.cancel();
      await sleep(20);
    };
    await finish(3);
    assert.equal(peer.conns.length, 3);
    await finish(3);
    assert.equal(peer.conns.length, 3, 'no new connections for the second round');
  });
});

test('a message laid out by messageBuffer is framed in place, without a copy', () => {
  const backing = Buffer.alloc(messageBufferSize(4) + 3);
  const view = messageBuffer(backing, 4);
  view.set([1, 2, 3, 4]);
  const framed = frameMessage(view);
  assert.equal(framed.buffer, backing.buffer, 'same memory');
  assert.deepEqual([...framed], [0, 0, 0, 0, 4, 1, 2, 3, 4]);
  // Framing it again (say a retry) must not write over memory before it twice: it copies.
  assert.notEqual(frameMessage(view).buffer, backing.buffer);
  assert.throws(() => messageBuffer(Buffer.alloc(6), 4), RangeError);
});

test('a request given as parts goes out as one message, the parts unjoined, frames crossing their edges', async () => {
  await withPeer([], async (peer, t) => {
    const parts = [randomBytes(5000), randomBytes(40000), Buffer.alloc(0), randomBytes(1), randomBytes(70000)];
    const call = t.bidi(BIDI);
    // The codec's bytes stand for what another transport would send; this one takes the parts.
    const req = Object.assign(Buffer.from('not these bytes'), { [ENCODED_PARTS]: () => parts });
    const sent = call.send(req);
    const c = await peer.conn();
    const h = await c.expect(c.headersOf(), 'HEADERS');
    // Credit for all of it (the default windows are 64 KiB).
    c.send(T.WINDOW_UPDATE, 0, 0, u32(1 << 20));
    c.send(T.WINDOW_UPDATE, 0, h.stream, u32(1 << 20));
    await sent;
    const expected = Buffer.concat(parts);
    await until(() => dataBytes(c.received, h.stream) === 5 + expected.length, 'the whole message');
    const got = Buffer.concat(c.received.filter((f) => f.type === T.DATA && f.stream === h.stream).map((f) => f.payload));
    assert.equal(got[0], 0);
    assert.equal(got.readUInt32BE(1), expected.length);
    assert.ok(got.subarray(5).equals(expected));
    assert.ok(c.received.filter((f) => f.type === T.DATA && f.stream === h.stream).every((f) => f.payload.length <= 16384));
    call.cancel();
  });
});
