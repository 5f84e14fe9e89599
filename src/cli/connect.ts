// Opens the daemon connection for a command: containerd.New's dial (bounded by
// --connect-timeout, 10 s when unset) and AppContext's deadline (--timeout), which
// starts once the dial has succeeded.

import { connectionOf } from '../client/client.js';
import { dialH2 } from '../client/h2/index.js';
import type { Connection, GlobalOptions } from './types.js';

const DEFAULT_DIAL_TIMEOUT_MS = 10_000;
const MAX_RECV_BYTES = 16 << 20;

export async function connect(g: GlobalOptions, signal?: AbortSignal): Promise<Connection> {
  const connectTimeoutMs = g.connectTimeoutNs > 0 ? g.connectTimeoutNs / 1e6 : DEFAULT_DIAL_TIMEOUT_MS;
  const transport = await dialH2({ address: g.address, connectTimeoutMs, maxReceiveMessageBytes: MAX_RECV_BYTES });
  const deadline = g.timeoutNs > 0 ? Date.now() + g.timeoutNs / 1e6 : undefined;
  return connectionOf(transport, { namespace: g.namespace, deadline, signal });
}
