// The local terminal for -t, as containerd/console's Current() finds it: the first of
// stderr, stdout and stdin that is a terminal. Raw mode keeps output post-processing on
// (ctr sets OPOST after cfmakeraw; libuv's raw mode never clears it), and the original
// mode comes back on every way out, signals included.

import type { ReadStream, WriteStream } from 'node:tty';
import type { Writer } from './io.js';
import { nodeRequire } from '../util/require.js';

export interface WinSize {
  width: number;
  height: number;
}

export interface Console {
  readonly fd: number;
  /** Keystrokes from the terminal. */
  readonly input: NodeJS.ReadableStream;
  /** Where the task's output goes (the terminal itself). */
  readonly output: Writer;
  size(): WinSize;
  setRaw(): void;
  /** Back to the mode the terminal had; safe to call more than once. */
  reset(): void;
  /** Calls fn on every SIGWINCH; returns the function that stops it. */
  onResize(fn: () => void): () => void;
}

/** What ctr does when no standard stream is a terminal: Go panics with this text. */
export class NoConsoleError extends Error {
  constructor() {
    super('provided file is not a console');
    this.name = 'NoConsoleError';
  }
}

/** The signals whose default action ends the process; raw mode must not outlive them. */
const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM'];

export function currentConsole(proc: NodeJS.Process = process): Console {
  // node:tty only with -t: every run without a terminal would pay for loading it.
  const { isatty, ReadStream, WriteStream } = nodeRequire('node:tty') as typeof import('node:tty');
  const fd = [2, 1, 0].find((n) => isatty(n));
  if (fd === undefined) throw new NoConsoleError();
  const input: ReadStream = fd === 0 && proc.stdin instanceof ReadStream ? proc.stdin : new ReadStream(fd);
  const output: WriteStream = fd === 1 && proc.stdout instanceof WriteStream ? proc.stdout
    : fd === 2 && proc.stderr instanceof WriteStream ? proc.stderr
      : new WriteStream(fd);
  let raw = false;
  const onExit = () => restore();
  const onFatal = (sig: NodeJS.Signals) => {
    restore();
    // Die of the same signal, as the process would have without raw mode to undo.
    proc.kill(proc.pid, sig);
  };
  const restore = () => {
    if (!raw) return;
    raw = false;
    try {
      input.setRawMode(false);
    } catch {
      // the terminal may be gone (hangup): nothing left to restore
    }
    input.pause();
    // A paused tty ReadStream of our own still holds the loop open; process.stdin does not.
    if (input !== proc.stdin) input.destroy();
    proc.off('exit', onExit);
    for (const s of FATAL_SIGNALS) proc.off(s, onFatal);
  };
  return {
    fd,
    input,
    output,
    size() {
      const [width, height] = output.getWindowSize();
      return { width, height };
    },
    setRaw() {
      if (raw) return;
      input.setRawMode(true);
      raw = true;
      proc.once('exit', onExit);
      for (const s of FATAL_SIGNALS) proc.once(s, onFatal);
    },
    reset: restore,
    onResize(fn) {
      proc.on('SIGWINCH', fn);
      return () => void proc.off('SIGWINCH', fn);
    },
  };
}
