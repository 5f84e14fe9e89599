// containerd's rootfs.CreateDiff: the changes of a snapshot against a view of its
// parent, computed by the Diff service (used by `snapshots diff` and `checkpoint --rw`).

import { nanosRandomPart } from '../util/random.js';
import { DiffDefinition } from '../api/github.com/containerd/containerd/api/services/diff/v1/diff.js';
import { Kind, SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Descriptor } from '../api/github.com/containerd/containerd/api/types/descriptor.js';
import type { Mount } from '../api/github.com/containerd/containerd/api/types/mount.js';
import type { Connection } from '../cli/types.js';
import { converted } from '../client/errdefs.js';

/** rootfs.uniquePart: the same form as a random lease id. */
const uniquePart = nanosRandomPart;

export interface DiffOptions {
  mediaType?: string;
  ref?: string;
  labels?: Record<string, string>;
}

/** diff.Comparer.Compare over the Diff service. */
export async function compare(conn: Connection, left: Mount[], right: Mount[], o: DiffOptions): Promise<Descriptor> {
  const { diff } = await converted(conn.service(DiffDefinition).diff({
    left, right, mediaType: o.mediaType ?? '', ref: o.ref ?? '', labels: o.labels ?? {},
  }));
  return diff!;
}

/** Runs fn on the snapshot's mounts: its own when active, else those of a temporary view. */
export async function withSnapshotMounts<T>(conn: Connection, snapshotter: string, key: string, viewKey: string, fn: (m: Mount[]) => Promise<T>): Promise<T> {
  const sn = conn.service(SnapshotsDefinition);
  const { info } = await converted(sn.stat({ snapshotter, key }));
  if (info!.kind === Kind.ACTIVE) return fn((await converted(sn.mounts({ snapshotter, key }))).mounts);
  const { mounts } = await converted(sn.view({ snapshotter, key: viewKey, parent: key, labels: {} }));
  try {
    return await fn(mounts);
  } finally {
    await sn.remove({ snapshotter, key: viewKey }).catch(() => {});
  }
}

export async function createDiff(conn: Connection, snapshotter: string, key: string, o: DiffOptions): Promise<Descriptor> {
  const sn = conn.service(SnapshotsDefinition);
  const { info } = await converted(sn.stat({ snapshotter, key }));
  const lowerKey = `${info!.parent}-parent-view-${uniquePart()}`;
  const { mounts: lower } = await converted(sn.view({ snapshotter, key: lowerKey, parent: info!.parent, labels: {} }));
  try {
    return await withSnapshotMounts(conn, snapshotter, key, `${key}-view-${uniquePart()}`, (upper) => compare(conn, lower, upper, o));
  } finally {
    await sn.remove({ snapshotter, key: lowerKey }).catch(() => {});
  }
}
