// The library entry: the client layer the CLI itself uses, for other Node programs.

export { serviceClient, methodDesc, callOptions } from './client/client.js';
export type { ClientContext, ServiceClient, ServiceDefinition } from './client/client.js';
export { Code, GrpcError, DialError, grpcCodeName } from './client/transport.js';
export type { Transport, CallOptions, MethodDesc, BidiCall, DialOptions } from './client/transport.js';
export { fromGRPC, ErrdefsError, isNotFound } from './client/errdefs.js';
export { dialH2 } from './client/h2/index.js';
