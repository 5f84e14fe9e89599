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

async function* gunzipIfNeeded(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = (async function* () {
    yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* rest;
    return;
  }
  const { createGunzip } = await import('node:zlib');
  const gz = createGunzip();
  const feed = (async () => {
    try {
      for await (const c of rest) {
        if (gz.destroyed) break;
        if (!gz.write(c)) await new Promise((r) => { gz.once('drain', r); gz.once('close', r); });
      }
      if (!gz.destroyed) gz.end();
    } catch (e) {
      gz.destroy(e as Error);
    }
  })();
  try {
    for await (const c of gz as AsyncIterable<Buffer>) yield c;
  } catch (e) {
    // A cut-off gzip stream reads as a cut-off tar.
    if ((e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw new Error('unexpected EOF');
    throw new Error(`gzip: ${(e as Error).message}`);
  } finally {
    gz.destroy();
    await feed.catch(() => undefined);
  }
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
