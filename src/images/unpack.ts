// Unpacking an image into a snapshotter, as containerd's image.Unpack does.
//
//   unpackImage(conn, target, { snapshotter, platform }) → { chainId, diffIds, snapshotter }
//
//   conn        a Connection; a lease is taken for the call unless `conn` already runs
//               under one from withLease (src/images/lease.ts).
//   target      the image's target descriptor (index or manifest), blobs in the store.
//   snapshotter "" resolves like containerd: the namespace label
//               containerd.io/defaults/snapshotter, else "overlayfs".
//   platform    a MatchComparer (platforms.only(p) as ctr uses, or defaultMatcher()).
//
// For each layer: Stat(chainID); if missing, Prepare("extract-<nanos>-<rand> <chainID>",
// parent) → Diff.Apply(blob) → check the diff ID → Commit(chainID); then the layer blob
// gets containerd.io/uncompressed, and the config containerd.io/gc.ref.snapshot.<name>.
// Diff.Apply decompresses gzip/zstd daemon-side, so no layer bytes pass through us.

import { DiffDefinition } from '../api/github.com/containerd/containerd/api/services/diff/v1/diff.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Connection } from '../cli/types.js';
import { converted, ErrdefsError, isNotFound } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import { updateContentLabels } from './content.js';
import { resolveManifest, rootFS, toAPIDescriptor } from './image.js';
import { randomLeaseId, withLease } from './lease.js';
import type { MatchComparer } from './platforms.js';
import { sha256Hex } from './sha256.js';
import { resolveSnapshotterName } from './snapshotter.js';
import type { Descriptor } from './types.js';


/** identity.ChainID over diff IDs. */
export function chainID(diffIds: readonly string[]): string {
  let chain = diffIds[0] ?? '';
  for (let i = 1; i < diffIds.length; i++) {
    chain = `sha256:${sha256Hex(`${chain} ${diffIds[i]}`)}`;
  }
  return chain;
}

export interface UnpackResult {
  snapshotter: string;
  diffIds: string[];
  chainId: string;
}

const isAlreadyExists = (e: unknown) => e instanceof ErrdefsError && e.code === Code.AlreadyExists;

export async function unpackImage(
  conn: Connection, target: Descriptor, opts: { snapshotter: string; platform: MatchComparer },
): Promise<UnpackResult> {
  return withLease(conn, async (c) => {
    const manifest = await resolveManifest(c, target, opts.platform);
    let diffIds: string[];
    try {
      diffIds = await rootFS(c, manifest.config);
    } catch (e) {
      throw new Error(`failed to resolve rootfs: ${(e as Error).message}`);
    }
    const layers = manifest.layers ?? [];
    if (diffIds.length !== layers.length) throw new Error('mismatched image rootfs and manifest layers');
    const snapshotter = await resolveSnapshotterName(c, opts.snapshotter);
    const chain: string[] = [];
    // A layer's uncompressed label is set while the next layer is applied (one round
    // trip less per layer); it is awaited before anything after it can fail, so the
    // first error is the one ctr's one-step-at-a-time loop would report.
    let labelling: Promise<void> | undefined;
    const labelled = async () => {
      const p = labelling;
      labelling = undefined;
      await p;
    };
    for (let i = 0; i < layers.length; i++) {
      let applied: boolean;
      try {
        applied = await applyLayer(c, snapshotter, layers[i]!, diffIds[i]!, chain);
      } finally {
        await labelled();
      }
      if (applied) {
        labelling = updateContentLabels(c, layers[i]!.digest, { 'containerd.io/uncompressed': diffIds[i]! }, ['labels.containerd.io/uncompressed']);
        labelling.catch(() => {}); // observed by labelled()
      }
      chain.push(diffIds[i]!);
    }
    await labelled();
    const rootfs = chainID(chain);
    const key = `containerd.io/gc.ref.snapshot.${snapshotter}`;
    await updateContentLabels(c, manifest.config.digest, { [key]: rootfs }, [`labels.${key}`]);
    return { snapshotter, diffIds: chain, chainId: rootfs };
  });
}

/** rootfs.ApplyLayerWithOpts: true when this call created the snapshot. */
async function applyLayer(conn: Connection, snapshotter: string, blob: Descriptor, diffId: string, chain: string[]): Promise<boolean> {
  const snapshots = conn.service(SnapshotsDefinition);
  const id = chainID([...chain, diffId]);
  try {
    await converted(snapshots.stat({ snapshotter, key: id }));
    return false;
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`failed to stat snapshot ${id}: ${(e as Error).message}`);
  }
  try {
    await extract(conn, snapshotter, blob, diffId, [...chain, diffId]);
    return true;
  } catch (e) {
    if (isAlreadyExists(e)) return false;
    throw e;
  }
}

/** rootfs.applyLayers for one layer whose parent chain is already committed. */
async function extract(conn: Connection, snapshotter: string, blob: Descriptor, diffId: string, chain: string[]): Promise<void> {
  const snapshots = conn.service(SnapshotsDefinition);
  const parent = chainID(chain.slice(0, -1));
  const id = chainID(chain);
  let key: string;
  let mounts;
  for (;;) {
    key = `extract-${randomLeaseId()} ${id}`;
    try {
      ({ mounts } = await converted(snapshots.prepare({ snapshotter, key, parent, labels: {} })));
      break;
    } catch (e) {
      if (isAlreadyExists(e)) continue;
      throw wrapKeep(e, `failed to prepare extraction snapshot "${key}": ${(e as Error).message}`);
    }
  }
  try {
    let applied;
    try {
      ({ applied } = await converted(conn.service(DiffDefinition).apply({ diff: toAPIDescriptor(blob), mounts, payloads: {} })));
    } catch (e) {
      throw wrapKeep(e, `failed to extract layer ${diffId}: ${(e as Error).message}`);
    }
    if (applied?.digest !== diffId) throw new Error(`wrong diff id calculated on extraction "${applied?.digest ?? ''}"`);
    try {
      await converted(snapshots.commit({ snapshotter, name: id, key, labels: {} }));
    } catch (e) {
      throw wrapKeep(e, `failed to commit snapshot ${key}: ${(e as Error).message}`);
    }
  } catch (e) {
    await converted(snapshots.remove({ snapshotter, key })).catch(() => {});
    throw e;
  }
}

/** Wraps a message around an error while keeping its errdefs class (Go's %w). */
function wrapKeep(e: unknown, message: string): Error {
  return e instanceof ErrdefsError ? new ErrdefsError(e.code, message) : new Error(message);
}
