// containerd's remotes.PushContent for ctr's push: walk the image from the local
// content store (children of manifests and indexes, filtered by platform, annotated
// with their distribution-source labels for cross-repository mounts), upload every
// blob concurrently, then the manifests and indexes, children before parents.

import type { Connection } from '../cli/types.js';
import { RemoteError } from '../registry/resolver.js';
import type { Pusher } from '../registry/pusher.js';
import { contentInfo, readContent } from './content.js';
import { children } from './image.js';
import { makeRefKey } from './fetch.js';
import { isIndexType, isLayerType, isManifestType, isNonDistributable } from './mediatypes.js';
import type { MatchComparer } from './platforms.js';
import type { Descriptor } from './types.js';

export interface PushOptions {
  platform: MatchComparer;
  maxConcurrentUploadedLayers: number;
  allowNonDistributable: boolean;
  /** ctr's job list: called for every descriptor shown in the progress (not layers). */
  onJob?(ref: string): void;
}

async function pushOne(conn: Connection, pusher: Pusher, desc: Descriptor): Promise<void> {
  try {
    await pusher.push(desc, makeRefKey(desc), () => readContent(conn, desc.digest));
  } catch (e) {
    if (e instanceof RemoteError && e.kind === 'alreadyexists') return;
    throw e;
  }
}

export async function pushContent(conn: Connection, pusher: Pusher, root: Descriptor, opts: PushOptions): Promise<void> {
  const manifestStack: Descriptor[] = [];
  let free = opts.maxConcurrentUploadedLayers > 0 ? opts.maxConcurrentUploadedLayers : Infinity;
  const waiters: Array<() => void> = [];
  const acquire = async () => {
    if (free > 0) {
      free--;
      return;
    }
    await new Promise<void>((r) => waiters.push(r));
  };
  const release = () => {
    const w = waiters.shift();
    if (w) w();
    else free++;
  };

  const handle = async (desc: Descriptor): Promise<Descriptor[]> => {
    // base handler: SkipNonDistributableBlobs around the job recorder
    if (!opts.allowNonDistributable && isNonDistributable(desc.mediaType)) return [];
    if (!isLayerType(desc.mediaType)) opts.onJob?.(makeRefKey(desc));
    // annotate children of manifests/indexes with their distribution-source labels
    let kids = (await children(conn, desc)).filter((d) => !d.platform || opts.platform.match(d.platform));
    if (isManifestType(desc.mediaType) || isIndexType(desc.mediaType)) {
      kids = await Promise.all(kids.map(async (child) => {
        const info = await contentInfo(conn, child.digest);
        const sources = Object.entries(info.labels).filter(([k]) => k.startsWith('containerd.io/distribution.source.'));
        return sources.length ? { ...child, annotations: { ...child.annotations, ...Object.fromEntries(sources) } } : child;
      }));
      manifestStack.push(desc);
    } else {
      await pushOne(conn, pusher, desc);
    }
    if (!opts.allowNonDistributable) kids = kids.filter((k) => !isNonDistributable(k.mediaType));
    return kids;
  };

  const dispatch = async (descs: Descriptor[]): Promise<void> => {
    const tasks = [];
    const order = descs.length > 1 ? [descs[descs.length - 1]!, ...descs.slice(0, -1)] : descs;
    for (const d of order) {
      await acquire();
      tasks.push((async () => {
        let kids: Descriptor[];
        try {
          kids = await handle(d);
        } finally {
          release();
        }
        if (kids.length) await dispatch(kids);
      })());
    }
    const results = await Promise.allSettled(tasks);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  await dispatch([root]);

  for (let i = manifestStack.length - 1; i >= 0; i--) {
    const m = manifestStack[i]!;
    try {
      await pushOne(conn, pusher, m);
    } catch (e) {
      if (isIndexType(m.mediaType) && /400 Bad Request/.test((e as Error).message)) {
        throw new Error(`manifest list/index references to blobs and/or manifests are missing in your target registry: ${(e as Error).message}`);
      }
      throw e;
    }
  }
}
