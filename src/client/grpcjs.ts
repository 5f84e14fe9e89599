// The Transport on @grpc/grpc-js, for library users who prefer it. grpc-js is
// imported inside dialGrpcJs, so importing this module costs nothing. Errors are
// reworded to the grpc-go texts the lean transport (and the real ctr) produce.
import {
  Code, DialError, GrpcError,
  type BidiCall, type CallOptions, type DialOptions, type MethodDesc, type Transport,
} from './transport.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, dialConnection, socketPath } from './h2/dial.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './h2/grpc.js';

type GrpcJs = typeof import('@grpc/grpc-js');
type ServiceError = import('@grpc/grpc-js').ServiceError;

/** grpc-js wording of client-side failures -> grpc-go wording. */
function fromGrpcJs(err: unknown): unknown {
  const e = err as Partial<ServiceError>;
  if (typeof e?.code !== 'number') return err;
  let details = e.details ?? '';
  if (e.code === Code.DeadlineExceeded && details.startsWith('Deadline exceeded')) details = 'context deadline exceeded';
  else if (e.code === Code.Canceled && details === 'Cancelled on client') details = 'context canceled';
  else if (e.code === Code.ResourceExhausted) {
    details = details.replace(/^Received message larger than max \((\d+) vs (\d+)\)$/, 'grpc: received message larger than max ($1 vs. $2)');
  }
  return new GrpcError(e.code, details);
}

/**
 * Dials with the same rules and error texts as the lean transport (a probe
 * connection that is closed again), then hands the socket path to grpc-js.
 */
export async function dialGrpcJs(opts: DialOptions): Promise<Transport> {
  const timeoutMs = opts.connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const [grpc, probe] = await Promise.all([import('@grpc/grpc-js'), dialConnection(opts.address, timeoutMs)]);
  probe.close();
  const path = socketPath(opts.address);
  const maxReceive = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client = new grpc.Client(path.startsWith('/') ? `unix://${path}` : `unix:${path}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxReceive,
    'grpc.max_send_message_length': DEFAULT_MAX_MESSAGE_BYTES,
  });
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(deadline, (err) => {
      if (!err) return resolve();
      client.close();
      reject(new DialError(opts.address, 'context deadline exceeded'));
    }),
  );
  return new GrpcJsTransport(grpc, client);
}

class GrpcJsTransport implements Transport {
  constructor(private readonly grpc: GrpcJs, private readonly client: import('@grpc/grpc-js').Client) {}

  private metadata(opts?: CallOptions) {
    const md = new this.grpc.Metadata();
    for (const [key, value] of Object.entries(opts?.metadata ?? {})) md.set(key, value);
    return md;
  }

  private callOptions(opts?: CallOptions) {
    return opts?.deadline !== undefined ? { deadline: opts.deadline } : {};
  }

  /** Cancels `call` when the signal fires; returns the clean-up. */
  private watchSignal(call: { cancel(): void }, opts?: CallOptions): () => void {
    const signal = opts?.signal;
    if (!signal) return () => {};
    const onAbort = () => call.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  unary<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): Promise<Res> {
    if (opts?.signal?.aborted) return Promise.reject(new GrpcError(Code.Canceled, 'context canceled'));
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest<Req, Res>(
        m.path, (r) => Buffer.from(m.encode(r)), (b) => m.decode(b), req, this.metadata(opts), this.callOptions(opts),
        (err, res) => {
          unwatch();
          if (err) reject(fromGrpcJs(err));
          else resolve(res as Res);
        },
      );
      const unwatch = this.watchSignal(call, opts);
    });
  }

  serverStream<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): AsyncIterable<Res> {
    return {
      [Symbol.asyncIterator]: () => {
        if (opts?.signal?.aborted) return rejecting<Res>(new GrpcError(Code.Canceled, 'context canceled'));
        const call = this.client.makeServerStreamRequest<Req, Res>(
          m.path, (r) => Buffer.from(m.encode(r)), (b) => m.decode(b), req, this.metadata(opts), this.callOptions(opts),
        );
        return readStream<Res>(call, call, this.watchSignal(call, opts));
      },
    };
  }

  bidi<Req, Res>(m: MethodDesc<Req, Res>, opts?: CallOptions): BidiCall<Req, Res> {
    const call = this.client.makeBidiStreamRequest<Req, Res>(
      m.path, (r) => Buffer.from(m.encode(r)), (b) => m.decode(b), this.metadata(opts), this.callOptions(opts),
    );
    let failure: unknown;
    call.on('error', (err) => (failure ??= fromGrpcJs(err)));
    // grpc-js keeps the connection referenced until the writable side is ended too.
    const cancellable = { cancel: () => { call.cancel(); call.end(); } };
    const unwatch = this.watchSignal(cancellable, opts);
    if (opts?.signal?.aborted) cancellable.cancel();
    return {
      send: (req) =>
        new Promise<void>((resolve, reject) => {
          if (failure) return reject(failure);
          if (call.destroyed || call.writableEnded) return reject(new Error('send after end'));
          call.write(req, (err?: Error | null) => (err ? reject(failure ?? fromGrpcJs(err)) : resolve()));
        }),
      end: () => call.end(),
      cancel: cancellable.cancel,
      responses: { [Symbol.asyncIterator]: () => readStream<Res>(call, cancellable, unwatch) },
    };
  }

  close(): void {
    this.client.close();
  }
}

function rejecting<T>(error: unknown): AsyncIterator<T> {
  return { next: () => Promise.reject(error) };
}

/** Iterates a grpc-js readable call, mapping its errors; an early exit cancels it. */
function readStream<T>(call: NodeJS.ReadableStream, canceller: { cancel(): void }, cleanup: () => void): AsyncIterator<T> {
  const inner = (call as unknown as AsyncIterable<T>)[Symbol.asyncIterator]();
  return {
    async next() {
      try {
        const r = await inner.next();
        if (r.done) cleanup();
        return r;
      } catch (err) {
        cleanup();
        throw fromGrpcJs(err);
      }
    },
    async return() {
      canceller.cancel();
      cleanup();
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}
