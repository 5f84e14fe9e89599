// tasks.NewTask's choice of IO for a task: the terminal (-t), nothing (--null-io), a
// log URI, or FIFOs copied to our own stdio; stdin's EOF is passed on with CloseIO.

import type { Deps } from '../cli/types.js';
import type { Console } from '../taskio/console.js';
import type { PreparedFifos } from '../taskio/fifo.js';
import { fifoIO, logURIIO, nullIO, type IOCreator } from '../taskio/io.js';
import { normalizeLogURI } from '../taskio/loguri.js';
import type { TaskProcess } from './process.js';

const SIGPIPE = 13;

export interface StdioChoice {
  console?: Console;
  nullIO?: boolean;
  logURI?: string;
  fifoDir?: string;
  /** FIFOs made ahead of time for this choice (run's head start). */
  prepared?: PreparedFifos;
}

/**
 * The creator, and a slot for the process once it exists. The shim holds the stdin
 * FIFO open itself until CloseIO, so our EOF needs that call; ctr drops it when stdin
 * ends before the task exists (and the process then never sees EOF), this sends it as
 * soon as the process is bound.
 */
export function stdioCreator(c: StdioChoice, deps: Pick<Deps, 'stdin' | 'stdout' | 'stderr'>): { io: IOCreator; bind(p: TaskProcess): void } {
  let proc: TaskProcess | undefined;
  let stdinEnded = false;
  const closeStdin = () => void proc?.closeStdin().catch(() => {});
  const bind = (p: TaskProcess) => {
    proc = p;
    // After this turn: the caller's Wait and Start go out first (they gate the task).
    if (stdinEnded) setImmediate(closeStdin);
  };
  if (c.console) {
    if (c.nullIO) throw new Error('tty and null-io cannot be used together');
    return { io: fifoIO({ stdin: c.console.input, stdout: c.console.output, terminal: true }, c.fifoDir, c.prepared), bind };
  }
  if (c.nullIO) return { io: nullIO, bind };
  if (c.logURI) return { io: logURIIO(normalizeLogURI(c.logURI)), bind };
  const io = fifoIO({
    stdin: () => deps.stdin,
    stdout: deps.stdout,
    stderr: deps.stderr,
    onStdinEnd: () => {
      stdinEnded = true;
      closeStdin();
    },
    // ctr catches the SIGPIPE of its failed write and forwards it, like any signal.
    onOutputGone: () => void proc?.kill(SIGPIPE).catch(() => {}),
  }, c.fifoDir, c.prepared);
  return { io, bind };
}
