// The content-store calls of containerd's Go client that src/images/content.ts does not
// cover (List as a walk, Delete, Abort), and ingesting a stream of unknown origin (a tar
// member, stdin) the way content.WriteBlob/Copy do: resume an earlier ingest under the
// same ref by skipping what it already holds, and treat a short source as
// "failed to read expected number of bytes".

import { ContentDefinition, type Info as InfoMsg } from '../../api/github.com/containerd/containerd/api/services/content/v1/content.js';
import { converted, fromGRPC } from '../../client/errdefs.js';
import type { Connection } from '../../cli/types.js';
import { ContentWriter, copyToWriter, isAlreadyExists } from '../../images/content.js';

export interface Info {
  digest: string;
  size: number;
  createdAt?: { seconds: number; nanos: number };
  updatedAt?: { seconds: number; nanos: number };
  labels: Record<string, string>;
}

const infoOf = (i: InfoMsg | undefined): Info => ({
  digest: i?.digest ?? '',
  size: Number(i?.size ?? 0),
  createdAt: i?.createdAt,
  updatedAt: i?.updatedAt,
  labels: i?.labels ?? {},
});

/** cs.Walk: every blob matching the filters, in the daemon's order. */
export async function* walkContent(conn: Connection, filters: string[] = []): AsyncIterable<Info> {
  try {
    for await (const batch of conn.service(ContentDefinition).list({ filters })) {
      for (const i of batch.info) yield infoOf(i);
    }
  } catch (e) {
    throw fromGRPC(e);
  }
}

/** cs.Update: returns the stored info after the update. */
export async function updateContent(conn: Connection, digest: string, labels: Record<string, string>, paths: string[]): Promise<Info> {
  return infoOf((await converted(conn.service(ContentDefinition).update({ info: { digest, labels }, updateMask: paths }))).info);
}

export async function contentInfoFull(conn: Connection, digest: string): Promise<Info> {
  return infoOf((await converted(conn.service(ContentDefinition).info({ digest }))).info);
}

export async function deleteContent(conn: Connection, digest: string): Promise<void> {
  await converted(conn.service(ContentDefinition).delete({ digest }));
}

export async function abortIngest(conn: Connection, ref: string): Promise<void> {
  await converted(conn.service(ContentDefinition).abort({ ref }));
}

/** The TarReader's / Go's io.ErrUnexpectedEOF text. */
const UNEXPECTED_EOF = 'unexpected EOF';

/** How to skip the bytes an earlier ingest already has (Go's seekReader). */
export type Resume = 'discard' | { seekError: string };

/**
 * content.WriteBlob for a stream: nothing to do when the blob exists; otherwise
 * resume (see `resume`), copy, check the length and commit.
 */
export async function ingestStream(
  conn: Connection, ref: string, data: AsyncIterable<Uint8Array>,
  desc: { size: number; digest: string }, opts: { labels?: Record<string, string>; resume?: Resume } = {},
): Promise<void> {
  let w: ContentWriter;
  try {
    w = await ContentWriter.open(conn, ref, desc);
  } catch (e) {
    if (isAlreadyExists(e)) return;
    throw new Error(`failed to open writer: ${(e as Error).message}`);
  }
  const { offset } = await w.status().catch((e: unknown) => {
    w.close();
    throw new Error(`failed to get status: ${(e as Error).message}`);
  });
  w.offset = offset;
  if (offset > 0 && opts.resume && opts.resume !== 'discard') {
    w.close();
    throw new Error(`unable to resume write to ${ref}: failed to seek to offset ${offset}: ${opts.resume.seekError}`);
  }
  let short = false;
  let skipped = 0;
  const source = (async function* () {
    try {
      for await (let chunk of data) {
        if (skipped < offset) {
          const n = Math.min(offset - skipped, chunk.length);
          skipped += n;
          chunk = chunk.subarray(n);
        }
        if (chunk.length) yield chunk;
      }
    } catch (e) {
      // A source that ends early stops the copy; the length check reports it.
      if ((e as Error).message !== UNEXPECTED_EOF) throw e;
    }
    short = skipped < offset;
  })();
  // The skip happens inside the copy, so its failure is reported after it.
  const copy = copyToWriter(w, source, desc.size, desc.digest, opts.labels, offset);
  try {
    await copy;
  } catch (e) {
    if (short) throw new Error(`unable to resume write to ${ref}: failed to discard to offset: ${UNEXPECTED_EOF}`);
    throw e;
  }
}
