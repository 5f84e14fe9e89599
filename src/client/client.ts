// Typed service clients built from the generated generic service definitions. A
// ServiceClient has one method per RPC: unary methods return a promise, server
// streams an async iterable, client/bidi streams a BidiCall. Every call carries the
// client's namespace and the deadline of the command (ctr's --timeout).

import type { BidiCall, CallOptions, MethodDesc, Transport } from './transport.js';

/** The part of a ts-proto message codec we use. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: any): T;
}

export interface MethodDefinition<Req, Res> {
  name: string;
  requestType: Codec<Req>;
  requestStream: boolean;
  responseType: Codec<Res>;
  responseStream: boolean;
}

export interface ServiceDefinition {
  name: string;
  fullName: string;
  methods: Record<string, MethodDefinition<any, any>>;
}

type Partial_<T> = T extends Codec<infer M> ? DeepPartial<M> : never;
export type DeepPartial<T> = T extends Uint8Array ? T
  : T extends Array<infer U> ? Array<DeepPartial<U>>
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

type MsgOf<C> = C extends Codec<infer M> ? M : never;

export type ServiceClient<D extends ServiceDefinition> = {
  [K in keyof D['methods']]: D['methods'][K] extends { requestStream: true }
    ? (opts?: CallOptions) => BidiCall<MsgOf<D['methods'][K]['requestType']>, MsgOf<D['methods'][K]['responseType']>>
    : D['methods'][K] extends { responseStream: true }
      ? (req: Partial_<D['methods'][K]['requestType']>, opts?: CallOptions) => AsyncIterable<MsgOf<D['methods'][K]['responseType']>>
      : (req: Partial_<D['methods'][K]['requestType']>, opts?: CallOptions) => Promise<MsgOf<D['methods'][K]['responseType']>>;
};

export function methodDesc<Req, Res>(service: ServiceDefinition, m: MethodDefinition<Req, Res>): MethodDesc<Req, Res> {
  return {
    path: `/${service.fullName}/${m.name}`,
    requestStream: m.requestStream,
    responseStream: m.responseStream,
    encode: (req) => m.requestType.encode(req).finish(),
    decode: (bytes) => m.responseType.decode(bytes),
  };
}

export interface ClientContext {
  /** containerd namespace sent as gRPC metadata on every call; empty = none sent. */
  namespace: string;
  /** Absolute deadline (Date.now() ms) for every call, from ctr's --timeout. */
  deadline?: number;
  signal?: AbortSignal;
  /** Extra metadata on every call, e.g. { 'containerd-lease': id }. */
  metadata?: Record<string, string>;
}

export function callOptions(ctx: ClientContext, extra?: CallOptions): CallOptions {
  const metadata: Record<string, string> = { ...ctx.metadata, ...extra?.metadata };
  if (ctx.namespace) metadata['containerd-namespace'] = ctx.namespace;
  return {
    metadata,
    deadline: extra?.deadline ?? ctx.deadline,
    signal: extra?.signal ?? ctx.signal,
  };
}

export function serviceClient<D extends ServiceDefinition>(transport: Transport, def: D, ctx: ClientContext): ServiceClient<D> {
  const client: Record<string, unknown> = {};
  for (const [key, m] of Object.entries(def.methods)) {
    const desc = methodDesc(def, m);
    if (m.requestStream) {
      client[key] = (opts?: CallOptions) => transport.bidi(desc, callOptions(ctx, opts));
    } else if (m.responseStream) {
      client[key] = (req: unknown, opts?: CallOptions) =>
        transport.serverStream(desc, m.requestType.fromPartial(req ?? {}), callOptions(ctx, opts));
    } else {
      client[key] = (req: unknown, opts?: CallOptions) =>
        transport.unary(desc, m.requestType.fromPartial(req ?? {}), callOptions(ctx, opts));
    }
  }
  return client as ServiceClient<D>;
}

/** An open connection to the daemon, bound to a namespace and a deadline. */
export interface Connection {
  service<D extends ServiceDefinition>(def: D): ServiceClient<D>;
  /** The same connection with other call defaults (e.g. a lease or another namespace). */
  with(overrides: { namespace?: string; metadata?: Record<string, string> }): Connection;
  readonly namespace: string;
  close(): void;
}

export function connectionOf(transport: Transport, ctx: ClientContext): Connection {
  return {
    namespace: ctx.namespace,
    service: (def) => serviceClient(transport, def, ctx),
    with: (o) => connectionOf(transport, {
      ...ctx,
      namespace: o.namespace ?? ctx.namespace,
      metadata: { ...ctx.metadata, ...o.metadata },
    }),
    close: () => transport.close(),
  };
}
