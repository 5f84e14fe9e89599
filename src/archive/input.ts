// The byte stream of an archive to import: a file ("-" for stdin), opened the way Go's
// os.Open reports failures, and gunzipped on the fly when it starts with gzip's magic
// bytes (ctr 1.6 reads only plain tars; newer containerd releases accept both).

import { open } from 'node:fs/promises';
import { goOpenError } from '../oci/opts.js';

const CHUNK = 1 << 20;

async function* readFile(path: string, fh: import('node:fs/promises').FileHandle): AsyncIterable<Uint8Array> {
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, CHUNK, null));
      } catch (e) {
        throw new Error(goOpenError(e, path, 'read'));
      }
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    await fh.close();
  }
}

export type Compression = 'uncompressed' | 'gzip' | 'zstd';

/** compression.DetectCompression on a stream's first bytes. */
export function detectCompression(b: Uint8Array): Compression {
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) return 'gzip';
  if (b.length >= 4) {
    if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
    const magic = Buffer.from(b.buffer, b.byteOffset, 4).readUInt32LE(0);
    if (b.length >= 8 && (magic & 0xfffffff0) >>> 0 === 0x184d2a50) return 'zstd';
  }
  return 'uncompressed';
}

/** The first `n` bytes of a stream (fewer at its end) and the whole stream again. */
async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<[Buffer, AsyncIterable<Uint8Array>]> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let got = 0;
  let done = false;
  while (got < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head.push(r.value);
    got += r.value.length;
  }
  const again = (async function* () {
    yield* head;
    if (!done) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  return [Buffer.concat(head).subarray(0, n), again];
}

/** Waits for 'drain' (or 'close'), leaving no listener behind. */
function drainOrClose(z: import('node:stream').Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      z.off('drain', done);
      z.off('close', done);
      resolve();
    };
    z.on('drain', done);
    z.on('close', done);
  });
}

/** Pipes a stream through a zlib transform, stopping the feed when the reader stops. */
export async function* throughZlib(source: AsyncIterable<Uint8Array>, z: import('node:stream').Transform): AsyncIterable<Uint8Array> {
  const feed = (async () => {
    try {
      for await (const c of source) {
        if (z.destroyed) break;
        if (!z.write(c)) await drainOrClose(z);
      }
      if (!z.destroyed) z.end();
    } catch (e) {
      z.destroy(e as Error);
    }
  })();
  try {
    for await (const c of z as AsyncIterable<Buffer>) yield c;
  } finally {
    z.destroy();
    await feed.catch(() => undefined);
  }
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const { createGunzip } = await import('node:zlib');
  try {
    yield* throughZlib(source, createGunzip());
  } catch (e) {
    // A cut-off gzip stream reads as a cut-off stream.
    if ((e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw new Error('unexpected EOF');
    throw new Error(`gzip: ${(e as Error).message}`);
  }
}

/** compression.DecompressStream: sniff the first bytes, then gunzip or pass through. */
export async function decompressStream(source: AsyncIterable<Uint8Array>): Promise<{ compression: Compression; data: AsyncIterable<Uint8Array> }> {
  const [head, all] = await peek(source, 10);
  const compression = detectCompression(head);
  if (compression === 'zstd') throw new Error('zstd compressed data is not supported by this ctr');
  return { compression, data: compression === 'gzip' ? gunzip(all) : all };
}

/** Archives for import: plain tars, or gzip-compressed ones. */
async function* gunzipIfNeeded(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const [head, all] = await peek(source, 3);
  yield* detectCompression(head) === 'gzip' ? gunzip(all) : all;
}

/** Opens `path` (or stdin for "-"); open errors carry Go's "open <path>: …" text. */
export async function openArchive(path: string, stdin: AsyncIterable<unknown>): Promise<AsyncIterable<Uint8Array>> {
  if (path === '-') return gunzipIfNeeded(stdin as AsyncIterable<Uint8Array>);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new Error(goOpenError(e, path));
  }
  return gunzipIfNeeded(readFile(path, fh));
}
