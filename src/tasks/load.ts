// Loading what ctr's task verbs start from: the container record (client.LoadContainer),
// its OCI spec, and its task (container.Task), with the client's error texts.

import { ContainersDefinition, type Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import type { Process } from '../api/github.com/containerd/containerd/api/types/task/task.js';
import { ErrdefsError, fromGRPC, isNotFound } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import type { Connection } from '../cli/types.js';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import type { FifoSet } from '../taskio/fifo.js';
import type { Spec } from '../oci/spec.js';
import { Status } from '../api/github.com/containerd/containerd/api/types/task/task.js';
import { TaskProcess, tasksClient } from './process.js';

export async function loadContainer(conn: Connection, id: string): Promise<Container> {
  try {
    const r = await conn.service(ContainersDefinition).get({ id });
    if (!r.container) throw new ErrdefsError(Code.NotFound, `container "${id}" in namespace "${conn.namespace}": not found`);
    return r.container;
  } catch (e) {
    throw fromGRPC(e);
  }
}

/** container.Spec: the JSON document inside the record's Any. */
export function containerSpec(c: Container): Spec {
  const raw = c.spec?.value;
  if (!raw || raw.length === 0) throw new Error('unexpected end of JSON input');
  return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as Spec;
}

/** container.Task(ctx, nil): the task of a container, or "no running task found". */
export async function loadTaskRecord(conn: Connection, containerId: string): Promise<Process> {
  try {
    const r = await tasksClient(conn).get({ containerId });
    if (!r.process) throw new ErrdefsError(Code.NotFound, `task ${containerId} not found: not found`);
    return r.process;
  } catch (e) {
    const err = fromGRPC(e);
    if (isNotFound(err)) throw new ErrdefsError(Code.NotFound, `no running task found: ${(err as Error).message}`);
    throw err;
  }
}

export async function loadTask(conn: Connection, containerId: string): Promise<TaskProcess> {
  const p = await loadTaskRecord(conn, containerId);
  return new TaskProcess(tasksClient(conn), containerId, '', p.pid);
}

/** client.LoadContainer + container.Task, as most task verbs begin. */
export async function loadContainerTask(conn: Connection, id: string): Promise<TaskProcess> {
  await loadContainer(conn, id);
  return loadTask(conn, id);
}

/** task.LoadProcess: an exec'd process of a loaded task, which must exist. */
export async function loadProcess(task: TaskProcess, execId: string): Promise<TaskProcess> {
  if (execId === task.containerId) return task;
  const p = new TaskProcess(task.tasks, task.containerId, execId, 0);
  try {
    const r = await task.tasks.get({ containerId: task.containerId, execId });
    p.pid = r.process?.pid ?? 0;
  } catch (e) {
    const err = fromGRPC(e);
    if (isNotFound(err)) throw new ErrdefsError(Code.NotFound, `no running process found: ${(err as Error).message}`);
    throw err;
  }
  return p;
}

/**
 * The FIFO paths the daemon recorded for a process (cio.Load / attach). Closing the
 * set removes those FIFOs and then their directories when empty, as ctr does.
 */
export function recordedFifos(p: Process): FifoSet {
  const paths = [p.stdin, p.stdout, p.stderr];
  return {
    terminal: p.terminal,
    stdin: p.stdin,
    stdout: p.stdout,
    stderr: p.stderr,
    dir: '',
    async close() {
      const dirs = new Set<string>();
      for (const f of paths) {
        if (!f) continue;
        try {
          if (!(await fsp.stat(f)).isFIFO()) continue;
          await fsp.rm(f);
          dirs.add(dirname(f));
        } catch {
          // not there (or not ours to remove): as ctr, nothing to report
        }
      }
      for (const d of dirs) await fsp.rmdir(d).catch(() => {});
    },
  };
}

/** Whether the daemon still knows the process's IO (ctr attaches only then). */
export const hasKnownIO = (p: Process): boolean => p.status !== Status.UNKNOWN;
