// What the local image verbs need beyond src/images/: Image.Size with LimitManifests'
// not-found error, image.IsUnpacked, a lease with a chosen id and labels (images mount),
// the image record's target as a descriptor, and ctr's logrus lines on stderr.

import { LeasesDefinition } from '../../api/github.com/containerd/containerd/api/services/leases/v1/leases.js';
import { SnapshotsDefinition } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Image as ImageMsg } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted, ErrdefsError, fromGRPC, isNotFound } from '../../client/errdefs.js';
import { Code } from '../../client/transport.js';
import type { Connection, Output } from '../../cli/types.js';
import { formatRFC3339 } from '../../format/time.js';
import { logLine as formatLogLine } from '../../tasks/log.js';
import { children, resolveManifest, rootFS, sortByPlatform } from '../../images/image.js';
import { randomLeaseId } from '../../images/lease.js';
import { isIndexType } from '../../images/mediatypes.js';
import { ordered, parsePlatform, type MatchComparer, type Platform } from '../../images/platforms.js';
import type { FlagSpec } from '../../cli/flags.js';
import type { Descriptor } from '../../images/types.js';
import { resolveSnapshotterName } from '../../images/snapshotter.js';
import { chainID } from '../../images/unpack.js';

/**
 * Image.Size: the target and, below it, the best manifest for the platform with its
 * config and layers. On failure the bytes counted so far go with the error, as ctr
 * prints them.
 */
export async function imageSize(conn: Connection, target: Descriptor, m: MatchComparer): Promise<{ size: number; error?: Error }> {
  let size = 0;
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const d of descs) {
      if (d.size < 0) throw new Error(`invalid size ${d.size} in ${d.digest} (${d.mediaType})`);
      size += d.size;
      let ch = (await children(conn, d)).filter((c) => !c.platform || m.match(c.platform));
      if (isIndexType(d.mediaType)) {
        if (ch.length === 0) throw new ErrdefsError(Code.NotFound, 'no match for platform in manifest: not found');
        ch = sortByPlatform(ch, m).slice(0, 1);
      }
      await walk(ch);
    }
  };
  try {
    await walk([target]);
    return { size };
  } catch (e) {
    return { size, error: fromGRPC(e) as Error };
  }
}

/** image.IsUnpacked: whether the snapshotter holds the chain of the platform's layers. */
export async function isUnpacked(conn: Connection, target: Descriptor, snapshotter: string, m: MatchComparer): Promise<boolean> {
  const sn = await resolveSnapshotterName(conn, snapshotter);
  const id = chainID(await rootFS(conn, (await resolveManifest(conn, target, m)).config));
  try {
    await converted(conn.service(SnapshotsDefinition).stat({ snapshotter: sn, key: id }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** The image record's target as a descriptor. */
export const targetOf = (img: ImageMsg | undefined): Descriptor => ({
  mediaType: img?.target?.mediaType ?? '',
  digest: img?.target?.digest ?? '',
  size: Number(img?.target?.size ?? 0),
  ...(img?.target && Object.keys(img.target.annotations ?? {}).length ? { annotations: img.target.annotations } : {}),
});

export interface Lease {
  id: string;
  /** The connection with the lease attached to every call. */
  conn: Connection;
  /** Deletes the lease, ignoring failure (ctr's deferred done). */
  done(): Promise<void>;
}

/**
 * client.WithLease with options: a lease with the given id (random by default),
 * expiring in 24 h, with extra labels. AlreadyExists is the caller's to handle.
 */
export async function createLease(conn: Connection, opts: { id?: string; labels?: Record<string, string> } = {}): Promise<Lease> {
  const leases = conn.service(LeasesDefinition);
  const expire = Math.floor(Date.now() / 1000) + 24 * 3600;
  const labels = { 'containerd.io/gc.expire': formatRFC3339({ seconds: expire, nanos: 0 }), ...opts.labels };
  const { lease } = await converted(leases.create({ id: opts.id ?? randomLeaseId(), labels }));
  const id = lease?.id ?? opts.id ?? '';
  return {
    id,
    conn: conn.with({ metadata: { 'containerd-lease': id } }),
    done: async () => {
      await leases.delete({ id, sync: false }).catch(() => undefined);
    },
  };
}

/** A logrus line as ctr's log.G(ctx) writes it to stderr (the coloured form on a terminal). */
export function logLine(out: Output, level: 'error' | 'warning' | 'info' | 'debug', msg: string, error?: string): void {
  out.write(formatLogLine(out, level, msg, error === undefined ? {} : { error }));
}

/** The message of any thrown value after errdefs conversion. */
export function messageOf(e: unknown): string {
  const err = fromGRPC(e);
  return err instanceof Error ? err.message : String(err);
}

/** export's and convert's shared platform flags (same names and texts in ctr). */
export const platformListFlags: FlagSpec[] = [
  { name: 'platform', kind: 'stringSlice', usage: 'Pull content from a specific platform', value: [] },
  { name: 'all-platforms', kind: 'bool', usage: 'exports content from all platforms' },
];

/** platforms.Ordered over --platform values, each parsed with ctr's "invalid platform" text. */
export function orderedPlatforms(specs: readonly string[]): MatchComparer {
  const ps: Platform[] = [];
  for (const s of specs) {
    try {
      ps.push(parsePlatform(s));
    } catch (e) {
      throw new Error(`invalid platform ${JSON.stringify(s)}: ${(e as Error).message}`);
    }
  }
  return ordered(...ps);
}
