// containerd's client.WithLease: a lease with a random id and a 24 h gc.expire label
// wraps an operation, so everything it writes is kept while it runs and collected if it
// fails; the lease is deleted when the operation ends. Nested calls reuse the outer lease.

import { randomBytes } from 'node:crypto';
import { LeasesDefinition } from '../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import type { Connection } from '../cli/types.js';
import { converted } from '../client/errdefs.js';
import { formatRFC3339 } from '../format/time.js';

const leased = new WeakSet<Connection>();

/** leases.WithRandomID: "<nanoseconds of the current second>-<base64url of 3 random bytes>". */
export function randomLeaseId(): string {
  const nanos = Number((process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n) % 1_000_000_000n);
  return `${nanos}-${randomBytes(3).toString('base64url')}`;
}

export async function withLease<T>(conn: Connection, fn: (leasedConn: Connection) => Promise<T>): Promise<T> {
  if (leased.has(conn)) return fn(conn);
  const leases = conn.service(LeasesDefinition);
  const expire = Date.now() + 24 * 3600 * 1000;
  const { lease } = await converted(leases.create({
    id: randomLeaseId(),
    labels: { 'containerd.io/gc.expire': formatRFC3339({ seconds: Math.floor(expire / 1000), nanos: 0 }) },
  }));
  const id = lease!.id;
  const inner = conn.with({ metadata: { 'containerd-lease': id } });
  leased.add(inner);
  try {
    return await fn(inner);
  } finally {
    await leases.delete({ id, sync: false }).catch(() => {});
  }
}

/** Whether `conn` already runs under a lease made by withLease. */
export const hasLease = (conn: Connection): boolean => leased.has(conn);
