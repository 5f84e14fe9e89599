// The content store as containerd's client-side proxy uses it: Info/Update/Read, and the
// Write session (stat, write, commit) behind content.OpenWriter and content.Copy.
// Writes are pipelined (several chunks in flight, acknowledged in order) so a large
// blob streams at the socket's pace instead of one round trip per megabyte.

import { ContentDefinition, WriteAction, WriteContentRequest, type WriteContentResponse } from '../api/github.com/containerd/containerd/api/services/content/v1/content.js';
import type { Connection } from '../cli/types.js';
import { converted, ErrdefsError, fromGRPC } from '../client/errdefs.js';
import { Code, type BidiCall } from '../client/transport.js';
import { ENCODED_PARTS, messageBuffer, messageBufferSize, type WithEncodedParts } from '../client/h2/grpc.js';
import type { Descriptor } from './types.js';

export interface ContentInfo {
  digest: string;
  size: number;
  createdAt?: { seconds: number; nanos: number };
  labels: Record<string, string>;
}

export async function contentInfo(conn: Connection, digest: string): Promise<ContentInfo> {
  const { info } = await converted(conn.service(ContentDefinition).info({ digest }));
  return { digest: info!.digest, size: Number(info!.size), createdAt: info!.createdAt as ContentInfo['createdAt'], labels: info!.labels ?? {} };
}

/** content.Manager.Update with field paths (e.g. "labels.containerd.io/uncompressed"). */
export async function updateContentLabels(conn: Connection, digest: string, labels: Record<string, string>, fieldpaths: string[]): Promise<void> {
  await converted(conn.service(ContentDefinition).update({ info: { digest, labels }, updateMask: fieldpaths }));
}

/** Streams a blob's bytes (content.ReaderAt over the Read RPC), from `offset`. */
export async function* readContent(conn: Connection, digest: string, offset = 0): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of conn.service(ContentDefinition).read({ digest, offset, size: 0 })) {
      if (chunk.data.length > 0) yield chunk.data;
    }
  } catch (e) {
    throw fromGRPC(e);
  }
}

/** content.ReadBlob: the whole blob (only for manifests, indexes and configs). */
export async function readBlob(conn: Connection, desc: Pick<Descriptor, 'digest'>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readContent(conn, desc.digest)) parts.push(chunk);
  return Buffer.concat(parts);
}

export interface ActiveStatus {
  ref: string;
  offset: number;
  total: number;
  startedAt?: { seconds: number; nanos: number };
  updatedAt?: { seconds: number; nanos: number };
}

export async function listStatuses(conn: Connection, filters: string[] = []): Promise<ActiveStatus[]> {
  const { statuses } = await converted(conn.service(ContentDefinition).listStatuses({ filters }));
  return statuses.map((s) => ({ ref: s.ref, offset: Number(s.offset), total: Number(s.total), startedAt: s.startedAt as ActiveStatus['startedAt'], updatedAt: s.updatedAt as ActiveStatus['updatedAt'] }));
}

/** Write messages carry this much data (content.Copy's buffer size). */
const CHUNK_BYTES = 1 << 20;
/**
 * Data sent but not yet acknowledged, per writer. One message in flight while the next
 * one fills keeps the daemon busy without one round trip of idle time per megabyte.
 */
const MAX_IN_FLIGHT_BYTES = 2 * CHUNK_BYTES;
/** Room before the data for the gRPC message header and the request's fields. */
const HEAD_ROOM = 48;
/** Message buffers a writer keeps for reuse: the ones in flight and the one filling. */
const POOL_SIZE = MAX_IN_FLIGHT_BYTES / CHUNK_BYTES + 1;

/**
 * A WRITE request whose data already sits in a message buffer at `dataStart`, after room
 * for its protobuf fields and the gRPC header, so that it is framed without a copy; or
 * whose data is the caller's own pieces (`parts`), sent as they are where the transport
 * can (ENCODED_PARTS) and joined where it cannot.
 */
interface StagedRequest extends WriteContentRequest, WithEncodedParts {
  staged?: { buf: Buffer; dataStart: number; size: number };
  parts?: Uint8Array[];
}

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** The fields of a WRITE message before its data: action (1), offset (5), data's tag and length (6). */
function writeHead(m: StagedRequest, size: number): number[] {
  const head: number[] = [];
  if (m.action !== 0) { head.push(8); varint(head, m.action); }
  if (m.offset !== 0) { head.push(40); varint(head, m.offset); }
  head.push(50);
  varint(head, size);
  return head;
}

/** WriteContentRequest encoding for WRITE messages, in front of the staged data (or joining the parts). */
function encodeWrite(m: StagedRequest): { finish(): Uint8Array } {
  if (m.parts) {
    const joined = Buffer.concat([Uint8Array.from(writeHead(m, m.parts.reduce((n, p) => n + p.length, 0))), ...m.parts]);
    return { finish: () => joined };
  }
  if (!m.staged) return WriteContentRequest.encode(m);
  const { buf, dataStart, size } = m.staged;
  const head = writeHead(m, size);
  const start = dataStart - head.length;
  buf.set(head, start);
  // The gRPC header goes in the room before `start` (see messageBuffer).
  const message = messageBuffer(buf.subarray(start - messageBufferSize(0)), head.length + size);
  return { finish: () => message };
}

/** The Content service with the write stream's encoder swapped for encodeWrite. */
const WriteDefinition = {
  ...ContentDefinition,
  methods: {
    ...ContentDefinition.methods,
    write: { ...ContentDefinition.methods.write, requestType: { ...WriteContentRequest, encode: encodeWrite } },
  },
} as unknown as typeof ContentDefinition;

interface Pending {
  resolve(r: WriteContentResponse): void;
  reject(e: unknown): void;
  bytes: number;
  /** The message buffer to reuse once the daemon has answered (it has all the bytes then). */
  buf?: Buffer;
  /** Hands the caller's pieces back once the daemon has answered. */
  done?: () => void;
}

/** How write() may treat the caller's buffers. */
export interface WriteOwnership {
  /**
   * The buffers are the writer's to keep until the daemon has them: they are sent as
   * they are, with no copy, and each is passed to `release` afterwards.
   */
  owned: true;
  release?: (piece: Uint8Array) => void;
}

/**
 * One Write session on the daemon, bound to an ingest ref. Written bytes are copied
 * once, into ~1 MiB message buffers that are reused (or, when the caller hands its
 * buffers over, gathered as they are); a message is sent when full, and on commit,
 * status or close.
 */
export class ContentWriter {
  private readonly pending: Pending[] = [];
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private failure: unknown;
  private ended = false;
  private readonly pool: Buffer[] = [];
  /** The message being filled: data from HEAD_ROOM to HEAD_ROOM + fill. */
  private staging: Buffer | undefined;
  private fill = 0;
  /** Or the caller's pieces making up the next message, and what to do with them once sent. */
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private partsRelease: ((piece: Uint8Array) => void) | undefined;
  /** Offset after the last byte written (sent or staged). */
  offset = 0;
  digest = '';

  private constructor(
    readonly ref: string,
    private readonly call: BidiCall<WriteContentRequest, WriteContentResponse>,
  ) {}

  /**
   * content.OpenWriter: opens the session and negotiates (stat with the expected size
   * and digest). Throws an ErrdefsError AlreadyExists when the blob is already there,
   * and retries with backoff while another writer holds the ref (Unavailable).
   */
  static async open(conn: Connection, ref: string, desc: { size: number; digest: string }): Promise<ContentWriter> {
    let retry = 16;
    for (;;) {
      try {
        return await ContentWriter.negotiate(conn, ref, desc);
      } catch (e) {
        if (!(e instanceof ErrdefsError) || e.code !== Code.Unavailable) throw e;
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * retry)));
        if (retry < 2048) retry <<= 1;
      }
    }
  }

  private static async negotiate(conn: Connection, ref: string, desc: { size: number; digest: string }): Promise<ContentWriter> {
    const call = conn.service(WriteDefinition).write();
    const w = new ContentWriter(ref, call);
    w.pump();
    const resp = await w.request({ action: WriteAction.STAT, ref, total: desc.size, expected: desc.digest });
    w.offset = Number(resp.offset);
    w.digest = resp.digest;
    return w;
  }

  /** Reads responses in order and settles the requests waiting for them. */
  private pump(): void {
    void (async () => {
      try {
        for await (const resp of this.call.responses) {
          const p = this.pending.shift();
          if (!p) continue;
          if (p.buf && this.pool.length < POOL_SIZE) this.pool.push(p.buf);
          p.done?.();
          this.release(p.bytes);
          if (resp.digest) this.digest = resp.digest;
          p.resolve(resp);
        }
        this.fail(new ErrdefsError(Code.Unknown, 'EOF'));
      } catch (e) {
        this.fail(fromGRPC(e));
      }
    })();
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    this.inFlight = 0;
    this.drained?.();
  }

  private release(bytes: number): void {
    this.inFlight -= bytes;
    if (this.inFlight < MAX_IN_FLIGHT_BYTES && this.drained) {
      const d = this.drained;
      this.drained = undefined;
      d();
    }
  }

  private request(req: Partial<StagedRequest>, bytes = 0): Promise<WriteContentResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const full: StagedRequest = { action: WriteAction.STAT, ref: '', total: 0, expected: '', offset: 0, data: new Uint8Array(0), labels: {}, ...req };
    const { parts } = full;
    if (parts) full[ENCODED_PARTS] = () => [Uint8Array.from(writeHead(full, bytes)), ...parts];
    const release = this.partsRelease;
    const done = new Promise<WriteContentResponse>((resolve, reject) => this.pending.push({
      resolve, reject, bytes, buf: req.staged?.buf, done: parts && release ? () => parts.forEach(release) : undefined,
    }));
    this.inFlight += bytes;
    this.call.send(full).catch((e: unknown) => this.fail(fromGRPC(e)));
    return done;
  }

  /** Sends the staged bytes (or the gathered pieces) as one WRITE message, not waiting for its answer. */
  private flush(): void {
    if (this.partsBytes > 0) return this.flushParts();
    const buf = this.staging;
    const size = this.fill;
    if (!buf || size === 0 || this.failure) return;
    this.staging = undefined;
    this.fill = 0;
    this.sendWrite({ staged: { buf, dataStart: HEAD_ROOM, size } }, size);
  }

  private flushParts(): void {
    const parts = this.parts;
    const size = this.partsBytes;
    this.parts = [];
    this.partsBytes = 0;
    if (this.failure) return;
    this.sendWrite({ parts }, size);
  }

  private sendWrite(req: Partial<StagedRequest>, size: number): void {
    const at = this.offset - size;
    this.request({ ...req, action: WriteAction.WRITE, offset: at }, size).then(
      (r) => {
        if (Number(r.offset) - at < size) this.fail(new Error('short write'));
      },
      () => {},
    );
  }

  /** remoteWriter.Status (after sending what is staged). */
  async status(): Promise<{ ref: string; offset: number; total: number }> {
    this.flush();
    try {
      const r = await this.request({ action: WriteAction.STAT });
      return { ref: this.ref, offset: Number(r.offset), total: Number(r.total) };
    } catch (e) {
      throw new Error(`error getting writer status: ${(e as Error).message}`);
    }
  }

  /**
   * Copies data into the message being filled, sending each full one; resolves once
   * the pipeline has room. The caller may reuse its buffers at once, unless it hands
   * them over (`ownership`), which saves the copy. A short write on the daemon side
   * surfaces on a later write or on commit.
   */
  async write(data: Uint8Array | Uint8Array[], ownership?: WriteOwnership): Promise<void> {
    if (this.failure) throw new Error(`failed to send write: ${(this.failure as Error).message}`);
    if (ownership?.owned) return this.writeOwned(Array.isArray(data) ? data : [data], ownership.release);
    if (this.partsBytes > 0) this.flushParts(); // keep the order of bytes
    for (const part of Array.isArray(data) ? data : [data]) {
      let pos = 0;
      while (pos < part.length) {
        if (!this.staging) this.staging = this.pool.pop() ?? Buffer.allocUnsafeSlow(HEAD_ROOM + CHUNK_BYTES);
        const n = Math.min(part.length - pos, CHUNK_BYTES - this.fill);
        this.staging.set(n === part.length ? part : part.subarray(pos, pos + n), HEAD_ROOM + this.fill);
        this.fill += n;
        this.offset += n;
        pos += n;
        if (this.fill === CHUNK_BYTES) {
          this.flush();
          if (this.inFlight >= MAX_IN_FLIGHT_BYTES) await new Promise<void>((r) => (this.drained = r));
          if (this.failure) throw new Error(`failed to send write: ${(this.failure as Error).message}`);
        }
      }
    }
  }

  /** write() for buffers the writer may keep: gathered into ~1 MiB messages, no copy. */
  private async writeOwned(pieces: Uint8Array[], release?: (piece: Uint8Array) => void): Promise<void> {
    if (this.fill > 0) this.flush(); // keep the order of bytes
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      if (this.partsBytes > 0 && this.partsRelease !== release) this.flushParts();
      this.partsRelease = release;
      this.parts.push(piece);
      this.partsBytes += piece.length;
      this.offset += piece.length;
      if (this.partsBytes >= CHUNK_BYTES) {
        this.flushParts();
        if (this.inFlight >= MAX_IN_FLIGHT_BYTES) await new Promise<void>((r) => (this.drained = r));
        if (this.failure) throw new Error(`failed to send write: ${(this.failure as Error).message}`);
      }
    }
  }

  /** remoteWriter.Commit: sends what is staged, then commits with the expected size and digest. */
  async commit(size: number, expected: string, labels?: Record<string, string>): Promise<void> {
    this.flush();
    let resp: WriteContentResponse;
    try {
      resp = await this.request({ action: WriteAction.COMMIT, total: size, offset: this.offset, expected, labels: labels ?? {} });
    } catch (e) {
      throw new CommitError(`commit failed: ${(e as Error).message}`, e);
    } finally {
      this.close();
    }
    if (size !== 0 && Number(resp.offset) !== size) throw new Error(`unexpected size: ${resp.offset} != ${size}`);
    if (expected && resp.digest !== expected) throw new Error(`unexpected digest: ${resp.digest} != ${expected}`);
  }

  /** CloseSend after what is staged: the daemon ends the session (the ingest stays for a later resume). */
  close(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    try {
      this.call.end();
    } catch {
      // already closed
    }
  }
}

/** A commit that the daemon refused; `cause` keeps the errdefs class (AlreadyExists is fine). */
export class CommitError extends Error {
  constructor(message: string, override readonly cause: unknown) {
    super(message);
    this.name = 'CommitError';
  }
}

export const isAlreadyExists = (e: unknown): boolean =>
  (e instanceof ErrdefsError && e.code === Code.AlreadyExists) || (e instanceof CommitError && isAlreadyExists(e.cause));

/**
 * content.Copy from an async byte source into an open writer, then commit. The writer's
 * offset (a resumed ingest) must already be applied to the source by the caller.
 */
export async function copyToWriter(
  w: ContentWriter, source: AsyncIterable<Uint8Array | Uint8Array[]>, size: number, expected: string,
  labels?: Record<string, string>, startOffset = 0, ownership?: WriteOwnership,
): Promise<void> {
  let copied = 0;
  try {
    for await (const chunk of source) {
      copied += Array.isArray(chunk) ? chunk.reduce((n, p) => n + p.length, 0) : chunk.length;
      await w.write(chunk, ownership);
    }
  } catch (e) {
    w.close();
    throw new Error(`failed to copy: ${(e as Error).message}`);
  }
  if (size !== 0 && copied < size - startOffset) {
    w.close();
    throw new Error('failed to read expected number of bytes: unexpected EOF');
  }
  try {
    await w.commit(size, expected, labels);
  } catch (e) {
    if (isAlreadyExists(e)) return;
    throw new Error(`failed commit on ref "${w.ref}": ${(e as Error).message}`);
  }
}

/** content.WriteBlob for small in-memory blobs; AlreadyExists means done. */
export async function writeBlob(conn: Connection, ref: string, data: Uint8Array, desc: { size: number; digest: string }, labels?: Record<string, string>): Promise<void> {
  let w: ContentWriter;
  try {
    w = await ContentWriter.open(conn, ref, desc);
  } catch (e) {
    if (isAlreadyExists(e)) return;
    throw new Error(`failed to open writer: ${(e as Error).message}`);
  }
  const rest = w.offset > 0 && w.offset <= data.length ? data.subarray(w.offset) : data;
  if (rest === data && w.offset > 0) w.offset = 0;
  await copyToWriter(w, (async function* () { if (rest.length) yield rest; })(), desc.size, desc.digest, labels, data.length - rest.length);
}
