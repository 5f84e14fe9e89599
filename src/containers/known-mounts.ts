// The rootfs mounts a container's snapshot had when newContainer prepared it. Prepare
// already returns them, so the spec (reading /etc/group) and the task that follows in
// the same process take them from here instead of asking Snapshots.Mounts again; the
// daemon answers both with the same list for an active snapshot.

import type { Mount } from '../api/github.com/containerd/containerd/api/types/mount.js';

interface Known { snapshotter: string; key: string; mounts: Mount[] }

const known = new WeakMap<object, Known>();

export function rememberMounts(container: object, snapshotter: string, key: string, mounts: Mount[]): void {
  known.set(container, { snapshotter, key, mounts });
}

/** The remembered mounts when they are for this snapshotter and key. */
export function rememberedMounts(container: object, snapshotter: string, key: string): Mount[] | undefined {
  const k = known.get(container);
  return k && k.snapshotter === snapshotter && k.key === key ? k.mounts : undefined;
}
