// containerd's client.WithLease: a lease with a random id and a 24 h gc.expire label
// wraps an operation, so everything it writes is kept while it runs and collected if it
// fails; the lease is deleted when the operation ends. Nested calls reuse the outer lease.

import { LeasesDefinition } from '../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import type { Connection } from '../cli/types.js';
import { converted } from '../client/errdefs.js';
import { formatRFC3339 } from '../format/time.js';
import { nanosRandomPart } from '../util/random.js';

const leased = new WeakSet<Connection>();

/** leases.WithRandomID: "<nanoseconds of the current second>-<base64url of 3 random bytes>". */
export const randomLeaseId = nanosRandomPart;

/** A lease being created: the connection that carries it, and its removal. */
export interface PendingLease {
  conn: Promise<Connection>;
  /** Deletes the lease (once created); never throws. */
  release(): Promise<void>;
}

/**
 * Starts creating a lease now, for work that begins later (so the round trip overlaps
 * other calls). `conn` already under a lease is used as it is.
 */
export function startLease(conn: Connection): PendingLease {
  if (leased.has(conn)) return { conn: Promise.resolve(conn), release: async () => {} };
  const leases = conn.service(LeasesDefinition);
  const expire = Date.now() + 24 * 3600 * 1000;
  const created = converted(leases.create({
    id: randomLeaseId(),
    labels: { 'containerd.io/gc.expire': formatRFC3339({ seconds: Math.floor(expire / 1000), nanos: 0 }) },
  })).then(({ lease }) => lease!.id);
  created.catch(() => {});
  let released: Promise<void> | undefined;
  const inner = created.then((id) => {
    const c = conn.with({ metadata: { 'containerd-lease': id } });
    leased.add(c);
    return c;
  });
  inner.catch(() => {}); // its failure reaches whoever awaits it, if anyone does
  return {
    conn: inner,
    release: () => (released ??= created.then((id) => leases.delete({ id, sync: false })).then(() => {}, () => {})),
  };
}

export async function withLease<T>(conn: Connection, fn: (leasedConn: Connection) => Promise<T>): Promise<T> {
  const lease = startLease(conn);
  try {
    return await fn(await lease.conn);
  } finally {
    await lease.release();
  }
}

/** Whether `conn` already runs under a lease made by withLease. */
export const hasLease = (conn: Connection): boolean => leased.has(conn);
