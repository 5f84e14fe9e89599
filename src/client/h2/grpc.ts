// gRPC over HTTP/2 (the PROTOCOL-HTTP2 mapping), with grpc-go's client error texts.
import { Code, GrpcError } from '../transport.js';
import { ERROR_NAMES, ErrorCode } from './frames.js';
import type { Header } from './hpack.js';
import type { H2Stream, StreamAbort, StreamEvents } from './connection.js';

/** The Go client's limits (containerd raises both to 16 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
/** Decoded-but-unread response bytes above which stream credit is held back. */
const QUEUE_HIGH_WATER = 4 << 20;
const MESSAGE_HEADER_SIZE = 5;

/** grpc-go's EncodeDuration: the finest unit whose value fits in 8 digits, rounded up. */
export function encodeTimeout(ms: number): string {
  if (ms <= 0) return '0n';
  const units: Array<[string, number]> = [['n', 1e-6], ['u', 1e-3], ['m', 1], ['S', 1e3], ['M', 6e4]];
  for (const [unit, unitMs] of units) {
    const value = Math.ceil(ms / unitMs);
    if (value <= 99_999_999) return `${value}${unit}`;
  }
  return `${Math.ceil(ms / 3.6e6)}H`;
}

/** grpc-go's decodeGrpcMessage: %XX escapes become bytes, the result is UTF-8. */
export function decodeGrpcMessage(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const hex = raw.slice(i + 1, i + 3);
    if (raw[i] === '%' && i + 2 < raw.length && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(raw.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Messages laid out by messageBuffer: the 5 bytes before them are ours to fill. */
const withHeadroom = new WeakSet<Uint8Array>();

/**
 * A view of `backing` for a message of `size` bytes, placed after room for the message
 * header, so that frameMessage sends it without copying. Large messages (content
 * writes) use it; `backing` must not be touched until the message has been sent.
 */
export function messageBuffer(backing: Buffer, size: number): Buffer {
  if (backing.length < MESSAGE_HEADER_SIZE + size) throw new RangeError('message buffer too small');
  const view = backing.subarray(MESSAGE_HEADER_SIZE, MESSAGE_HEADER_SIZE + size);
  withHeadroom.add(view);
  return view;
}

/** The bytes messageBuffer needs for a message of `size` bytes. */
export const messageBufferSize = (size: number): number => MESSAGE_HEADER_SIZE + size;

/**
 * A request may carry its encoding as parts under this key: the message is their
 * concatenation, and this transport sends them as they are (no joining copy). Other
 * transports ignore it and call the codec's encode, which must give the same bytes.
 */
export const ENCODED_PARTS = Symbol('ctr-ts.h2.encodedParts');
export interface WithEncodedParts { [ENCODED_PARTS]?: () => Uint8Array[] }

/** Frames a message given in parts: the message header, then the parts themselves. */
export function frameParts(parts: Uint8Array[]): { parts: Buffer[]; size: number } {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const header = Buffer.allocUnsafe(MESSAGE_HEADER_SIZE);
  header[0] = 0;
  header.writeUInt32BE(size, 1);
  return { parts: [header, ...parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.length)))], size };
}

/** Frames one message: flag 0 (uncompressed), 4-byte big-endian length, bytes. */
export function frameMessage(message: Uint8Array): Buffer {
  if (withHeadroom.has(message)) {
    withHeadroom.delete(message);
    const framed = Buffer.from(message.buffer, message.byteOffset - MESSAGE_HEADER_SIZE, MESSAGE_HEADER_SIZE + message.length);
    framed[0] = 0;
    framed.writeUInt32BE(message.length, 1);
    return framed;
  }
  const framed = Buffer.allocUnsafe(MESSAGE_HEADER_SIZE + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, MESSAGE_HEADER_SIZE);
  return framed;
}

/** Reassembles length-prefixed messages from DATA payloads. */
export class MessageReader {
  private header = Buffer.alloc(MESSAGE_HEADER_SIZE);
  private headerFilled = 0;
  private body: Buffer | null = null;
  private bodyFilled = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** True when no message is partly read. */
  get idle(): boolean {
    return this.headerFilled === 0 && this.body === null;
  }

  /** Returns the messages completed by `data`; throws GrpcError on a bad or oversized one. */
  push(data: Buffer): Buffer[] {
    const messages: Buffer[] = [];
    let pos = 0;
    while (pos < data.length) {
      if (this.body === null) {
        const n = Math.min(MESSAGE_HEADER_SIZE - this.headerFilled, data.length - pos);
        data.copy(this.header, this.headerFilled, pos, pos + n);
        this.headerFilled += n;
        pos += n;
        if (this.headerFilled < MESSAGE_HEADER_SIZE) break;
        if (this.header[0] !== 0) {
          throw new GrpcError(Code.Internal, 'grpc: compressed flag set with identity or empty encoding');
        }
        const length = this.header.readUInt32BE(1);
        if (length > this.maxMessageBytes) {
          throw new GrpcError(
            Code.ResourceExhausted, `grpc: received message larger than max (${length} vs. ${this.maxMessageBytes})`,
          );
        }
        this.headerFilled = 0;
        this.body = Buffer.allocUnsafe(length);
        this.bodyFilled = 0;
      }
      const n = Math.min(this.body.length - this.bodyFilled, data.length - pos);
      data.copy(this.body, this.bodyFilled, pos, pos + n);
      this.bodyFilled += n;
      pos += n;
      if (this.bodyFilled === this.body.length) {
        messages.push(this.body);
        this.body = null;
      }
    }
    return messages;
  }
}

/** grpc-go's mapping of RST_STREAM codes to status codes. */
const RESET_CODES: Record<number, number> = {
  [ErrorCode.FLOW_CONTROL_ERROR]: Code.ResourceExhausted,
  [ErrorCode.REFUSED_STREAM]: Code.Unavailable,
  [ErrorCode.CANCEL]: Code.Canceled,
  [ErrorCode.ENHANCE_YOUR_CALM]: Code.ResourceExhausted,
  [ErrorCode.INADEQUATE_SECURITY]: Code.PermissionDenied,
};
const HTTP_STATUS_CODES: Record<number, number> = {
  400: Code.Internal, 401: Code.Unauthenticated, 403: Code.PermissionDenied, 404: Code.Unimplemented,
  429: Code.Unavailable, 502: Code.Unavailable, 503: Code.Unavailable, 504: Code.Unavailable,
};
const HTTP_STATUS_TEXT: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The error a stream abort means to a caller, as grpc-go words it. */
export function abortError(reason: StreamAbort): GrpcError {
  switch (reason.kind) {
    case 'reset': {
      const name = ERROR_NAMES[reason.code] ?? `unknown error code 0x${reason.code.toString(16)}`;
      return new GrpcError(RESET_CODES[reason.code] ?? Code.Internal, `stream terminated by RST_STREAM with error code: ${name}`);
    }
    case 'refused':
      return new GrpcError(Code.Unavailable, 'the stream is rejected because server is draining the connection');
    case 'closed':
      return reason.byUs
        ? new GrpcError(Code.Canceled, 'grpc: the client connection is closing')
        : new GrpcError(Code.Unavailable, 'transport is closing');
  }
}

/**
 * The error for a response that is not gRPC at all (grpc-go's "HTTP fallback"):
 * judged by content-type, as grpc-go 1.33 does, on the first header block.
 */
export function httpError(headers: Header[]): GrpcError | null {
  let httpStatus: number | undefined;
  let contentType: string | undefined;
  for (const [name, value] of headers) {
    if (name === ':status') httpStatus = Number(value);
    else if (name === 'content-type') contentType = value;
  }
  if (contentType !== undefined && /^application\/grpc($|[+;])/.test(contentType)) return null;
  const parts = [
    httpStatus === undefined
      ? 'malformed header: missing HTTP status'
      : `${HTTP_STATUS_TEXT[httpStatus] ?? ''}: HTTP status code ${httpStatus}`,
    contentType === undefined
      ? 'transport: missing content-type field'
      : `transport: received the unexpected content-type ${JSON.stringify(contentType)}`,
  ];
  const code = httpStatus === undefined ? Code.Internal : (HTTP_STATUS_CODES[httpStatus] ?? Code.Unknown);
  return new GrpcError(code, parts.join('; '));
}

/** The status in trailers (or a trailers-only response): null for OK. */
export function trailerStatus(headers: Header[]): GrpcError | null {
  let grpcStatus: string | undefined;
  let grpcMessage = '';
  for (const [name, value] of headers) {
    if (name === 'grpc-status') grpcStatus = value;
    else if (name === 'grpc-message') grpcMessage = decodeGrpcMessage(value);
  }
  if (grpcStatus === undefined) return new GrpcError(Code.Unknown, grpcMessage);
  if (!/^\d+$/.test(grpcStatus)) return new GrpcError(Code.Internal, `transport: malformed grpc-status: ${grpcStatus}`);
  const code = Number(grpcStatus);
  return code === Code.OK ? null : new GrpcError(code, grpcMessage);
}

/** Marker for "finished with status OK". */
const OK = Symbol('ok');

/**
 * Calls ended, counted for bin/ctr: its code cache is rewritten by a run that got
 * further than the one that wrote it. Only counted where bin/ctr set the counter up.
 */
const CALLS = Symbol.for('ctr-ts.calls');
const counter = globalThis as { [CALLS]?: number };

/**
 * The receiving half of one call: headers, messages, status. Messages are queued
 * for the consumer; stream credit goes back while the queue is short.
 */
export class CallReceiver implements StreamEvents {
  stream: H2Stream | null = null;
  private readonly reader: MessageReader;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private heldCredit = 0;
  private headersSeen = false;
  /** Set once the call is over: OK, a status error, or a local failure. */
  private outcome: typeof OK | GrpcError | null = null;
  /** Local failures (deadline, cancel, limits) discard queued messages. */
  private local = false;
  private wake: (() => void) | null = null;
  private readonly finishers: Array<() => void> = [];

  constructor(maxMessageBytes: number) {
    this.reader = new MessageReader(maxMessageBytes);
  }

  get finished(): boolean {
    return this.outcome !== null;
  }

  /** Runs `fn` once when the call ends, however it ends. */
  onFinish(fn: () => void): void {
    if (this.outcome !== null) fn();
    else this.finishers.push(fn);
  }

  /** The call's error, if it ended with one. */
  get error(): GrpcError | null {
    return this.outcome instanceof GrpcError ? this.outcome : null;
  }

  onHeaders(headers: Header[], endStream: boolean): void {
    if (this.outcome !== null) return;
    const first = !this.headersSeen;
    this.headersSeen = true;
    const notGrpc = first ? httpError(headers) : null;
    if (notGrpc) {
      this.fail(notGrpc, false);
      return;
    }
    if (!endStream) return; // response headers; a later non-final block is ignored
    this.finish(trailerStatus(headers) ?? OK);
  }

  onData(data: Buffer, endStream: boolean): void {
    if (this.outcome !== null) return;
    let messages: Buffer[];
    try {
      messages = this.reader.push(data);
    } catch (err) {
      this.fail(err as GrpcError, true);
      return;
    }
    for (const message of messages) {
      this.queue.push(message);
      this.queuedBytes += message.length + MESSAGE_HEADER_SIZE;
    }
    this.heldCredit += data.length;
    this.returnCredit();
    if (messages.length > 0) this.notify();
    if (endStream) this.finish(new GrpcError(Code.Internal, 'server closed the stream without sending trailers'));
  }

  onAbort(reason: StreamAbort): void {
    if (this.outcome !== null) return;
    this.finish(abortError(reason));
  }

  private returnCredit(): void {
    if (this.heldCredit > 0 && this.queuedBytes <= QUEUE_HIGH_WATER && this.stream) {
      this.stream.consumed(this.heldCredit);
      this.heldCredit = 0;
    }
  }

  /** Ends the call from our side (deadline, cancel, bad data): RST_STREAM(CANCEL). */
  fail(error: GrpcError, discardQueue = true): void {
    if (this.outcome !== null) return;
    this.local = discardQueue;
    if (this.stream) this.stream.reset(ErrorCode.CANCEL, error);
    this.finish(error);
  }

  private finish(outcome: typeof OK | GrpcError): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    if (counter[CALLS] !== undefined) counter[CALLS]++;
    // Normally the stream is closed by now; if we are still sending, stop.
    if (this.stream && !this.stream.closed) {
      this.stream.reset(ErrorCode.CANCEL, outcome === OK ? new Error('the call has already finished') : outcome);
    }
    if (this.local) {
      this.queue.length = 0;
      this.queuedBytes = 0;
    }
    for (const fn of this.finishers.splice(0)) fn();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Next message, or null at a clean end; throws the call's GrpcError. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.local && this.outcome instanceof GrpcError) throw this.outcome;
      const message = this.queue.shift();
      if (message) {
        this.queuedBytes -= message.length + MESSAGE_HEADER_SIZE;
        this.returnCredit();
        return message;
      }
      if (this.outcome === OK) return null;
      if (this.outcome instanceof GrpcError) throw this.outcome;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
