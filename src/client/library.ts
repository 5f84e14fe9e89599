// The typed client for other Node programs: the same layer the CLI uses, with promise
// methods per RPC, AbortSignal on every call (`{ signal }` as the last argument), and
// Node streams for content.
//
//   import { Client } from 'ctr-ts';
//   const client = await Client.connect({ address: '/run/containerd/containerd.sock', namespace: 'default' });
//   const { namespaces } = await client.namespaces.list({});
//   client.close();

import { Readable } from 'node:stream';
import { connectionOf, type ClientContext, type Connection, type ServiceClient, type ServiceDefinition } from './client.js';
import type { Transport } from './transport.js';
import { ContainersDefinition } from '../api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import { ContentDefinition } from '../api/github.com/containerd/containerd/api/services/content/v1/content.js';
import { DiffDefinition } from '../api/github.com/containerd/containerd/api/services/diff/v1/diff.js';
import { EventsDefinition } from '../api/github.com/containerd/containerd/api/services/events/v1/events.js';
import { ImagesDefinition } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { IntrospectionDefinition } from '../api/github.com/containerd/containerd/api/services/introspection/v1/introspection.js';
import { LeasesDefinition } from '../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import { NamespacesDefinition } from '../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { TasksDefinition } from '../api/github.com/containerd/containerd/api/services/tasks/v1/tasks.js';
import { VersionDefinition } from '../api/github.com/containerd/containerd/api/services/version/v1/version.js';
import { ContentWriter, copyToWriter, isAlreadyExists, readContent } from '../images/content.js';

export interface ClientOptions {
  /** Socket path (unix:// optional). Default: $CONTAINERD_ADDRESS or /run/containerd/containerd.sock. */
  address?: string;
  /** containerd namespace for every call. Default: $CONTAINERD_NAMESPACE or "default". */
  namespace?: string;
  /** 'h2' (our lean HTTP/2 transport, the default) or 'grpc-js' (@grpc/grpc-js). */
  transport?: 'h2' | 'grpc-js';
  /** Give up dialing after this long (ms); 10 s by default, as containerd's Go client. */
  connectTimeoutMs?: number;
  /** An absolute deadline (a Date.now() value) for every call made through this client. */
  deadline?: number;
}

export class Client {
  private constructor(private readonly transport: Transport, private readonly conn: Connection, private readonly ctx: ClientContext) {}

  static async connect(opts: ClientOptions = {}): Promise<Client> {
    const address = opts.address ?? process.env.CONTAINERD_ADDRESS ?? '/run/containerd/containerd.sock';
    const dialOpts = { address, connectTimeoutMs: opts.connectTimeoutMs ?? 10_000, maxReceiveMessageBytes: 16 << 20 };
    const transport = opts.transport === 'grpc-js'
      ? await (await import('./grpcjs.js')).dialGrpcJs(dialOpts)
      : await (await import('./h2/index.js')).dialH2(dialOpts);
    const ctx: ClientContext = { namespace: opts.namespace ?? process.env.CONTAINERD_NAMESPACE ?? 'default', deadline: opts.deadline };
    return new Client(transport, connectionOf(transport, ctx), ctx);
  }

  get namespace(): string {
    return this.ctx.namespace;
  }

  /** The same connection, calling in another namespace. */
  withNamespace(namespace: string): Client {
    const ctx = { ...this.ctx, namespace };
    return new Client(this.transport, connectionOf(this.transport, ctx), ctx);
  }

  /** The same connection, with every call made under a lease (gRPC metadata containerd-lease). */
  withLease(leaseId: string): Client {
    const ctx = { ...this.ctx, metadata: { ...this.ctx.metadata, 'containerd-lease': leaseId } };
    return new Client(this.transport, connectionOf(this.transport, ctx), ctx);
  }

  /** A typed client for any generated service definition. */
  service<D extends ServiceDefinition>(def: D): ServiceClient<D> {
    return this.conn.service(def);
  }

  get version() { return this.service(VersionDefinition); }
  get introspection() { return this.service(IntrospectionDefinition); }
  get namespaces() { return this.service(NamespacesDefinition); }
  get leases() { return this.service(LeasesDefinition); }
  get content() { return this.service(ContentDefinition); }
  get images() { return this.service(ImagesDefinition); }
  get snapshots() { return this.service(SnapshotsDefinition); }
  get diff() { return this.service(DiffDefinition); }
  get containers() { return this.service(ContainersDefinition); }
  get tasks() { return this.service(TasksDefinition); }
  get events() { return this.service(EventsDefinition); }

  /** A blob from the content store as a Node stream (streamed, never held whole). */
  readBlob(digest: string, opts: { offset?: number; signal?: AbortSignal } = {}): Readable {
    const conn = opts.signal ? this.connWithSignal(opts.signal) : this.conn;
    return Readable.from(readContent(conn, digest, opts.offset ?? 0), { objectMode: false });
  }

  /**
   * Streams `source` into the content store as a blob of the expected size and digest;
   * resolves when committed. Like containerd's content.WriteBlob it takes no lease of its
   * own: an unreferenced blob is garbage collected unless the client has a lease
   * (withLease) or the blob is labelled containerd.io/gc.root.
   */
  async writeBlob(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Readable, expected: { digest: string; size: number }, opts: { ref?: string; labels?: Record<string, string>; signal?: AbortSignal } = {}): Promise<void> {
    const conn = opts.signal ? this.connWithSignal(opts.signal) : this.conn;
    let w: ContentWriter;
    try {
      w = await ContentWriter.open(conn, opts.ref ?? `ctr-ts-${expected.digest}`, expected);
    } catch (e) {
      if (isAlreadyExists(e)) return; // the store has it already
      throw e;
    }
    const resumeAt = w.offset;
    // A resumed ingest: skip what the daemon already has.
    const rest = async function* () {
      let skip = resumeAt;
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        if (skip >= chunk.length) { skip -= chunk.length; continue; }
        yield skip > 0 ? chunk.subarray(skip) : chunk;
        skip = 0;
      }
    };
    await copyToWriter(w, rest(), expected.size, expected.digest, opts.labels, resumeAt);
  }

  private connWithSignal(signal: AbortSignal): Connection {
    return connectionOf(this.transport, { ...this.ctx, signal });
  }

  close(): void {
    this.transport.close();
  }
}
