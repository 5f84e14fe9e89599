// The rootfs mounts of a container record newContainer just created: Prepare already
// returned them, so the spec (reading /etc/group) and the task that follows in the same
// process take them from here instead of asking Snapshots.Mounts again; the daemon
// answers both with the same list for an active snapshot.

import type { Mount } from '../api/github.com/containerd/containerd/api/types/mount.js';

const known = new WeakMap<object, Mount[]>();

export function rememberMounts(container: object, mounts: Mount[]): void {
  known.set(container, mounts);
}

export function rememberedMounts(container: object): Mount[] | undefined {
  return known.get(container);
}
