// The foreground life of a new task, shared by `ctr run` and `ctr tasks start`: the
// terminal in raw mode, the task created and waited for before it starts (so a fast
// exit is not missed), then either detach or stay until it exits, delete it and pass
// its exit status on. Clean-up runs on every way out, in ctr's (deferred) order.

import type { Container } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { CommandError, type Connection, type Deps, type Output } from '../cli/types.js';
import { currentConsole, NoConsoleError, type Console } from '../taskio/console.js';
import { newTask, type NewTaskOptions } from './create.js';
import { exitWith, superviseUntilExit, writePidFile } from './foreground.js';
import type { TaskProcess } from './process.js';
import { stdioCreator, type StdioChoice } from './stdio.js';

export interface SessionOptions extends Omit<NewTaskOptions, 'io'>, Omit<StdioChoice, 'console'> {
  tty: boolean;
  detach: boolean;
  pidFile?: string;
  /** Runs once the terminal is set up, before the task is made (run's CNI check). */
  beforeTask?: () => void | Promise<void>;
  /**
   * Told as soon as the daemon has deleted this session's task, before its output is read
   * to the end (run --rm then removes the container meanwhile, without looking for a task).
   */
  onTaskDeleted?: () => void;
}

/**
 * console.Current() and SetRaw, or nothing without a tty. With no terminal at all ctr
 * panics (exit status 2); its deferred clean-up still runs, as the error unwinds ours.
 */
export function rawConsole(tty: boolean, stderr: Output): Console | undefined {
  if (!tty) return undefined;
  let con: Console;
  try {
    con = currentConsole();
  } catch (e) {
    if (!(e instanceof NoConsoleError)) throw e;
    stderr.write(`panic: ${e.message}\n\n`);
    throw new CommandError('', 2);
  }
  con.setRaw();
  return con;
}

export async function runTaskSession(conn: Connection, container: Container, o: SessionOptions, deps: Deps): Promise<void> {
  const con = rawConsole(o.tty, deps.stderr);
  let task: TaskProcess | undefined;
  let deleted = false;
  try {
    await o.beforeTask?.();
    const stdio = stdioCreator({ ...o, console: con }, deps);
    task = await newTask(conn, container, { ...o, io: stdio.io });
    stdio.bind(task);
    const exited = o.detach ? undefined : task.wait();
    if (o.pidFile !== undefined) writePidFile(o.pidFile, task.pid);
    await task.start();
    if (!exited) {
      task.io?.release();
      return;
    }
    const status = await superviseUntilExit(task, exited, con, deps.stderr);
    if (status.error) throw status.error;
    await task.delete({ knownStopped: true, deleted: () => { deleted = true; o.onTaskDeleted?.(); } });
    exitWith(status.code);
  } finally {
    // ctr's deferred task.Delete: its own checks decide, and its error is dropped.
    if (task && !o.detach && !deleted) await task.delete({ deleted: o.onTaskDeleted }).catch(() => {});
    // Whatever is left of the IO is let go (never waited on), so the CLI can exit.
    task?.io?.release();
    con?.reset();
  }
}
