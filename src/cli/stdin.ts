// Standard input for the verbs. For a regular file or a device such as /dev/null on fd 0
// node's process.stdin is an fs.ReadStream, and the modules that brings in (fs/promises,
// readline and others) cost ~3 ms of this thread; run builds stdin while the daemon
// creates the task, and that much CPU there measurably slows the daemon on a two-core
// machine. A plain Readable over fs.read does the same reads.

import { fstatSync, read } from 'node:fs';
import type { Readable } from 'node:stream';
import { nodeRequire } from '../util/require.js';

const CHUNK = 64 * 1024;
/** Linux's major device number of /dev/null and its kin. */
const MEM_MAJOR = 1;

let FdReadable: (new (fd: number) => Readable) | undefined;

/**
 * A Readable of fd from its current offset until read(2) returns 0; fd is never closed.
 * node:stream is loaded here, on first use, not with the bundle: run needs it only once
 * the task's create request is out.
 */
export function fdReadable(fd: number): Readable {
  FdReadable ??= class extends (nodeRequire('node:stream') as typeof import('node:stream')).Readable {
    constructor(readonly fd: number) {
      super({ highWaterMark: CHUNK });
    }

    override _read(): void {
      const buf = Buffer.allocUnsafe(CHUNK);
      read(this.fd, buf, 0, CHUNK, null, (err, n) => {
        if (err) this.destroy(err);
        else this.push(n > 0 ? buf.subarray(0, n) : null);
      });
    }
  };
  return new FdReadable(fd);
}

let stdin: NodeJS.ReadableStream | undefined;

/**
 * process.stdin, or fdReadable(0) when that is a regular file or one of the
 * memory devices (major 1: /dev/null, /dev/zero, ...). Told by the device number, not
 * isatty(), so that every verb's start-up does without loading node:tty.
 */
export function processStdin(): NodeJS.ReadableStream {
  if (stdin) return stdin;
  let plain = false;
  try {
    const st = fstatSync(0);
    plain = st.isFile() || (st.isCharacterDevice() && Math.floor(st.rdev / 256) % 4096 === MEM_MAJOR);
  } catch {
    // no fd 0 at all: node's stdin copes with that
  }
  stdin = plain ? fdReadable(0) : process.stdin;
  return stdin;
}
