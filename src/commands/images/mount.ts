import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { SnapshotsDefinition } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { converted, ErrdefsError, isNotFound } from '../../client/errdefs.js';
import { Code } from '../../client/transport.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { rootFS, resolveManifest } from '../../images/image.js';
import { defaultString, only, parsePlatform } from '../../images/platforms.js';
import { DEFAULT_SNAPSHOTTER } from '../../images/snapshotter.js';
import { chainID, unpackImage } from '../../images/unpack.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';
import { labelFlag, registryFlags } from '../flagsets/registry.js';
import { createLease, targetOf, type Lease } from './shared.js';
import { mountAll } from './mounts.js';

const isAlreadyExists = (e: unknown) => e instanceof ErrdefsError && e.code === Code.AlreadyExists;

export default defineVerb({
  argsUsage: '[flags] <ref> <target>',
  description: `Mount an image rootfs to a specified path.

When you are done, use the unmount command.`,
  flags: [
    ...registryFlags,
    ...snapshotterFlags,
    labelFlag,
    { name: 'rw', kind: 'bool', usage: 'Enable write support on the mount' },
    { name: 'platform', kind: 'string', usage: 'Mount the image for the specified platform', value: defaultString() },
  ],
  options: (p) => ({
    ref: p.args[0] ?? '',
    target: p.args[1] ?? '',
    rw: p.values.rw as boolean,
    platform: (p.values.platform as string) ?? defaultString(),
  }),
  async run({ ref, target, rw, platform }, deps) {
    if (ref === '') throw new CommandError('please provide an image reference to mount');
    if (target === '') throw new CommandError('please provide a target path to mount to');
    const conn = await deps.connect();
    // ctr reads the snapshotter as a global flag, which does not exist: always the default.
    const snapshotter = DEFAULT_SNAPSHOTTER;
    let lease: Lease | undefined;
    try {
      lease = await createLease(conn, { id: target, labels: { [`containerd.io/gc.ref.snapshot.${snapshotter}`]: target } });
    } catch (e) {
      // A lease of that name is left from an earlier mount: go on without one.
      if (!isAlreadyExists(e)) throw e;
    }
    const leased = lease?.conn ?? conn;
    try {
      let p;
      try {
        p = parsePlatform(platform);
      } catch (e) {
        throw new Error(`unable to parse platform ${platform}: ${(e as Error).message}`);
      }
      const { image } = await converted(leased.service(ImagesDefinition).get({ name: ref }));
      const target_ = targetOf(image);
      const matcher = only(p);
      try {
        await unpackImage(leased, target_, { snapshotter, platform: matcher });
      } catch (e) {
        throw new Error(`error unpacking image: ${(e as Error).message}`, { cause: e });
      }
      const id = chainID(await rootFS(leased, (await resolveManifest(leased, target_, matcher)).config));
      deps.stdout.write(`${id}\n`);

      const snapshots = leased.service(SnapshotsDefinition);
      let mounts;
      try {
        const req = { snapshotter, key: target, parent: id };
        mounts = (await converted(rw ? snapshots.prepare(req) : snapshots.view(req))).mounts;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        mounts = (await converted(snapshots.mounts({ snapshotter, key: target }))).mounts;
      }
      try {
        await mountAll(mounts, target);
      } catch (e) {
        try {
          await converted(snapshots.remove({ snapshotter, key: target }));
        } catch (re) {
          if (!isNotFound(re)) deps.stderr.write(`Error cleaning up snapshot after mount error: ${(re as Error).message}\n`);
        }
        throw e;
      }
      deps.stdout.write(`${target}\n`);
    } catch (e) {
      await lease?.done();
      throw e;
    }
  },
});
