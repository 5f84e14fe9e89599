// Plain-HTTP requests without a request body (the registry GETs and HEADs that carry
// manifests and blobs) over our own HTTP/1.1 connections. Node's http client hands a
// body over in freshly allocated 64 KiB pieces through its parser and two layers of
// streams: for a 200 MiB pull that is most of the CLI's CPU time, and much of its
// memory. Here each connection reads straight into 1 MiB slabs (net's `onread`, one
// read after the other in the same slab), and the body reaches the caller as views of
// what each read returned: no copy. A reader that is done with a piece may hand it back
// (releaseBody); a slab whose pieces have all come back is read into again, so a
// transfer that streams into the content store allocates almost nothing. Pieces never
// handed back stay valid: their slab is simply left to the garbage collector.
//
// Supported: Content-Length, chunked and read-until-close bodies, HEAD, 1xx/204/304,
// keep-alive reuse (a request on a reused connection that dies before any response
// byte is retried once on a new one), AbortSignal. Errors carry node's codes
// (ECONNREFUSED, ECONNRESET, ABORT_ERR, HPE_*) so that they read like Go's.

import net from 'node:net';
import { Readable } from 'node:stream';

/** Reads fill slabs of this size, front to back. */
const SLAB_BYTES = 1 << 20;
/** A read gets at least this much room; less left in the slab starts another. */
const MIN_READ_BYTES = 64 << 10;
/** Slabs kept for reuse. */
const FREE_SLABS = 24;
/** Body pieces (one per read) buffered ahead of the reader before the socket is paused. */
const BODY_HIGH_WATER_PIECES = 4;
const MAX_HEAD_BYTES = 1 << 20;
const MAX_IDLE_PER_HOST = 10;

export interface RawResponse {
  httpVersion: string;
  status: number;
  /** The status line's reason phrase ("OK"). */
  reason: string;
  /** Names and values alternating, as received. */
  rawHeaders: string[];
  body: Readable;
}

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string | string[]>;
  signal?: AbortSignal;
  /** Called once a connection is assigned (for --http-trace). */
  onConnection?: (reused: boolean, remoteAddress: string) => void;
}

const codeError = (message: string, code: string) => Object.assign(new Error(message), { code });

interface Slab {
  buf: Buffer;
  /** Bytes read into it so far. */
  used: number;
  /** Body pieces handed out and not yet handed back. */
  out: number;
  /** No longer read into: reusable once `out` is 0. */
  retired: boolean;
}

const freeSlabs: Buffer[] = [];
const slabOfPiece = new WeakMap<Uint8Array, Slab>();

function newSlab(): Slab {
  return { buf: freeSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0, out: 0, retired: false };
}

function recycle(slab: Slab): void {
  if (freeSlabs.length < FREE_SLABS) freeSlabs.push(slab.buf);
}

/**
 * Hands back a body piece this module gave out: the caller promises not to touch its
 * bytes again. Anything else is ignored.
 */
export function releaseBody(piece: Uint8Array): void {
  const slab = slabOfPiece.get(piece);
  if (!slab) return;
  slabOfPiece.delete(piece);
  if (--slab.out === 0 && slab.retired) recycle(slab);
}
const abortError = () => codeError('The operation was aborted', 'ABORT_ERR');

/** Body framing of one response. */
type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/** One HTTP/1.1 connection; it serves one request at a time. */
class Connection {
  readonly socket: net.Socket;
  /** The slab reads go into now. */
  private slab = newSlab();
  /** Marks a body piece (a view of the current slab) as handed out. */
  lend(piece: Buffer): void {
    if (piece.buffer !== this.slab.buf.buffer) return; // from the head's copy
    this.slab.out++;
    slabOfPiece.set(piece, this.slab);
  }

  /** Receives each read while a request is active; returns false to pause reading. */
  onBytes: ((b: Buffer) => boolean) | undefined;
  /** The socket ended or failed while a request was active. */
  onGone: ((err: Error) => void) | undefined;
  gone = false;

  constructor(readonly key: string, host: string, port: number, onIdleGone: () => void) {
    this.socket = net.connect({
      host, port,
      onread: {
        // Asked before every read: the free part of the slab.
        buffer: () => {
          if (SLAB_BYTES - this.slab.used < MIN_READ_BYTES) {
            const old = this.slab;
            old.retired = true;
            if (old.out === 0) recycle(old);
            this.slab = newSlab();
          }
          return this.slab.buf.subarray(this.slab.used);
        },
        callback: (n: number) => {
          const data = this.slab.buf.subarray(this.slab.used, this.slab.used + n);
          this.slab.used += n;
          if (this.onBytes) return this.onBytes(data);
          this.socket.destroy(); // bytes nobody asked for: the connection is out of step
          return false;
        },
      },
    });
    this.socket.setNoDelay(true);
    const lost = (err: Error) => {
      if (this.gone) return;
      this.gone = true;
      const notify = this.onGone;
      this.onGone = undefined;
      this.onBytes = undefined;
      if (notify) notify(err);
      else onIdleGone();
    };
    this.socket.on('error', (e) => lost(e));
    this.socket.on('close', () => {
      // Nothing reads into the last slab any more.
      this.slab.retired = true;
      if (this.slab.out === 0) recycle(this.slab);
    });
    this.socket.on('end', () => lost(codeError('socket hang up', 'ECONNRESET')));
    this.socket.on('close', () => lost(codeError('socket hang up', 'ECONNRESET')));
  }
}

/** Incremental chunked transfer-coding decoder. */
class Dechunker {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private left = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds bytes; `emit` gets data pieces (views of `b`). Returns the bytes consumed. */
  push(b: Buffer, emit: (piece: Buffer) => void): number {
    let pos = 0;
    while (pos < b.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, b.length - pos);
        emit(b.subarray(pos, pos + n));
        pos += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-crlf';
        continue;
      }
      // Line-oriented states: collect up to LF.
      const lf = b.indexOf(0x0a, pos);
      const end = lf < 0 ? b.length : lf;
      this.line += b.toString('latin1', pos, end);
      if (this.line.length > 4096) throw codeError('chunk line too long', 'HPE_INVALID_CHUNK_SIZE');
      pos = lf < 0 ? b.length : lf + 1;
      if (lf < 0) break;
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'size') {
        const m = /^([0-9a-fA-F]+)\s*(;.*)?$/.exec(line);
        if (!m) throw codeError('invalid chunk size', 'HPE_INVALID_CHUNK_SIZE');
        this.left = parseInt(m[1]!, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data-crlf') {
        if (line !== '') throw codeError('missing CRLF after chunk', 'HPE_STRICT');
        this.state = 'size';
      } else if (line === '') {
        this.state = 'done'; // end of trailers
      }
    }
    return pos;
  }
}

function framingOf(method: string, status: number, rawHeaders: string[]): Framing {
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  let length: number | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim();
    if (name === 'transfer-encoding' && value.toLowerCase().split(/\s*,\s*/).includes('chunked')) return { kind: 'chunked' };
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw codeError('invalid content-length', 'HPE_INVALID_CONTENT_LENGTH');
      length = Number(value);
    }
  }
  return length === undefined ? { kind: 'close' } : length === 0 ? { kind: 'none' } : { kind: 'length', left: length };
}

function keepAlive(httpVersion: string, rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      const v = rawHeaders[i + 1]!.toLowerCase();
      if (v.includes('close')) return false;
      if (v.includes('keep-alive')) return true;
    }
  }
  return httpVersion === '1.1';
}

/** Parses a response head (status line and headers, without the blank line). */
function parseHead(text: string): { httpVersion: string; status: number; reason: string; rawHeaders: string[] } {
  const lines = text.split('\r\n');
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (!m) throw codeError(`malformed HTTP status line ${JSON.stringify(lines[0])}`, 'HPE_INVALID_CONSTANT');
  const rawHeaders: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw codeError(`malformed header line ${JSON.stringify(line)}`, 'HPE_INVALID_HEADER_TOKEN');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return { httpVersion: m[1]!, status: Number(m[2]), reason: m[3] ?? '', rawHeaders };
}

/** Keep-alive connections per host, like an http.Agent with keepAlive. */
export class Http1Pool {
  private readonly idle = new Map<string, Connection[]>();
  private closed = false;

  async request(req: RawRequest): Promise<RawResponse> {
    const host = req.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(req.url.port || 80);
    const key = `${host}:${port}`;
    const reused = this.takeIdle(key);
    if (reused) {
      try {
        return await this.exchange(reused, true, req);
      } catch (e) {
        // The server may close an idle connection just as we use it: try a new one.
        if (!(e as { beforeResponse?: boolean }).beforeResponse || req.signal?.aborted) throw e;
      }
    }
    const conn = new Connection(key, host, port, () => this.dropIdle(conn));
    return this.exchange(conn, false, req);
  }

  private takeIdle(key: string): Connection | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const c = list.pop()!;
      if (!c.gone) return c;
    }
    return undefined;
  }

  private dropIdle(conn: Connection): void {
    const list = this.idle.get(conn.key);
    const i = list?.indexOf(conn) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    conn.socket.destroy();
  }

  private release(conn: Connection): void {
    conn.onBytes = undefined;
    conn.onGone = undefined;
    const list = this.idle.get(conn.key) ?? [];
    if (this.closed || conn.gone || list.length >= MAX_IDLE_PER_HOST) {
      conn.socket.destroy();
      return;
    }
    conn.socket.unref();
    list.push(conn);
    this.idle.set(conn.key, list);
  }

  /** Sends the request on `conn` and resolves with the response once its head is in. */
  private exchange(conn: Connection, reused: boolean, req: RawRequest): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const { socket } = conn;
      socket.ref();
      let head: Buffer[] = [];
      let headBytes = 0;
      let responded = false;
      let body: Readable | undefined;
      let framing: Framing = { kind: 'none' };
      let dechunker: Dechunker | undefined;
      let reusable = false;
      let finished = false;
      let paused = false;

      const fail = (err: Error) => {
        req.signal?.removeEventListener('abort', onAbort);
        conn.onBytes = undefined;
        conn.onGone = undefined;
        socket.destroy();
        if (!responded) reject(Object.assign(err, { beforeResponse: headBytes === 0 && !(err as { code?: string }).code?.startsWith('ABORT') }));
        else if (!finished) body?.destroy(err);
      };
      const onAbort = () => fail(abortError());
      if (req.signal?.aborted) return fail(abortError());
      req.signal?.addEventListener('abort', onAbort, { once: true });

      const finish = () => {
        if (finished) return;
        finished = true;
        req.signal?.removeEventListener('abort', onAbort);
        body!.push(null);
        if (reusable) this.release(conn);
        else socket.destroy();
      };
      /** Hands body bytes on (views of the slab); notes a full reader. */
      const deliver = (piece: Buffer) => {
        if (piece.length === 0) return;
        conn.lend(piece);
        if (!body!.push(piece)) paused = true;
      };

      const onBody = (b: Buffer) => {
        if (framing.kind === 'length') {
          const n = Math.min(framing.left, b.length);
          deliver(b.subarray(0, n));
          framing.left -= n;
          if (framing.left === 0) finish();
        } else if (framing.kind === 'chunked') {
          dechunker!.push(b, deliver);
          if (dechunker!.done) finish();
        } else if (framing.kind === 'close') {
          deliver(b);
        }
      };

      const onHead = (b: Buffer) => {
        head.push(Buffer.from(b)); // a copy: the slab may be reused before the head is complete
        headBytes += b.length;
        const all = head.length === 1 ? head[0]! : Buffer.concat(head);
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) {
          if (headBytes > MAX_HEAD_BYTES) throw codeError('response head too large', 'HPE_HEADER_OVERFLOW');
          head = [all];
          return;
        }
        const parsed = parseHead(all.toString('latin1', 0, end));
        const rest = all.subarray(end + 4);
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) {
          head = [];
          headBytes = 1; // an interim response counts as a response byte
          if (rest.length) onHead(rest);
          return;
        }
        framing = framingOf(req.method, parsed.status, parsed.rawHeaders);
        reusable = framing.kind !== 'close' && keepAlive(parsed.httpVersion, parsed.rawHeaders);
        if (framing.kind === 'chunked') dechunker = new Dechunker();
        body = new Readable({
          // Object mode: a reader gets each piece as it is, where read() would first
          // concatenate everything buffered.
          objectMode: true,
          highWaterMark: BODY_HIGH_WATER_PIECES,
          read: () => {
            if (paused && !finished) {
              paused = false;
              socket.resume();
            }
          },
          destroy: (err, cb) => {
            // A body left unread makes the connection useless for the next request.
            if (!finished) {
              finished = true;
              req.signal?.removeEventListener('abort', onAbort);
              conn.onBytes = undefined;
              conn.onGone = undefined;
              socket.destroy();
            }
            cb(err);
          },
        });
        responded = true;
        resolve({ ...parsed, body });
        if (framing.kind === 'none') finish();
        else if (rest.length) onBody(rest); // part of the head's copy, not of a slab
      };

      conn.onBytes = (b) => {
        try {
          if (!responded) onHead(b);
          else onBody(b);
        } catch (e) {
          fail(e as Error);
          return false;
        }
        return !paused;
      };
      conn.onGone = (err) => {
        if (responded && framing.kind === 'close') return finish();
        if (responded) return fail(codeError('unexpected EOF', 'ECONNRESET'));
        fail(err);
      };

      const sendRequest = () => {
        req.onConnection?.(reused, `${socket.remoteAddress}:${socket.remotePort}`);
        const u = req.url;
        let text = `${req.method} ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n`;
        for (const [k, v] of Object.entries(req.headers)) {
          for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`;
        }
        socket.write(`${text}\r\n`, 'latin1');
      };
      if (reused || !socket.connecting) sendRequest();
      else socket.once('connect', sendRequest);
    });
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const c of list) c.socket.destroy();
    this.idle.clear();
  }
}
