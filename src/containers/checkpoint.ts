// container.Checkpoint and client.Restore as ctr's `containers checkpoint` and
// `containers restore` use them. A checkpoint is an image whose target is an OCI index:
// annotations name the image, runtime and snapshotter; entries carry the runtime
// options, optionally the image itself, the rw layer diff and the task's CRIU dump.

import { createHash } from 'node:crypto';
import { ContainersDefinition, type Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { ImagesDefinition } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { TasksDefinition } from '../api/github.com/containerd/containerd/api/services/tasks/v1/tasks.js';
import { DiffDefinition } from '../api/github.com/containerd/containerd/api/services/diff/v1/diff.js';
import { CheckpointOptions } from '../api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import { Any } from '../api/google/protobuf/any.js';
import type { Connection } from '../cli/types.js';
import { converted, ErrdefsError, fromGRPC } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import { marshal } from '../format/json.js';
import { readBlob, writeBlob } from '../images/content.js';
import { withLease } from '../images/lease.js';
import { defaultMatcher, goArch } from '../images/platforms.js';
import { decodeGoJSON, goString, map, slice, struct, goInt, ptr, type GoType } from '../oci/gojson.js';
import { imageChainID } from './image.js';
import { getImage } from './lookup.js';
import { createDiff } from './rootfs.js';
import { resolveSnapshotterName } from '../images/snapshotter.js';

const ANNOTATION_IMAGE = 'org.opencontainers.image.ref.name';
const ANNOTATION_RUNTIME = 'io.containerd.checkpoint.runtime';
const ANNOTATION_SNAPSHOTTER = 'io.containerd.checkpoint.snapshotter';
const MT_RUNTIME_OPTIONS = 'application/vnd.containerd.container.checkpoint.runtime.options+proto';
const MT_CHECKPOINT_OPTIONS = 'application/vnd.containerd.container.checkpoint.options.v1+proto';
const MT_CHECKPOINT_CONFIG = 'application/vnd.containerd.container.checkpoint.config.v1+proto';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface Platform { architecture: string; os: string; variant?: string }

/** An ocispec.Descriptor as it goes into the index JSON. */
export interface IndexDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

interface Index {
  schemaVersion: number;
  manifests: IndexDescriptor[];
  annotations: Record<string, string>;
}

export interface CheckpointFlags {
  rw: boolean;
  image: boolean;
  task: boolean;
}

const hostPlatform = (): Platform => ({ architecture: goArch(), os: 'linux' });

/** json.Marshal(ocispec.Descriptor): Go field order, empty parts left out. */
function descriptorJSON(d: IndexDescriptor): Record<string, unknown> {
  const out: Record<string, unknown> = { mediaType: d.mediaType || undefined, digest: d.digest, size: d.size };
  if (d.annotations && Object.keys(d.annotations).length > 0) out.annotations = new Map(Object.entries(d.annotations));
  if (d.platform) out.platform = { architecture: d.platform.architecture, os: d.platform.os, variant: d.platform.variant || undefined };
  return out;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** containerd's writeContent: the blob under `ref`, an existing one being fine. */
async function writeContent(conn: Connection, mediaType: string, ref: string, data: Uint8Array, labels?: Record<string, string>): Promise<IndexDescriptor> {
  const desc = { mediaType, digest: sha256(data), size: data.length };
  await writeBlob(conn, ref, data, desc, labels);
  return desc;
}

const apiDescriptor = (d: { mediaType: string; digest: string; size: number | bigint; annotations?: Record<string, string> }): IndexDescriptor => ({
  mediaType: d.mediaType, digest: d.digest, size: Number(d.size), annotations: d.annotations,
});

const isAlreadyExists = (e: unknown) => e instanceof ErrdefsError && e.code === Code.AlreadyExists;

/** container.Checkpoint with WithCheckpointRuntime and the options ctr's flags add. */
export async function checkpointContainer(conn: Connection, c: Container, ref: string, flags: CheckpointFlags): Promise<void> {
  const containers = conn.service(ContainersDefinition);
  const { container: info } = await converted(containers.get({ id: c.id }));
  // container.Image
  const { container: again } = await converted(containers.get({ id: c.id }));
  if (!again!.image) throw new ErrdefsError(Code.NotFound, 'container not created from an image: not found');
  let imageName: string;
  try {
    imageName = (await converted(conn.service(ImagesDefinition).get({ name: again!.image }))).image!.name;
  } catch (e) {
    throw new Error(`failed to get image ${again!.image} for container: ${(e as Error).message}`);
  }
  await withLease(conn, async (lc) => {
    const index: Index = {
      schemaVersion: 2,
      manifests: [],
      annotations: { [ANNOTATION_IMAGE]: imageName, [ANNOTATION_RUNTIME]: info!.runtime?.name ?? '', [ANNOTATION_SNAPSHOTTER]: info!.snapshotter },
    };
    const steps: Array<() => Promise<void>> = [
      async () => {
        const opts = info!.runtime?.options;
        if (!opts) return;
        const desc = await writeContent(lc, MT_RUNTIME_OPTIONS, `${c.id}-runtime-options`, Any.encode(opts).finish());
        index.manifests.push({ ...desc, platform: hostPlatform() });
      },
    ];
    if (flags.image) {
      steps.push(async () => {
        const { image } = await converted(lc.service(ImagesDefinition).get({ name: info!.image }));
        index.manifests.push(apiDescriptor(image!.target!));
      });
    }
    if (flags.rw) {
      steps.push(async () => {
        const rw = await createDiff(lc, info!.snapshotter, info!.snapshotKey, { ref: `checkpoint-rw-${info!.snapshotKey}` });
        index.manifests.push({ ...apiDescriptor(rw), platform: hostPlatform() });
      });
    }
    if (flags.task) {
      steps.push(async () => {
        const options: Any = {
          typeUrl: 'containerd.runc.v1.CheckpointOptions',
          value: CheckpointOptions.encode(CheckpointOptions.fromPartial({ fileLocks: true })).finish(),
        };
        const r = await lc.service(TasksDefinition).checkpoint({ containerId: c.id, options, parentCheckpoint: '' });
        for (const d of r.descriptors) index.manifests.push({ ...apiDescriptor(d), platform: hostPlatform() });
        const desc = await writeContent(lc, MT_CHECKPOINT_OPTIONS, `${c.id}-checkpoint-options`, Any.encode(options).finish());
        index.manifests.push({ ...desc, platform: hostPlatform() });
      });
    }
    for (const step of steps) {
      try {
        await step();
      } catch (e) {
        const err = fromGRPC(e);
        if (!isAlreadyExists(err)) throw err;
      }
    }
    // writeIndex: the index, with gc references to everything it lists.
    const labels: Record<string, string> = {};
    index.manifests.forEach((m, i) => { labels[`containerd.io/gc.ref.content.${i}`] = m.digest; });
    const body = Buffer.from(marshal({
      schemaVersion: index.schemaVersion,
      manifests: index.manifests.map(descriptorJSON),
      annotations: new Map(Object.entries(index.annotations)),
    }));
    const desc = await writeContent(lc, MT_INDEX, `${c.id}index`, body, labels);
    await converted(lc.service(ImagesDefinition).create({
      image: { name: ref, labels: {}, target: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations: {} } },
    }));
  });
}

// ---------------------------------------------------------------------------------
// Restore

const descriptorType = struct('v1.Descriptor', [
  { key: 'mediaType', type: goString },
  { key: 'digest', type: { kind: 'string', name: 'digest.Digest' } },
  { key: 'size', type: goInt('int64', 64, false) },
  { key: 'urls', type: slice(goString) },
  { key: 'annotations', type: map(goString) },
  { key: 'data', type: slice(goInt('uint8', 8, true)) },
  { key: 'platform', type: ptr(struct('v1.Platform', [
    { key: 'architecture', type: goString }, { key: 'os', type: goString }, { key: 'variant', type: goString },
  ])) },
]);
const indexType: GoType = struct('v1.Index', [
  { key: 'schemaVersion', type: goInt('int', 64, false) },
  { key: 'mediaType', type: goString },
  { key: 'manifests', type: slice(descriptorType) },
  { key: 'annotations', type: map(goString) },
]);

interface DecodedIndex { manifests?: IndexDescriptor[]; annotations?: Record<string, string> }

const byMediaType = (index: DecodedIndex, mt: string): IndexDescriptor => {
  const d = (index.manifests ?? []).find((m) => m.mediaType === mt);
  if (!d) throw new Error('media type not found');
  return d;
};

/** client.Restore with WithRestoreImage, WithRestoreSpec, WithRestoreRuntime (and WithRestoreRW). */
export async function restoreContainer(conn: Connection, id: string, target: IndexDescriptor, rw: boolean): Promise<Container> {
  const index = decodeGoJSON<DecodedIndex>(indexType, await readBlob(conn, target)) ?? {};
  return withLease(conn, async (lc) => {
    const sn = lc.service(SnapshotsDefinition);
    const draft: Partial<Container> & { id: string } = { id, labels: {}, extensions: {}, image: '', snapshotter: '', snapshotKey: '' };
    let prepared = '';
    try {
      // WithRestoreImage
      const name = index.annotations?.[ANNOTATION_IMAGE];
      if (!name) throw new Error('image name not found in index');
      const snapshotter = index.annotations?.[ANNOTATION_SNAPSHOTTER] ?? '';
      const image = await getImage(lc, name);
      const parent = await imageChainID(lc, { ...image, platform: defaultMatcher() });
      // client.SnapshotService resolves an empty name; the record keeps the annotation's.
      const snName = await resolveSnapshotterName(lc, snapshotter).catch(() => 'overlayfs');
      await converted(sn.prepare({ snapshotter: snName, key: id, parent, labels: {} }));
      prepared = snName;
      Object.assign(draft, { image: image.name, snapshotKey: id, snapshotter });
      // WithRestoreSpec
      const config = byMediaType(index, MT_CHECKPOINT_CONFIG);
      let data: Buffer;
      try {
        data = await readBlob(lc, config);
      } catch (e) {
        throw new Error(`unable to read checkpoint config: ${(e as Error).message}`);
      }
      draft.spec = Any.decode(data);
      // WithRestoreRuntime
      const runtime = index.annotations?.[ANNOTATION_RUNTIME];
      if (runtime === undefined) throw new Error('runtime not found in index');
      const opts = (index.manifests ?? []).find((m) => m.mediaType === MT_RUNTIME_OPTIONS);
      let options: Any = { typeUrl: '', value: new Uint8Array() };
      if (opts) {
        try {
          options = Any.decode(await readBlob(lc, opts));
        } catch (e) {
          throw new Error(`unable to read checkpoint runtime: ${(e as Error).message}`);
        }
      }
      draft.runtime = { name: runtime, options };
      if (rw) {
        const layer = byMediaType(index, MT_LAYER_GZIP);
        const { mounts } = await converted(sn.mounts({ snapshotter: prepared, key: id }));
        await converted(lc.service(DiffDefinition).apply({
          diff: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size, annotations: layer.annotations ?? {} },
          mounts,
          payloads: {},
        }));
      }
      const { container } = await converted(lc.service(ContainersDefinition).create({ container: draft }));
      return container!;
    } catch (e) {
      if (prepared) await sn.remove({ snapshotter: prepared, key: id }).catch(() => {});
      throw e;
    }
  });
}

const MT_CRIU = 'application/vnd.containerd.container.criu.checkpoint.criu.tar';

/** WithTaskCheckpoint: the CRIU image listed in a checkpoint's index. */
export async function taskCheckpoint(conn: Connection, target: IndexDescriptor): Promise<IndexDescriptor> {
  const index = decodeGoJSON<DecodedIndex>(indexType, await readBlob(conn, target)) ?? {};
  const m = (index.manifests ?? []).find((d) => d.mediaType === MT_CRIU);
  if (!m) throw new Error(`checkpoint not found in index ${target.digest}`);
  return { mediaType: m.mediaType, digest: m.digest, size: m.size };
}
