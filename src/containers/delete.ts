// Container removal as ctr's `containers delete` does it (and `run --rm` through
// container.Delete): a stopped or created task is deleted first, a live one refuses;
// the rootfs snapshot goes with the record unless it is kept.

import { ContainersDefinition, type Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Connection } from '../cli/types.js';
import { converted, ErrdefsError, isNotFound } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import { timeString, UTC } from '../format/time.js';
import { loadContainer, loadTaskRecord, recordedFifos } from '../tasks/load.js';
import { statusName, TaskProcess, tasksClient } from '../tasks/process.js';

export interface DeleteOptions {
  /** Keep the rootfs snapshot (ctr's --keep-snapshot). */
  keepSnapshot?: boolean;
  /** The record as this process created it (run --rm): not read again. */
  record?: Container;
  /** This process has just deleted the container's task (run --rm): no need to look for one. */
  taskDeleted?: boolean;
}

/** container.Delete: refuses while a task exists; removes the snapshot, then the record. */
export async function removeContainer(conn: Connection, id: string, opts: DeleteOptions = {}): Promise<void> {
  let hasTask = !opts.taskDeleted;
  if (hasTask) {
    try {
      await loadTaskRecord(conn, id);
    } catch {
      hasTask = false;
    }
  }
  if (hasTask) throw new ErrdefsError(Code.FailedPrecondition, `cannot delete running task ${id}: failed precondition`);
  const c: Container = opts.record?.id === id ? opts.record : await loadContainer(conn, id);
  if (!opts.keepSnapshot && c.snapshotKey !== '') {
    if (c.snapshotter === '') {
      throw new ErrdefsError(Code.InvalidArgument, 'container.Snapshotter must be set to cleanup rootfs snapshot: invalid argument');
    }
    try {
      await converted(conn.service(SnapshotsDefinition).remove({ snapshotter: c.snapshotter, key: c.snapshotKey }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  await converted(conn.service(ContainersDefinition).delete({ id }));
}

/** ctr's deleteContainer: the container, after its task when that is stopped or only created. */
export async function deleteContainer(conn: Connection, id: string, opts: DeleteOptions = {}): Promise<void> {
  await loadContainer(conn, id);
  let task;
  try {
    task = await loadTaskRecord(conn, id);
  } catch {
    return removeContainer(conn, id, opts);
  }
  const { process } = await converted(tasksClient(conn).get({ containerId: id }));
  const status = statusName(process!.status);
  if (status === 'stopped' || status === 'created') {
    await new TaskProcess(tasksClient(conn), id, '', task.pid).delete();
    // cio.Load's FIFOs go once the task is deleted.
    await recordedFifos(task).close();
    return removeContainer(conn, id, opts);
  }
  const exited = timeString(process!.exitedAt ?? { seconds: -62135596800, nanos: 0 }, UTC);
  throw new Error(`cannot delete a non stopped container: {${status} ${process!.exitStatus} ${exited}}`);
}
