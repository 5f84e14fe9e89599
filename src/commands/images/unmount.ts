import { LeasesDefinition } from '../../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import { SnapshotsDefinition } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { converted, isNotFound } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { DEFAULT_SNAPSHOTTER } from '../../images/snapshotter.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';
import { labelFlag, registryFlags } from '../flagsets/registry.js';
import { unmountAll } from './mounts.js';

export default defineVerb({
  argsUsage: '[flags] <target>',
  description: 'Unmount the image rootfs from the specified target.',
  flags: [
    ...registryFlags,
    ...snapshotterFlags,
    labelFlag,
    { name: 'rm', kind: 'bool', usage: 'remove the snapshot after a successful unmount' },
  ],
  options: (p) => ({ target: p.args[0] ?? '', rm: p.values.rm as boolean, snapshotter: (p.values.snapshotter as string) ?? '' }),
  async run({ target, rm, snapshotter }, deps) {
    if (target === '') throw new CommandError('please provide a target path to unmount from');
    const conn = await deps.connect();
    await unmountAll(target);
    if (rm) {
      // SnapshotService("") cannot read the namespace's default here and falls back to overlayfs.
      const sn = snapshotter || DEFAULT_SNAPSHOTTER;
      try {
        await converted(conn.service(LeasesDefinition).delete({ id: target, sync: false }));
      } catch (e) {
        if (!isNotFound(e)) throw new Error(`error deleting lease: ${(e as Error).message}`);
      }
      try {
        await converted(conn.service(SnapshotsDefinition).remove({ snapshotter: sn, key: target }));
      } catch (e) {
        if (!isNotFound(e)) throw new Error(`error removing snapshot: ${(e as Error).message}`);
      }
    }
    deps.stdout.write(`${target}\n`);
  },
});
