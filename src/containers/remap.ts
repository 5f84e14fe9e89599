// containerd's WithRemappedSnapshot (ctr --uidmap/--gidmap without --remap-labels): a
// committed copy of the image's rootfs with every file's owner shifted by the host
// uid/gid, shared by containers with the same mapping, and the container's snapshot on it.

import { lchown, lstat, readdir } from '../util/fs.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Connection } from '../cli/types.js';
import { converted, isNotFound } from '../client/errdefs.js';
import { withTempMount } from '../oci/mount.js';

/** incrementFS: lchown every path under root (root included) by the increments. */
async function shiftOwners(path: string, uidInc: number, gidInc: number): Promise<void> {
  const st = await lstat(path);
  await lchown(path, (st.uid + uidInc) >>> 0, (st.gid + gidInc) >>> 0);
  if (!st.isDirectory()) return;
  const names = (await readdir(path)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) await shiftOwners(`${path}/${name}`, uidInc, gidInc);
}

export async function remappedSnapshot(conn: Connection, snapshotter: string, id: string, parent: string, uid: number, gid: number): Promise<void> {
  const sn = conn.service(SnapshotsDefinition);
  const usernsID = `${parent}-${uid}-${gid}`;
  let exists = true;
  try {
    await converted(sn.stat({ snapshotter, key: usernsID }));
  } catch {
    exists = false;
  }
  if (exists) {
    try {
      await converted(sn.prepare({ snapshotter, key: id, parent: usernsID }));
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  const { mounts } = await converted(sn.prepare({ snapshotter, key: `${usernsID}-remap`, parent }));
  try {
    await withTempMount(mounts, (root) => shiftOwners(root, uid, gid));
  } catch (e) {
    await sn.remove({ snapshotter, key: usernsID }).catch(() => {});
    throw e;
  }
  await converted(sn.commit({ snapshotter, name: usernsID, key: `${usernsID}-remap` }));
  await converted(sn.prepare({ snapshotter, key: id, parent: usernsID }));
}
