// The library entry: the client layer the CLI itself uses, for other Node programs.

export { Client } from './client/library.js';
export type { ClientOptions } from './client/library.js';
export { serviceClient, methodDesc, callOptions, connectionOf } from './client/client.js';
export type { ClientContext, Connection, ServiceClient, ServiceDefinition } from './client/client.js';
export { Code, GrpcError, DialError, grpcCodeName } from './client/transport.js';
export type { Transport, CallOptions, MethodDesc, BidiCall, DialOptions } from './client/transport.js';
export { fromGRPC, ErrdefsError, isNotFound } from './client/errdefs.js';
export { dialH2 } from './client/h2/index.js';
export { dialGrpcJs } from './client/grpcjs.js';
