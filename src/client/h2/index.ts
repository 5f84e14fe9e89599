// The CLI's gRPC transport: a small HTTP/2 client over node:net, because loading
// node:http2 or @grpc/grpc-js costs more start-up time than a whole ctr command may.
import {
  Code, DialError, GrpcError,
  type BidiCall, type CallOptions, type DialOptions, type MethodDesc, type Transport,
} from '../transport.js';
import type { H2Connection } from './connection.js';
import { dialConnection, socketPath } from './dial.js';
import { CallReceiver, DEFAULT_MAX_MESSAGE_BYTES, ENCODED_PARTS, encodeTimeout, frameMessage, frameParts, type WithEncodedParts } from './grpc.js';
import type { Header } from './hpack.js';

export { DialError, GrpcError } from '../transport.js';

/** Connects (see dial.ts for the retry rules) and returns a Transport on the connection. */
export async function dialH2(opts: DialOptions): Promise<Transport> {
  const transport = new H2Transport(opts);
  await transport.connect();
  return transport;
}

/** The :authority grpc-go uses for unix targets. */
const AUTHORITY = 'localhost';

/** Extra connections for concurrent uploads (see uploadConnection). */
const MAX_UPLOAD_CONNECTIONS = 4;

interface UploadConnection {
  dialing: Promise<H2Connection>;
  ready?: H2Connection;
  /** Upload streams using it now. */
  streams: number;
}

class H2Transport implements Transport {
  private conn: H2Connection | null = null;
  private redial: Promise<H2Connection> | null = null;
  private readonly uploads: UploadConnection[] = [];
  private uploadsOnMain = 0;
  /** Calls whose connection is still being dialed: whenOpen waits for it. */
  private readonly opening = new WeakMap<CallReceiver, Promise<unknown>>();
  private closed = false;
  private readonly maxReceive: number;

  constructor(private readonly opts: DialOptions) {
    this.maxReceive = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  async connect(): Promise<void> {
    this.conn = await dialConnection(this.opts.address, this.opts.connectTimeoutMs);
  }

  /** The live connection, or a promise of a new one if the old one went away. */
  private connection(): H2Connection | Promise<H2Connection> {
    if (this.closed) throw new GrpcError(Code.Canceled, 'grpc: the client connection is closing');
    if (this.conn?.usable) return this.conn;
    this.redial ??= dialConnection(this.opts.address, this.opts.connectTimeoutMs).then(
      (conn) => {
        this.redial = null;
        if (this.closed) conn.close();
        return (this.conn = conn);
      },
      (err: unknown) => {
        this.redial = null;
        // An RPC on a failed channel reports the last connection error as Unavailable.
        const reason = err instanceof DialError ? err.reason.replace(/^context deadline exceeded: /, '') : String(err);
        throw new GrpcError(Code.Unavailable, reason);
      },
    );
    return this.redial;
  }

  /**
   * The connection for a new upload stream (a client-streaming call: content writes).
   * The first upload shares the main connection; each further concurrent one gets a
   * connection of its own, up to MAX_UPLOAD_CONNECTIONS extra. containerd reads each
   * connection on one goroutine and grants it one flow-control window, so five layers
   * written over one connection take turns; over five they go side by side.
   */
  private uploadConnection(): { conn: H2Connection | Promise<H2Connection>; release(): void } {
    let best: UploadConnection | undefined;
    let fewest = this.uploadsOnMain;
    for (const u of this.uploads) {
      if (u.streams < fewest) {
        best = u;
        fewest = u.streams;
      }
    }
    if (fewest > 0 && this.uploads.length < MAX_UPLOAD_CONNECTIONS) best = this.dialUpload();
    if (!best) {
      const conn = this.connection();
      this.uploadsOnMain++;
      return { conn, release: () => void this.uploadsOnMain-- };
    }
    const u = best;
    u.streams++;
    return { conn: u.ready ?? u.dialing, release: () => void u.streams-- };
  }

  private dialUpload(): UploadConnection {
    const forget = () => {
      const i = this.uploads.indexOf(u);
      if (i >= 0) this.uploads.splice(i, 1);
    };
    const u: UploadConnection = {
      streams: 0,
      dialing: dialConnection(this.opts.address, this.opts.connectTimeoutMs, { onUnusable: forget }).then(
        (conn) => {
          if (this.closed) conn.close();
          return (u.ready = conn);
        },
        (err: unknown) => {
          forget();
          const reason = err instanceof DialError ? err.reason.replace(/^context deadline exceeded: /, '') : String(err);
          throw new GrpcError(Code.Unavailable, reason);
        },
      ),
    };
    this.uploads.push(u);
    return u;
  }

  private startCall<Req, Res>(
    m: MethodDesc<Req, Res>, opts: CallOptions | undefined, firstMessage: Req | undefined, endStream: boolean,
  ): CallReceiver {
    const call = new CallReceiver(this.maxReceive);
    const fail = (error: GrpcError) => call.fail(error);
    if (opts?.signal?.aborted) {
      fail(new GrpcError(Code.Canceled, 'context canceled'));
      return call;
    }
    if (opts?.deadline !== undefined && opts.deadline <= Date.now()) {
      fail(new GrpcError(Code.DeadlineExceeded, 'context deadline exceeded'));
      return call;
    }
    let body: Buffer | undefined;
    if (firstMessage !== undefined) {
      body = frameMessage(m.encode(firstMessage));
      const size = body.length - 5;
      if (size > DEFAULT_MAX_MESSAGE_BYTES) {
        fail(new GrpcError(Code.ResourceExhausted, `trying to send message larger than max (${size} vs. ${DEFAULT_MAX_MESSAGE_BYTES})`));
        return call;
      }
    }
    this.watch(call, opts);

    const open = (conn: H2Connection) => {
      if (call.finished) return;
      const headers: Header[] = [
        [':method', 'POST'], [':scheme', 'http'], [':path', m.path], [':authority', AUTHORITY],
        ['content-type', 'application/grpc'], ['te', 'trailers'],
      ];
      if (opts?.deadline !== undefined) headers.push(['grpc-timeout', encodeTimeout(opts.deadline - Date.now())]);
      for (const [key, value] of Object.entries(opts?.metadata ?? {})) headers.push([key.toLowerCase(), value]);
      const stream = conn.open(headers, endStream && body === undefined, call);
      call.stream = stream;
      if (body) stream.write(body, endStream).catch(() => {}); // failures surface through `call`
    };
    try {
      let conn: H2Connection | Promise<H2Connection>;
      if (m.requestStream) {
        const upload = this.uploadConnection();
        call.onFinish(upload.release);
        conn = upload.conn;
      } else {
        conn = this.connection();
      }
      if ('then' in conn) this.opening.set(call, conn.then(open, fail));
      else open(conn);
    } catch (err) {
      fail(err as GrpcError);
    }
    return call;
  }

  /** Deadline and AbortSignal: end the call locally with grpc-go's texts. */
  private watch(call: CallReceiver, opts: CallOptions | undefined): void {
    const signal = opts?.signal;
    const onAbort = () => call.fail(new GrpcError(Code.Canceled, 'context canceled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    if (opts?.deadline !== undefined) {
      timer = setTimeout(
        () => call.fail(new GrpcError(Code.DeadlineExceeded, 'context deadline exceeded')),
        opts.deadline - Date.now(),
      );
      timer.unref(); // the socket keeps node alive while the call runs
    }
    call.onFinish(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  }

  async unary<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): Promise<Res> {
    const call = this.startCall(m, opts, req, true);
    // grpc-go's unary receive: one message, then the status (which wins if it is an
    // error). No message with an OK status surfaces as Go's io.EOF.
    const message = await call.next();
    if (message === null) throw new GrpcError(Code.Unknown, 'EOF');
    if ((await call.next()) !== null) {
      const error = new GrpcError(Code.Unknown, 'grpc: client streaming protocol violation: get <nil>, want <EOF>');
      call.fail(error);
      throw error;
    }
    try {
      return m.decode(message);
    } catch (err) {
      throw unmarshalError(err);
    }
  }

  serverStream<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): AsyncIterable<Res> {
    return {
      [Symbol.asyncIterator]: () => responses(m, this.startCall(m, opts, req, true)),
    };
  }

  bidi<Req, Res>(m: MethodDesc<Req, Res>, opts?: CallOptions): BidiCall<Req, Res> {
    const call = this.startCall(m, opts, undefined, false);
    let ended = false;
    let iterated = false;
    const finishedError = () => call.error ?? new Error('the call has already finished');
    return {
      send: async (req: Req) => {
        if (ended) throw new Error('send after end');
        if (call.finished) throw finishedError();
        const encodedParts = (req as WithEncodedParts)[ENCODED_PARTS];
        let body: Buffer | Buffer[];
        let size: number;
        if (encodedParts) ({ parts: body, size } = frameParts(encodedParts()));
        else size = (body = frameMessage(m.encode(req))).length - 5;
        if (size > DEFAULT_MAX_MESSAGE_BYTES) {
          throw new GrpcError(
            Code.ResourceExhausted,
            `trying to send message larger than max (${size} vs. ${DEFAULT_MAX_MESSAGE_BYTES})`,
          );
        }
        const stream = call.stream ?? (await this.whenOpen(call));
        await stream.write(body, false).catch((err: unknown) => {
          throw call.error ?? err;
        });
      },
      end: () => {
        if (ended) return;
        ended = true;
        const finish = (stream: NonNullable<CallReceiver['stream']>) => {
          if (!stream.closed && !stream.localEnded) stream.write(Buffer.alloc(0), true).catch(() => {});
        };
        if (call.stream) finish(call.stream);
        else this.whenOpen(call).then(finish, () => {});
      },
      cancel: () => call.fail(new GrpcError(Code.Canceled, 'context canceled')),
      responses: {
        [Symbol.asyncIterator]: () => {
          if (iterated) throw new Error('responses can be iterated only once');
          iterated = true;
          return responses(m, call);
        },
      },
    };
  }

  /** Resolves with the call's stream once a (re)dialed connection has opened it. */
  private async whenOpen(call: CallReceiver): Promise<NonNullable<CallReceiver['stream']>> {
    await this.opening.get(call);
    if (call.stream) return call.stream;
    if (call.error) throw call.error;
    throw new Error('the call has already finished');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn?.close();
    this.redial?.then((conn) => conn.close(), () => {});
    for (const u of this.uploads.splice(0)) u.dialing.then((conn) => conn.close(), () => {});
  }
}

function unmarshalError(err: unknown): GrpcError {
  return new GrpcError(Code.Internal, `grpc: failed to unmarshal the received message ${(err as Error).message}`);
}

function responses<Req, Res>(m: MethodDesc<Req, Res>, call: CallReceiver): AsyncIterator<Res> {
  return {
    async next(): Promise<IteratorResult<Res>> {
      const message = await call.next();
      if (message === null) return { done: true, value: undefined };
      try {
        return { done: false, value: m.decode(message) };
      } catch (err) {
        const error = unmarshalError(err);
        call.fail(error);
        throw error;
      }
    },
    async return(): Promise<IteratorResult<Res>> {
      // Leaving a for-await early cancels the call, like dropping a Go stream's context.
      call.fail(new GrpcError(Code.Canceled, 'context canceled'));
      return { done: true, value: undefined };
    },
  };
}

export { socketPath };
