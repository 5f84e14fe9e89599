// What ctr does once a process is ready to start in the foreground: start it, then
// either keep the pty's size in step with the local terminal or forward every signal
// to it, and return its exit status when it ends.

import { openSync, writeSync, closeSync, renameSync, constants as fsc } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Output } from '../cli/types.js';
import { CommandError } from '../cli/types.js';
import { isNotFound } from '../client/errdefs.js';
import type { Console } from '../taskio/console.js';
import { goPathError } from '../taskio/fifo.js';
import { forwardAllSignals } from '../taskio/signals.js';
import { log } from './log.js';
import type { ExitStatus, TaskProcess } from './process.js';

/** commands.WritePidFile: written next to the target under a dot name, then renamed. */
export function writePidFile(path: string, pid: number): void {
  const abs = resolve(path);
  const temp = join(dirname(abs), `.${basename(abs)}`);
  let fd: number;
  try {
    fd = openSync(temp, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL | fsc.O_SYNC, 0o666);
  } catch (e) {
    throw goPathError(e, 'open', temp);
  }
  try {
    writeSync(fd, String(pid));
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, abs);
  } catch (e) {
    throw goPathError(e, 'rename', `${temp} ${abs}`);
  }
}

/**
 * tasks.HandleConsoleResize: one resize now, then one per SIGWINCH. Failures are
 * logged, never fatal. Returns the function that stops following the size.
 */
export function followConsoleSize(proc: TaskProcess, con: Console, stderr: Output): () => void {
  const resize = () => {
    let size;
    try {
      size = con.size();
    } catch (e) {
      log(stderr, 'error', 'get pty size', e);
      return;
    }
    proc.resize(size.width, size.height).catch((e) => log(stderr, 'error', 'resize pty', e));
  };
  try {
    con.size();
  } catch (e) {
    log(stderr, 'error', 'console resize', e);
    return () => {};
  }
  resize();
  return con.onResize(resize);
}

/** While `exited` is pending: follow the terminal size (tty) or forward signals. */
export async function superviseUntilExit(
  proc: TaskProcess,
  exited: Promise<ExitStatus>,
  con: Console | undefined,
  stderr: Output,
): Promise<ExitStatus> {
  const stop = con
    ? followConsoleSize(proc, con, stderr)
    : forwardAllSignals({
      kill: (sig) => proc.kill(sig),
      isNotFound,
      onError: (name, e) => log(stderr, 'error', `forward signal ${name}`, e),
    });
  try {
    return await exited;
  } finally {
    stop();
  }
}

/** ctr turns a non-zero exit status into urfave's silent exit error. */
export function exitWith(code: number): void {
  if (code !== 0) throw new CommandError('', code);
}
