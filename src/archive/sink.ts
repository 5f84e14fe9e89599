// Byte sinks for archives: a file written in large batches (headers and small members
// are coalesced, so the tar costs few system calls), or a stream such as stdout with
// back-pressure honoured.

import type { FileHandle } from 'node:fs/promises';
import type { ByteSink } from './tar.js';

const BATCH = 4 << 20;

export class FileSink implements ByteSink {
  private parts: Uint8Array[] = [];
  private pending = 0;

  constructor(private readonly fh: FileHandle) {}

  async write(chunk: Uint8Array): Promise<void> {
    // The caller may reuse its buffer after we return; data from the transport is
    // never reused, and our own header buffers are fresh per call.
    this.parts.push(chunk);
    this.pending += chunk.length;
    if (this.pending >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    let parts = this.parts;
    let left = this.pending;
    this.parts = [];
    this.pending = 0;
    while (left > 0) {
      const { bytesWritten } = await this.fh.writev(parts);
      left -= bytesWritten;
      if (left > 0) parts = [Buffer.concat(parts).subarray(bytesWritten)];
    }
  }
}

/** A writable stream as our verbs get it (process.stdout or a test's collector). */
export interface StreamLike {
  write(chunk: Uint8Array): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

export class StreamSink implements ByteSink {
  constructor(private readonly out: StreamLike) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.out.write(chunk) === false && this.out.once) {
      await new Promise<void>((resolve) => this.out.once!('drain', resolve));
    }
  }
}
