// Opens the daemon connection for a command: containerd.New's dial (bounded by
// --connect-timeout, 10 s when unset) and AppContext's deadline (--timeout), which
// starts once the dial has succeeded.

import { serviceClient, type ClientContext } from '../client/client.js';
import type { Transport } from '../client/transport.js';
import { dialH2 } from '../client/h2/index.js';
import type { Connection, GlobalOptions } from './types.js';

const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
const MAX_RECV_BYTES = 16 << 20;

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

export async function connect(g: GlobalOptions, signal?: AbortSignal): Promise<Connection> {
  const connectTimeoutMs = g.connectTimeoutNs > 0 ? g.connectTimeoutNs / 1e6 : DEFAULT_DIAL_TIMEOUT_MS;
  const transport = await dialH2({ address: g.address, connectTimeoutMs, maxReceiveMessageBytes: MAX_RECV_BYTES });
  const deadline = g.timeoutNs > 0 ? Date.now() + g.timeoutNs / 1e6 : undefined;
  return connectionOf(transport, { namespace: g.namespace, deadline, signal });
}
