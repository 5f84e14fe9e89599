// Unix sockets and FIFOs driven through libuv's pipe handle directly, as node's
// net.Socket drives them, minus node's streams. Loading net (and with it node's stream
// modules) and running a socket through them for the first time costs ~10 ms of this
// thread at start-up, right where `ctr run` waits on nothing but its own CPU; the handle
// alone costs ~1 ms.
//
// The handles come from process.binding, deprecated in the documentation only
// (DEP0111): pipe_wrap, stream_wrap and uv are on node's list of bindings it still
// offers there. Where they are missing, where node was asked to warn about them
// (--pending-deprecation), or with CTR_TS_NATIVE=off, these functions hand out
// net.Socket instead, which has the same shape (ByteStream).

import { closeSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import { nodeRequire } from './require.js';

/** The part of net.Socket that the gRPC connection and task IO use. */
export interface ByteStream {
  /** false once so much is queued that the writer should wait for 'drain'. */
  write(chunk: Uint8Array | string): boolean;
  /** Shuts the write side after what is queued (and `chunk`); a write-only pipe closes. */
  end(): void;
  end(chunk: Uint8Array): void;
  destroy(): void;
  cork(): void;
  uncork(): void;
  /** Bytes handed to write() and not yet taken by the kernel. */
  readonly writableLength: number;
  ref(): void;
  unref(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end' | 'close' | 'drain', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  once(event: 'data', listener: (chunk: Buffer) => void): this;
  once(event: 'end' | 'close' | 'drain', listener: () => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
}

export type ConnectResult = { socket: ByteStream } | { errno: string; message: string };

// The bindings' shapes, as node 20 has them (src/pipe_wrap.cc, src/stream_wrap.cc).
interface Req {
  oncomplete: (status: number) => void;
  handle?: PipeHandle;
  address?: string;
  /** Keeps an asynchronously written buffer alive until the write completes. */
  buffer?: unknown;
}
interface PipeHandle {
  onread: (buf: ArrayBuffer | undefined) => void;
  open(fd: number): number;
  connect(req: Req, path: string): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Req, buf: Uint8Array): number;
  writev(req: Req, chunks: Uint8Array[], allBuffers: true): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
}
interface Bindings {
  Pipe: new (type: number) => PipeHandle;
  PipeConnectWrap: new () => Req;
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  SOCKET: number;
  state: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
  EOF: number;
}

let bindings: Bindings | null | undefined;

function handles(): Bindings | null {
  if (process.env.CTR_TS_NATIVE === 'off') return null;
  if (bindings !== undefined) return bindings;
  bindings = null;
  const pending = (process.env.NODE_PENDING_DEPRECATION ?? '').startsWith('1')
    || [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--pending-deprecation'));
  if (pending) return bindings;
  try {
    const proc = process as unknown as { binding(name: string): Record<string, never> };
    const binding = (name: string) => proc.binding(name);
    const pipe = binding('pipe_wrap');
    const stream = binding('stream_wrap');
    const uv = binding('uv');
    const b: Bindings = {
      Pipe: pipe.Pipe,
      PipeConnectWrap: pipe.PipeConnectWrap,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      SOCKET: (pipe.constants as { SOCKET: number } | undefined)?.SOCKET ?? -1,
      state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
      kArrayBufferOffset: stream.kArrayBufferOffset,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
      EOF: uv.UV_EOF,
    };
    const complete = [b.Pipe, b.PipeConnectWrap, b.WriteWrap, b.ShutdownWrap].every((c) => typeof c === 'function')
      && b.state instanceof Int32Array && b.SOCKET >= 0
      && [b.kReadBytesOrError, b.kArrayBufferOffset, b.kLastWriteWasAsync, b.EOF].every((n) => typeof n === 'number');
    if (complete) bindings = b;
  } catch {
    // no process.binding here (a permission model, a later node): net.Socket it is
  }
  return bindings;
}

/** Node's error for a failed libuv call: "connect ECONNREFUSED /run/x.sock". */
function uvError(status: number, syscall: string, path?: string): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  const err: NodeJS.ErrnoException = new Error(`${syscall} ${code}${path ? ` ${path}` : ''}`);
  err.errno = status;
  err.code = code;
  err.syscall = syscall;
  if (path) err.path = path;
  return err;
}

type Listener = (arg?: never) => void;
/** net's high-water mark: write() asks the writer to wait beyond this. */
const HIGH_WATER_MARK = 16 * 1024;

/**
 * One pipe handle with net.Socket's events and semantics as the callers rely on them:
 * reading starts with the first 'data' listener; end of input gives 'end' and then
 * 'close' (no half-open sockets, like net's default); a failed read or write gives
 * 'error' and then 'close'.
 */
class Pipe implements ByteStream {
  private readonly listeners = new Map<string, Listener[]>();
  private reading = false;
  private destroyed = false;
  private writeEnded = false;
  private sawEOF = false;
  private queued = 0;
  private needDrain = false;
  private corks = 0;
  private corked: Uint8Array[] = [];
  private corkedBytes = 0;

  constructor(private readonly b: Bindings, private readonly handle: PipeHandle, private readonly readable: boolean) {
    handle.onread = (buf) => this.onRead(buf);
  }

  get writableLength(): number {
    return this.queued + this.corkedBytes;
  }

  on(event: string, listener: (...args: never[]) => void): this {
    const list = this.listeners.get(event);
    if (list) list.push(listener as Listener);
    else this.listeners.set(event, [listener as Listener]);
    if (event === 'data') this.startReading();
    return this;
  }

  once(event: string, listener: (...args: never[]) => void): this {
    const once = (arg?: never) => {
      this.off(event, once);
      (listener as Listener)(arg);
    };
    (once as { listener?: unknown }).listener = listener;
    return this.on(event, once);
  }

  off(event: string, listener: (...args: never[]) => void): this {
    const list = this.listeners.get(event);
    const i = list?.findIndex((l) => l === listener || (l as { listener?: unknown }).listener === listener) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    return this;
  }

  private emit(event: string, arg?: unknown): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const l of [...list]) l(arg as never);
  }

  private startReading(): void {
    if (this.reading || !this.readable || this.destroyed || this.sawEOF) return;
    this.reading = true;
    const err = this.handle.readStart();
    if (err !== 0) this.fail(uvError(err, 'read'));
  }

  private onRead(buf: ArrayBuffer | undefined): void {
    const n = this.b.state[this.b.kReadBytesOrError]!;
    if (n > 0) {
      if (!this.destroyed) this.emit('data', Buffer.from(buf!, this.b.state[this.b.kArrayBufferOffset]!, n));
      return;
    }
    if (n === 0) return;
    if (n !== this.b.EOF) {
      this.fail(uvError(n, 'read'));
      return;
    }
    this.sawEOF = true;
    this.reading = false;
    this.handle.readStop();
    this.emit('end');
    this.destroy();
  }

  write(data: Uint8Array | string): boolean {
    if (this.destroyed || this.writeEnded) return false;
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.corks === 0) return this.dispatch([chunk], chunk.length);
    this.corked.push(chunk);
    this.corkedBytes += chunk.length;
    return this.belowHighWater();
  }

  /** write()'s answer; when it is false, 'drain' follows once the queue is empty. */
  private belowHighWater(): boolean {
    if (this.writableLength < HIGH_WATER_MARK) return true;
    this.needDrain = true;
    return false;
  }

  /** Hands chunks to libuv, which writes what it can now and queues the rest. */
  private dispatch(chunks: Uint8Array[], bytes: number): boolean {
    const req = new this.b.WriteWrap();
    req.handle = this.handle;
    req.oncomplete = (status) => this.afterWrite(bytes, status);
    const err = chunks.length === 1 ? this.handle.writeBuffer(req, chunks[0]!) : this.handle.writev(req, chunks, true);
    if (err !== 0) {
      this.fail(uvError(err, 'write'));
      return false;
    }
    if (this.b.state[this.b.kLastWriteWasAsync]) {
      req.buffer = chunks;
      this.queued += bytes;
    }
    return this.belowHighWater();
  }

  /** Only asynchronous writes complete here (a write done at once has no callback). */
  private afterWrite(bytes: number, status: number): void {
    this.queued -= bytes;
    if (this.destroyed) return;
    if (status < 0) {
      this.fail(uvError(status, 'write'));
      return;
    }
    if (this.queued === 0 && this.needDrain) {
      this.needDrain = false;
      this.emit('drain');
    }
  }

  cork(): void {
    this.corks++;
  }

  uncork(): void {
    if (this.corks === 0 || --this.corks > 0 || this.corked.length === 0) return;
    const chunks = this.corked;
    const bytes = this.corkedBytes;
    this.corked = [];
    this.corkedBytes = 0;
    if (!this.destroyed) this.dispatch(chunks, bytes);
  }

  end(chunk?: Uint8Array): void {
    if (this.destroyed || this.writeEnded) return;
    if (chunk) this.write(chunk);
    this.corks = 1;
    this.uncork();
    this.writeEnded = true;
    // libuv shuts down after the queued writes; a FIFO, which is no socket, fails the
    // shutdown(2) itself, and is closed all the same (as net does).
    const req = new this.b.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = () => this.afterShutdown();
    if (this.handle.shutdown(req) !== 0) this.afterShutdown();
  }

  private afterShutdown(): void {
    if (!this.readable || this.sawEOF) this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.reading) this.handle.readStop();
    this.reading = false;
    this.handle.close(() => this.emit('close'));
  }

  private fail(err: Error): void {
    if (this.destroyed) return;
    this.emit('error', err);
    this.destroy();
  }

  ref(): void {
    if (!this.destroyed) this.handle.ref();
  }

  unref(): void {
    if (!this.destroyed) this.handle.unref();
  }
}

/** Which implementation connectPipe and openPipe hand out now. */
export function pipeKind(): 'libuv' | 'net' {
  return handles() ? 'libuv' : 'net';
}

/** Connects to the unix socket at `path`; a failure comes back as node names it. */
export function connectPipe(path: string): Promise<ConnectResult> {
  const b = handles();
  if (!b) return connectNet(path);
  return new Promise((resolve) => {
    const handle = new b.Pipe(b.SOCKET);
    const req = new b.PipeConnectWrap();
    req.address = path;
    const failed = (status: number) => {
      handle.close();
      const err = uvError(status, 'connect', path);
      resolve({ errno: err.code!, message: err.message });
    };
    req.oncomplete = (status) => (status === 0 ? resolve({ socket: new Pipe(b, handle, true) }) : failed(status));
    const err = handle.connect(req, path);
    if (err !== 0) failed(err);
  });
}

/** A stream over an open FIFO (or other pipe) descriptor, which it owns and closes. */
export function openPipe(fd: number, mode: 'read' | 'write'): ByteStream {
  const b = handles();
  if (!b) return new (net().Socket)({ fd, readable: mode === 'read', writable: mode === 'write' });
  const handle = new b.Pipe(b.SOCKET);
  const err = handle.open(fd);
  if (err !== 0) {
    handle.close();
    closeSync(fd);
    throw uvError(err, 'open');
  }
  return new Pipe(b, handle, mode === 'read');
}

/** node:net, the fallback, loaded only when it is used. */
const net = () => nodeRequire('node:net') as typeof import('node:net');

function connectNet(path: string): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = net().connect({ path });
    const onError = (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ errno: err.code ?? 'EIO', message: err.message });
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve({ socket });
    });
  });
}
