// task.Checkpoint as `ctr tasks checkpoint` uses it: under a lease, the task is paused
// (unless it already is), the runtime dumps it (CRIU), and unless an image path was
// given the dump, the container's image and its rw layer are bound into an OCI index
// stored as the image "containerd.io/checkpoint/<id>:<date>".

import { createHash } from 'node:crypto';
import { ContainersDefinition } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { ImagesDefinition } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { CheckpointOptions as LinuxCheckpointOptions } from '../api/github.com/containerd/containerd/runtime/linux/runctypes/runc.js';
import { CheckpointOptions } from '../api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import type { Any } from '../api/google/protobuf/any.js';
import type { Connection } from '../cli/types.js';
import { converted, ErrdefsError } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import { marshal } from '../format/json.js';
import { formatTime } from '../format/time.js';
import { writeBlob } from '../images/content.js';
import { withLease } from '../images/lease.js';
import { goArch } from '../images/platforms.js';
import { createDiff } from '../containers/rootfs.js';
import type { TaskProcess } from './process.js';

export interface CheckpointFlags {
  exit: boolean;
  imagePath: string;
  workPath: string;
}

const RUNC_V1 = 'io.containerd.runc.v1';
const RUNC_V2 = 'io.containerd.runc.v2';
const LINUX_V1 = 'io.containerd.runtime.v1.linux';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';

/** ctr's withCheckpointOpts: only the runc runtimes get options (always, for those). */
export function checkpointOptions(runtime: string, f: CheckpointFlags): Any | undefined {
  const fields = { exit: f.exit, imagePath: f.imagePath, workPath: f.workPath };
  if (runtime === RUNC_V1 || runtime === RUNC_V2) {
    return { typeUrl: 'containerd.runc.v1.CheckpointOptions', value: CheckpointOptions.encode(CheckpointOptions.fromPartial(fields)).finish() };
  }
  if (runtime === LINUX_V1) {
    return { typeUrl: 'containerd.linux.runc.CheckpointOptions', value: LinuxCheckpointOptions.encode(LinuxCheckpointOptions.fromPartial(fields)).finish() };
  }
  return undefined;
}

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: boolean;
}

/** json.NewEncoder(…).Encode(ocispec.Index): Go's field order, empty parts left out, a newline. */
function indexJSON(entries: IndexEntry[], annotations: Record<string, string>): Buffer {
  const platform = { architecture: goArch(), os: 'linux' };
  const manifests = entries.map((e) => ({
    mediaType: e.mediaType || undefined,
    digest: e.digest,
    size: e.size,
    annotations: e.annotations && Object.keys(e.annotations).length > 0 ? new Map(Object.entries(e.annotations)) : undefined,
    platform: e.platform ? platform : undefined,
  }));
  const doc = {
    schemaVersion: 2,
    manifests,
    annotations: Object.keys(annotations).length > 0 ? new Map(Object.entries(annotations)) : undefined,
  };
  return Buffer.from(`${marshal(doc)}\n`);
}

/** Returns the checkpoint image's name, or '' when the dump went to an image path. */
export async function checkpointTask(conn: Connection, task: TaskProcess, f: CheckpointFlags): Promise<string> {
  return withLease(conn, async (lc) => {
    const id = task.containerId;
    const { container: cr } = await converted(lc.service(ContainersDefinition).get({ id }));
    const runtime = cr?.runtime?.name ?? '';
    const options = checkpointOptions(runtime, f);
    const name = `containerd.io/checkpoint/${id}:${formatTime(new Date(), '01-02-2006-15:04:05')}`;
    const { status } = await task.status();
    if (status !== 'paused') await task.pause();
    try {
      const { descriptors } = await converted(task.tasks.checkpoint({ containerId: id, parentCheckpoint: '', options }));
      const entries: IndexEntry[] = descriptors.map((d) => ({
        mediaType: d.mediaType, digest: d.digest, size: Number(d.size), annotations: d.annotations, platform: true,
      }));
      if (options && (runtime === RUNC_V1 || runtime === RUNC_V2 || runtime === LINUX_V1) && f.imagePath !== '') return '';
      const annotations: Record<string, string> = {};
      if (cr!.image !== '') {
        const { image } = await converted(lc.service(ImagesDefinition).get({ name: cr!.image }));
        const t = image!.target!;
        entries.push({ mediaType: t.mediaType, digest: t.digest, size: Number(t.size), annotations: t.annotations });
        annotations['image.name'] = cr!.image;
      }
      if (cr!.snapshotKey !== '') {
        const rw = await createDiff(lc, cr!.snapshotter, cr!.snapshotKey, { ref: `checkpoint-rw-${cr!.snapshotKey}` });
        entries.push({ mediaType: rw.mediaType, digest: rw.digest, size: Number(rw.size), annotations: rw.annotations, platform: true });
      }
      const data = indexJSON(entries, annotations);
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      const labels = Object.fromEntries(entries.map((e, i) => [`containerd.io/gc.ref.content.${i}`, e.digest]));
      try {
        await writeBlob(lc, id, data, { size: data.length, digest }, labels);
      } catch (e) {
        if (!(e instanceof ErrdefsError && e.code === Code.AlreadyExists)) throw e;
      }
      await converted(lc.service(ImagesDefinition).create({
        image: {
          name,
          target: { mediaType: MT_INDEX, digest, size: data.length, annotations: {} },
          labels: { 'containerd.io/checkpoint': 'true' },
        },
      }));
      return name;
    } finally {
      if (status !== 'paused') await task.resume().catch(() => {});
    }
  });
}
