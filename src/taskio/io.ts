// The client side of a task's IO, as containerd's cio package does it: a creator makes
// the paths (FIFOs, a log URI, or nothing) that go into the Create/Exec request, and the
// IO copies between our streams and the FIFOs until the shim closes them.

import { closeSync, constants as fsc, open as openFile, openSync } from 'node:fs';
import { openPipe, type ByteStream } from '../util/pipe.js';
import { goPathError, PreparedFifos, type FifoSet, type IOConfig } from './fifo.js';

export type { IOConfig } from './fifo.js';

export interface Writer {
  write(chunk: Uint8Array): unknown;
}

/** The local ends: where the task's output goes and where its input comes from. */
export interface Streams {
  /**
   * Where stdin comes from; a function is called late, by TaskIO.prime or once the shim
   * has opened the FIFO (building process.stdin costs a few ms, better spent while the
   * daemon works).
   */
  stdin?: NodeJS.ReadableStream | (() => NodeJS.ReadableStream);
  stdout?: Writer;
  stderr?: Writer;
  terminal?: boolean;
  /** Called once our stdin reaches EOF (ctr then sends CloseIO for stdin). */
  onStdinEnd?: () => void;
  /** Called once when our stdout or stderr reader has gone away (EPIPE). */
  onOutputGone?: () => void;
}

export interface TaskIO {
  readonly config: IOConfig;
  /** Resolves when stdout and stderr have reached EOF (the shim closed them). */
  wait(): Promise<void>;
  /** Stops copying stdin (ctr's Cancel); output still drains until wait() or close(). */
  cancel(): void;
  /** Closes our ends and removes the FIFO directory. */
  close(): Promise<void>;
  /** Lets go of our ends but leaves the FIFOs, as ctr does when it detaches. */
  release(): void;
  /**
   * Builds what copying will need (the stdin stream) ahead of time: called once the
   * create request is out, while the daemon works for tens of ms.
   */
  prime(): void;
}

/** Makes the IO for process `id` (the container id, or the exec id). */
export type IOCreator = (id: string) => Promise<TaskIO>;

const noIO = (config: IOConfig): TaskIO => ({
  config,
  wait: async () => {},
  cancel: () => {},
  close: async () => {},
  release: () => {},
  prime: () => {},
});

/** cio.NullIO: no paths at all, so the shim sends everything to /dev/null. */
export const nullIO: IOCreator = async () => noIO({ terminal: false, stdin: '', stdout: '', stderr: '' });

/** cio.LogURI: stdout and stderr both go to the URI (file:// or binary://), handled by the shim. */
export function logURIIO(uri: string): IOCreator {
  return async () => noIO({ terminal: false, stdin: '', stdout: uri, stderr: uri });
}

/**
 * cio.NewCreator: a FIFO set under fifoDir (default /run/containerd/fifo) copied to and
 * from `streams`; a stream that is absent gets no path.
 */
export function fifoIO(streams: Streams, fifoDir = '', prepared?: PreparedFifos): IOCreator {
  return async (id) => {
    const set = await (prepared ?? new PreparedFifos(fifoDir, id, streams.terminal ?? false, {
      stdin: !!streams.stdin, stdout: !!streams.stdout, stderr: !!streams.stderr,
    })).take();
    return copyIO(set, streams);
  };
}

/** cio.NewAttach: copies to and from the FIFOs of a process that already runs. */
export function attachIO(set: FifoSet, streams: Streams): TaskIO {
  return copyIO(set, streams);
}

function openFifo(path: string, flags: number, what: string): number {
  try {
    return openSync(path, flags | fsc.O_NONBLOCK);
  } catch (e) {
    throw new Error(`failed to open ${what} fifo: ${goPathError(e, 'open', path).message}`);
  }
}

/**
 * Copies `source` into the stdin FIFO. The FIFO is opened for writing the way ctr's
 * fifo package does it, blocking (on a worker thread) until the shim has opened its
 * end: only then can our EOF reach the process, as closing a FIFO that has no reader
 * yet would be lost. Returns the function that stops copying and lets go of the FIFO,
 * and the one that builds the source early.
 */
function copyStdin(
  path: string, input: NodeJS.ReadableStream | (() => NodeJS.ReadableStream), onEnd: (() => void) | undefined,
): { stop(): void; prime(): void } {
  let stopped = false;
  let sink: ByteStream | undefined;
  let source: NodeJS.ReadableStream | undefined = typeof input === 'function' ? undefined : input;
  const prime = () => {
    if (!stopped) source ??= (input as () => NodeJS.ReadableStream)();
  };
  const onData = (chunk: Buffer | string) => {
    if (sink && !sink.write(chunk)) {
      source!.pause();
      sink.once('drain', () => { if (!stopped) source!.resume(); });
    }
  };
  const onSourceEnd = () => {
    stop(false);
    onEnd?.();
  };
  const onSourceError = () => stop(false);
  const stop = (abort: boolean) => {
    if (stopped) return;
    stopped = true;
    source?.off('data', onData);
    source?.off('end', onSourceEnd);
    source?.off('error', onSourceError);
    source?.pause();
    if (sink) {
      if (abort) sink.destroy();
      else sink.end();
    }
  };
  // A reader of our own that unblocks the open when we stop before the shim opened its end.
  let unblocker = -1;
  const dropUnblocker = () => {
    if (unblocker >= 0) closeSync(unblocker);
    unblocker = -1;
  };
  openFile(path, fsc.O_WRONLY, (err, fd) => {
    dropUnblocker();
    if (err) return; // the FIFO went away before anyone opened it: nothing to copy to
    if (stopped) {
      closeSync(fd);
      return;
    }
    sink = openPipe(fd, 'write');
    sink.on('error', () => stop(true));
    prime();
    source!.on('data', onData);
    source!.once('end', onSourceEnd);
    // A read error ends the copy as ctr's io.Copy does: our end closes, without CloseIO
    // (that is sent for EOF only). Unhandled, it would end the CLI with a stack trace.
    source!.once('error', onSourceError);
    source!.resume();
  });
  const stopCopy = () => {
    if (!sink && !stopped) {
      // Our open only returns once the FIFO has a reader: be that reader until it has
      // returned. (Closing at once could come before the worker thread even starts the
      // open, which would then block for ever and keep the process alive.)
      try {
        unblocker = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
      } catch {
        // already gone: the open fails or has failed
      }
    }
    stop(true);
  };
  return { stop: stopCopy, prime };
}

/**
 * Opens the FIFOs and starts copying. The output FIFOs are opened non-blocking for
 * reading: one that has never had a writer does not report EOF, so this waits for the
 * shim to write and then to close.
 */
function copyIO(set: FifoSet, streams: Streams): TaskIO {
  const sockets: ByteStream[] = [];
  const drained: Promise<void>[] = [];
  try {
    const output = (path: string, to: Writer | undefined, what: 'stdout' | 'stderr') => {
      const ahead = set.opened?.[what];
      if (!path || !to) {
        ahead?.destroy();
        return;
      }
      const sock = ahead ?? openPipe(openFifo(path, fsc.O_RDONLY, what), 'read');
      sockets.push(sock);
      // A reader that went away (EPIPE) ends the copy and closes the FIFO, as cio's
      // copy does after its io.Copy fails: the shim keeps a reader of its own open, so
      // its writes fill the FIFO and the task blocks (rather than writing on into a
      // copy that throws it all away).
      let broken = false;
      (to as Partial<NodeJS.EventEmitter>).on?.('error', () => {
        if (!broken) streams.onOutputGone?.();
        broken = true;
        sock.destroy();
      });
      sock.on('data', (chunk: Buffer) => to.write(chunk));
      drained.push(new Promise((resolve) => {
        sock.once('end', resolve);
        sock.once('close', resolve);
        sock.once('error', () => resolve());
      }));
    };
    output(set.stdout, streams.stdout, 'stdout');
    if (!set.terminal) output(set.stderr, streams.stderr, 'stderr');
  } catch (e) {
    for (const s of sockets) s.destroy();
    set.opened?.stderr?.destroy();
    void set.close();
    throw e;
  }
  const stdin = set.stdin && streams.stdin ? copyStdin(set.stdin, streams.stdin, streams.onStdinEnd) : undefined;
  const stopStdin = () => stdin?.stop();

  const all = Promise.all(drained).then(() => {});
  const release = () => {
    stopStdin();
    for (const s of sockets) s.destroy();
  };
  return {
    config: { terminal: set.terminal, stdin: set.stdin, stdout: set.stdout, stderr: set.stderr },
    wait: () => all,
    cancel: stopStdin,
    close: async () => {
      release();
      await set.close();
    },
    release,
    prime: () => stdin?.prime(),
  };
}
