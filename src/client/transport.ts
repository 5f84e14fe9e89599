// The seam between service clients and the wire. Generated service definitions are
// turned into MethodDesc values; a Transport moves their bytes. The CLI uses the lean
// HTTP/2 transport (start-up cost); library users may pick the grpc-js one.

export interface MethodDesc<Req, Res> {
  /** Full gRPC path, e.g. "/containerd.services.version.v1.Version/Version". */
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  encode(req: Req): Uint8Array;
  decode(bytes: Uint8Array): Res;
}

export interface CallOptions {
  /** gRPC metadata (lower-case keys), e.g. { 'containerd-namespace': 'default' }. */
  metadata?: Record<string, string>;
  /** Absolute deadline in ms since the epoch (Date.now() based); sent as grpc-timeout. */
  deadline?: number;
  signal?: AbortSignal;
}

/** A writable side of a client-streaming or bidi call. */
export interface RequestSink<Req> {
  send(req: Req): Promise<void>; // resolves when flow control lets the data go
  end(): void; // half-close
}

export interface BidiCall<Req, Res> extends RequestSink<Req> {
  responses: AsyncIterable<Res>;
  cancel(): void;
}

export interface Transport {
  unary<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): Promise<Res>;
  serverStream<Req, Res>(m: MethodDesc<Req, Res>, req: Req, opts?: CallOptions): AsyncIterable<Res>;
  bidi<Req, Res>(m: MethodDesc<Req, Res>, opts?: CallOptions): BidiCall<Req, Res>;
  close(): void;
}

/** gRPC status codes (google.golang.org/grpc/codes). */
export const Code = {
  OK: 0, Canceled: 1, Unknown: 2, InvalidArgument: 3, DeadlineExceeded: 4, NotFound: 5,
  AlreadyExists: 6, PermissionDenied: 7, ResourceExhausted: 8, FailedPrecondition: 9,
  Aborted: 10, OutOfRange: 11, Unimplemented: 12, Internal: 13, Unavailable: 14,
  DataLoss: 15, Unauthenticated: 16,
} as const;

const codeNames = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));

/** Go's codes.Code.String(): the name, or "Code(N)" for values outside the list. */
export const grpcCodeName = (code: number): string => codeNames[code] ?? `Code(${code})`;

/**
 * A call that ended with a non-OK grpc-status. `message` is what Go's status error
 * prints ("rpc error: code = NotFound desc = ..."), because ctr shows that text;
 * `details` is the bare grpc-message.
 */
export class GrpcError extends Error {
  constructor(readonly code: number, readonly details: string) {
    super(`rpc error: code = ${grpcCodeName(code)} desc = ${details}`);
    this.name = 'GrpcError';
  }
}

/** Dialing failed or timed out (ctr: `failed to dial "<path>": context deadline exceeded`). */
export class DialError extends Error {
  constructor(readonly address: string, readonly reason: string) {
    super(`failed to dial "${address}": ${reason}`);
    this.name = 'DialError';
  }
}

export interface DialOptions {
  /** Socket path or unix:// address. */
  address: string;
  /** Give up dialing after this many ms (ctr's --connect-timeout; 0 = no bound). */
  connectTimeoutMs?: number;
  /** Largest response message accepted, bytes (the Go client raises it to 16 MiB). */
  maxReceiveMessageBytes?: number;
}
