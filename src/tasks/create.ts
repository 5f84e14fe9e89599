// container.NewTask: the IO paths, the rootfs mounts from the container's snapshot and
// the runtime's create options go into one Tasks.Create request. The IO set-up (maybe a
// mkfifo child) and the snapshot lookup are independent, so they run side by side.

import type { Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Descriptor } from '../api/github.com/containerd/containerd/api/types/descriptor.js';
import type { Mount } from '../api/github.com/containerd/containerd/api/types/mount.js';
import { CreateOptions } from '../api/github.com/containerd/containerd/runtime/linux/runctypes/runc.js';
import { Options as RuncOptions } from '../api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import type { Any } from '../api/google/protobuf/any.js';
import { ErrdefsError, fromGRPC } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import type { Connection } from '../cli/types.js';
import type { IOCreator, TaskIO } from '../taskio/io.js';
import { rememberedMounts } from '../containers/known-mounts.js';
import { containerSpec } from './load.js';
import { TaskProcess, tasksClient } from './process.js';

export interface NewTaskOptions {
  io: IOCreator;
  /** containerd.WithNoPivotRoot / WithUIDOwner / WithGIDOwner. */
  noPivotRoot?: boolean;
  ioUid?: number;
  ioGid?: number;
  checkpoint?: Descriptor;
}

/** containerd.CheckRuntime: does `current` start with the dot-separated parts of `expected`? */
export function checkRuntime(current: string, expected: string): boolean {
  const cur = current.split('.');
  return expected.split('.').every((p, i) => cur[i] === p);
}

/** The runtime create options NewTaskOpts would build, or undefined when none were asked for. */
export function taskCreateOptions(runtime: string, o: NewTaskOptions): Any | undefined {
  if (!o.noPivotRoot && o.ioUid === undefined && o.ioGid === undefined) return undefined;
  const fields = { noPivotRoot: o.noPivotRoot ?? false, ioUid: o.ioUid ?? 0, ioGid: o.ioGid ?? 0 };
  if (checkRuntime(runtime, 'io.containerd.runc')) {
    return { typeUrl: 'containerd.runc.v1.Options', value: RuncOptions.encode(RuncOptions.fromPartial(fields)).finish() };
  }
  return { typeUrl: 'containerd.linux.runc.CreateOptions', value: CreateOptions.encode(CreateOptions.fromPartial(fields)).finish() };
}

async function rootfsMounts(conn: Connection, c: Container): Promise<Mount[]> {
  if (!c.snapshotKey) return [];
  if (!c.snapshotter) {
    throw new ErrdefsError(Code.InvalidArgument, 'unable to resolve rootfs mounts without snapshotter on container: invalid argument');
  }
  let mounts = rememberedMounts(c);
  if (!mounts) {
    try {
      ({ mounts } = await conn.service(SnapshotsDefinition).mounts({ snapshotter: c.snapshotter, key: c.snapshotKey }));
    } catch (e) {
      throw fromGRPC(e);
    }
  }
  const label = containerSpec(c).linux?.mountLabel;
  return mounts.map((m) => ({
    type: m.type,
    source: m.source,
    target: '',
    options: label ? [...m.options, `context="${label}"`] : m.options,
  }));
}

/** Creates the task of `c` (already loaded); on failure nothing of the IO is left behind. */
export async function newTask(conn: Connection, c: Container, o: NewTaskOptions): Promise<TaskProcess> {
  const ioP = o.io(c.id);
  const mountsP = rootfsMounts(conn, c);
  let io: TaskIO | undefined;
  try {
    const [created, rootfs] = await Promise.allSettled([ioP, mountsP]);
    if (created.status === 'fulfilled') io = created.value;
    // ctr makes the IO first, so its error wins over the snapshot's.
    if (created.status === 'rejected') throw created.reason;
    if (rootfs.status === 'rejected') throw rootfs.reason;
    const cfg = io!.config;
    const tasks = tasksClient(conn);
    let pid: number;
    try {
      const creating = tasks.create({
        containerId: c.id,
        rootfs: rootfs.value,
        stdin: cfg.stdin,
        stdout: cfg.stdout,
        stderr: cfg.stderr,
        terminal: cfg.terminal,
        checkpoint: o.checkpoint,
        options: taskCreateOptions(c.runtime?.name ?? '', o),
      });
      // The request is out (written this turn); the shim takes tens of ms to start.
      setImmediate(() => io?.prime());
      ({ pid } = await creating);
    } catch (e) {
      throw fromGRPC(e);
    }
    return new TaskProcess(tasks, c.id, '', pid, io);
  } catch (e) {
    if (io) {
      io.cancel();
      await io.close();
    }
    throw e;
  }
}
