// A task's process (the init process, or an exec'd one) as containerd's client sees it:
// the calls ctr makes and the rules it applies around them (what may be deleted, how a
// forced delete kills, what Wait gives back).

import { TasksDefinition } from '../api/github.com/containerd/containerd/api/services/tasks/v1/tasks.js';
import { Status } from '../api/github.com/containerd/containerd/api/types/task/task.js';
import type { Timestamp } from '../api/google/protobuf/timestamp.js';
import type { ServiceClient } from '../client/client.js';
import { converted, ErrdefsError, fromGRPC, isNotFound } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import type { Connection } from '../cli/types.js';
import type { TaskIO } from '../taskio/io.js';

export type TasksClient = ServiceClient<typeof TasksDefinition>;

export const tasksClient = (conn: Connection): TasksClient => conn.service(TasksDefinition);

/** containerd.UnknownExitStatus: what Wait reports when the call itself failed. */
export const UNKNOWN_EXIT_STATUS = 255;

export interface ExitStatus {
  code: number;
  exitedAt?: Timestamp;
  /** Set when waiting failed; ctr returns it instead of the code. */
  error?: Error;
}

/** Status.String() lower-cased, as the client's ProcessStatus values are. */
export function statusName(s: Status): string {
  return (Status[s] ?? 'UNKNOWN').toLowerCase().replace('unrecognized', 'unknown');
}

const SIGKILL = 9;

function isFailedPrecondition(e: unknown): boolean {
  return e instanceof ErrdefsError && e.code === Code.FailedPrecondition;
}

export class TaskProcess {
  constructor(
    readonly tasks: TasksClient,
    readonly containerId: string,
    /** '' for the task's init process. */
    readonly execId: string,
    public pid: number,
    public io?: TaskIO,
  ) {}

  get isInit(): boolean {
    return this.execId === '';
  }

  /** Starts waiting now (ctr waits before Start so a fast exit is not missed). */
  wait(): Promise<ExitStatus> {
    return this.tasks.wait({ containerId: this.containerId, execId: this.execId }).then(
      (r) => ({ code: r.exitStatus, exitedAt: r.exitedAt }),
      (e) => ({ code: UNKNOWN_EXIT_STATUS, error: e instanceof Error ? e : new Error(String(e)) }),
    );
  }

  async start(): Promise<void> {
    try {
      const r = await this.tasks.start({ containerId: this.containerId, execId: this.execId });
      this.pid = r.pid;
    } catch (e) {
      if (this.io) {
        this.io.cancel();
        await this.io.close();
      }
      throw fromGRPC(e);
    }
  }

  async kill(signal: number, all = false, execId = this.execId): Promise<void> {
    await converted(this.tasks.kill({ containerId: this.containerId, execId, signal, all }));
  }

  async pause(): Promise<void> {
    await converted(this.tasks.pause({ containerId: this.containerId }));
  }

  async resume(): Promise<void> {
    await converted(this.tasks.resume({ containerId: this.containerId }));
  }

  async resize(width: number, height: number): Promise<void> {
    await converted(this.tasks.resizePty({ containerId: this.containerId, execId: this.execId, width, height }));
  }

  async closeStdin(): Promise<void> {
    await converted(this.tasks.closeIO({ containerId: this.containerId, execId: this.execId, stdin: true }));
  }

  async status(): Promise<{ status: string; exitStatus: number }> {
    const r = await converted(this.tasks.get({ containerId: this.containerId, execId: this.execId }));
    return { status: statusName(r.process?.status ?? Status.UNKNOWN), exitStatus: r.process?.exitStatus ?? 0 };
  }

  /** containerd.WithProcessKill: SIGKILL to everything, then wait for the exit. */
  async forceKill(): Promise<void> {
    const exited = this.wait();
    try {
      await this.kill(SIGKILL, true);
    } catch (e) {
      if (isNotFound(e)) {
        await exited;
        return;
      }
      if (isFailedPrecondition(e)) return;
      throw e;
    }
    await exited;
  }

  /**
   * Task.Delete / Process.Delete: refuses a process that still runs (with the client's
   * own message), then deletes it, reads its output to the end and closes the IO.
   * `knownStopped` skips the status check when the caller has just seen the process exit;
   * `deleted` (a task's) is called once the daemon has deleted it, before that drain (run
   * moves on to the container meanwhile).
   */
  async delete(opts: { force?: boolean; knownStopped?: boolean; deleted?: () => void } = {}): Promise<ExitStatus> {
    if (opts.force) await this.forceKill();
    if (this.isInit) return this.deleteTask(opts.knownStopped ?? false, opts.deleted);
    return this.deleteExec(opts.knownStopped ?? false);
  }

  private async deleteTask(knownStopped: boolean, deleted?: () => void): Promise<ExitStatus> {
    if (!knownStopped) {
      let status = '';
      try {
        status = (await this.status()).status;
      } catch (e) {
        if (isNotFound(e)) throw e;
      }
      const deletable = status === 'stopped' || status === 'unknown' || status === ''
        || (status === 'created' && this.pid === 0);
      if (!deletable) {
        throw new ErrdefsError(Code.FailedPrecondition, `task must be stopped before deletion: ${status}: failed precondition`);
      }
    }
    // The shim flushes and closes the output FIFOs while it deletes the process, so
    // output is read to the end first and the FIFOs go afterwards (ctr closes them
    // first, which can cut off the last bytes).
    this.io?.cancel();
    let r;
    try {
      r = await this.tasks.delete({ containerId: this.containerId });
    } catch (e) {
      await this.io?.close();
      throw fromGRPC(e);
    }
    deleted?.();
    await this.drainIO();
    return { code: r.exitStatus, exitedAt: r.exitedAt };
  }

  private async deleteExec(knownStopped: boolean): Promise<ExitStatus> {
    if (!knownStopped) {
      const { status } = await this.status();
      if (status === 'running' || status === 'paused' || status === 'pausing') {
        throw new ErrdefsError(
          Code.FailedPrecondition,
          `current process state: ${status}, process must be stopped before deletion: failed precondition`,
        );
      }
    }
    const r = await converted(this.tasks.deleteProcess({ containerId: this.containerId, execId: this.execId }));
    this.io?.cancel();
    await this.drainIO();
    return { code: r.exitStatus, exitedAt: r.exitedAt };
  }

  /** Reads what the shim still had, bounded in case something keeps a FIFO open. */
  private async drainIO(): Promise<void> {
    const io = this.io;
    if (!io) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([io.wait(), new Promise<void>((r) => { timer = setTimeout(r, 2000); })]);
    clearTimeout(timer);
    await io.close();
  }
}
