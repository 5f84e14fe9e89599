// Fetching an image into the content store the way containerd's client.Fetch does for
// ctr: resolve the reference, then walk the image concurrently (images.Dispatch),
// each descriptor going through: progress job → FetchHandler (stream the blob into a
// Write session, resuming a partial ingest) → children (with gc.ref labels on the
// parent and platform filtering) → distribution-source label. The image record is
// created or updated at the end. Callers wrap it in withLease.

import type { Connection } from '../cli/types.js';
import { isNotFound } from '../client/errdefs.js';
import { RemoteError, type Resolver } from '../registry/resolver.js';
import { releaseBody } from '../registry/http1.js';
import { parseDummyURL, parseRef } from '../registry/reference.js';
import type { Logger } from '../registry/log.js';
import { contentInfo, ContentWriter, copyToWriter, isAlreadyExists, listStatuses, updateContentLabels } from './content.js';
import { children, createOrUpdateImage, sortByPlatform } from './image.js';
import { AnnotationRefName, childrenGCLabels, isConfigType, isIndexType, isKnownConfig, isLayerType, isManifestType, MediaType } from './mediatypes.js';
import type { MatchComparer } from './platforms.js';
import type { Descriptor, ImageRecord } from './types.js';
import type { StatusInfo } from '../format/progress.js';

/** remotes.MakeRefKey: the ingest ref (and progress key) of a descriptor. */
export function makeRefKey(desc: Descriptor, log?: Logger): string {
  let key = desc.digest;
  const name = desc.annotations?.[AnnotationRefName];
  if (name !== undefined) key = `${name}@${desc.digest}`;
  const mt = desc.mediaType;
  if (isManifestType(mt)) return `manifest-${key}`;
  if (isIndexType(mt)) return `index-${key}`;
  if (isLayerType(mt)) return `layer-${key}`;
  if (isKnownConfig(mt)) return `config-${key}`;
  log?.warn(`reference for unknown type: ${mt}`);
  return `unknown-${key}`;
}

/** The descriptors seen during a fetch, in the order they were first handled (content.Jobs). */
export class Jobs {
  private readonly seen = new Set<string>();
  readonly descs: Descriptor[] = [];
  resolved = false;

  constructor(readonly name: string) {}

  add(desc: Descriptor): void {
    this.resolved = true;
    if (this.seen.has(desc.digest)) return;
    this.seen.add(desc.digest);
    this.descs.push(desc);
  }
}

/** A counting semaphore (golang.org/x/sync/semaphore with weight 1 per acquire). */
class Limiter {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  available(): number { return this.free; }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export interface FetchOptions {
  resolver: Resolver;
  platform: MatchComparer;
  allMetadata: boolean;
  labels: Record<string, string>;
  maxConcurrentDownloads: number;
  /** 1 for client.Pull's "one manifest per index", 0 (ctr's Fetch) for all matching. */
  limit: number;
  jobs?: Jobs;
  log: Logger;
}

/** remotes.fetch: one descriptor into the content store. */
async function fetchBlob(conn: Connection, fetch: (d: Descriptor, offset: number) => AsyncIterable<Buffer>, desc: Descriptor, log: Logger): Promise<void> {
  log.debug('fetch', { digest: desc.digest, mediatype: desc.mediaType, size: String(desc.size) });
  let w: ContentWriter;
  try {
    w = await ContentWriter.open(conn, makeRefKey(desc, log), desc);
  } catch (e) {
    if (isAlreadyExists(e)) return;
    throw e;
  }
  let ws;
  try {
    ws = await w.status();
  } catch (e) {
    w.close();
    throw e;
  }
  if (desc.size === 0) {
    w.close();
    throw new RemoteError(`unable to fetch descriptor (${desc.digest}) which reports content size of zero: invalid argument`, 'invalid');
  }
  if (ws.offset === desc.size) {
    try {
      await w.commit(desc.size, desc.digest);
    } catch (e) {
      if (!isAlreadyExists(e)) throw new Error(`failed commit on ref "${ws.ref}": ${(e as Error).message}`);
    }
    return;
  }
  w.offset = ws.offset;
  // The writer gathers the response's pieces into ~1 MiB messages (content.Copy's buffer)
  // and sends them as they are: the HTTP clients never reuse a piece they handed out,
  // and ours takes them back for its next reads once the daemon has them.
  await copyToWriter(w, fetch(desc, ws.offset), desc.size, desc.digest, undefined, ws.offset, { owned: true, release: releaseBody });
}

/** docker.appendDistributionSourceLabel: the repositories, sorted and de-duplicated. */
export function appendDistributionSource(origin: string, repo: string): string {
  const repos = origin ? origin.split(',') : [];
  repos.push(repo);
  const uniq = [...new Set(repos)].filter((r) => r !== '').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return uniq.join(',');
}

/** labels.Validate: key ≤ 4096 bytes, key+value ≤ 4096 bytes. */
function labelTooLong(key: string, value: string): string | undefined {
  const max = 4096;
  if (key.length > max) return `label key and value greater than maximum size (${max} bytes), key: ${key.slice(0, 10)}: invalid argument`;
  if (key.length + value.length > max) return `label key and value greater than maximum size (${max} bytes), key: ${key.slice(0, 10)}: invalid argument`;
  return undefined;
}

/** client.fetch for ctr (limit 0) and client.Pull (limit 1): returns the image record to store. */
export async function fetchImage(conn: Connection, ref: string, opts: FetchOptions): Promise<ImageRecord> {
  let name: string;
  let root: Descriptor;
  try {
    ({ name, desc: root } = await opts.resolver.resolve(ref));
  } catch (e) {
    throw new Error(`failed to resolve reference "${ref}": ${(e as Error).message}`);
  }
  let fetcher;
  try {
    fetcher = opts.resolver.fetcher(name);
  } catch (e) {
    throw new Error(`failed to get fetcher for "${name}": ${(e as Error).message}`);
  }
  if (root.mediaType === MediaType.DockerSchema1Manifest) {
    throw new Error(`${MediaType.DockerSchema1Manifest} not supported`);
  }
  const spec = parseRef(ref);
  const u = parseDummyURL(spec.locator);
  const source = u.host.replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1');
  const repo = u.path.replace(/^\//, '');
  const sourceKey = `containerd.io/distribution.source.${source}`;
  let convertible = false;
  const limiter = opts.maxConcurrentDownloads > 0 ? new Limiter(opts.maxConcurrentDownloads) : undefined;
  const { log } = opts;

  /**
   * One descriptor: fetch, then its children (filtered). The parent's labels (GC
   * references to the children, distribution source) are set while the children
   * download: `labelling` settles when they are on.
   */
  const handle = async (desc: Descriptor): Promise<{ kids: Descriptor[]; labelling: Promise<void> }> => {
    opts.jobs?.add(desc);
    await fetchBlob(conn, (d, off) => fetcher.fetch(d, off), desc, log);
    if (desc.mediaType === MediaType.LegacyConfig) convertible = true;

    // children, with gc labels for every child on the parent, then filtered
    let kids = await children(conn, desc);
    const gc = childrenGCLabels(kids);
    const labelling = (async () => {
      if (gc.fields.length > 0) await updateContentLabels(conn, desc.digest, gc.labels, gc.fields);
      // distribution source
      const info = await contentInfo(conn, desc.digest);
      const value = appendDistributionSource(info.labels[sourceKey] ?? '', repo);
      const bad = labelTooLong(sourceKey, value);
      if (bad) log.warn(`skip to append distribution label: ${bad}`);
      else await updateContentLabels(conn, desc.digest, { [sourceKey]: value }, [`labels.${sourceKey}`]);
    })();
    try {
      kids = filterChildren(desc, kids);
    } catch (e) {
      // ctr has set the GC labels by then; a failure there comes first.
      await labelling;
      throw e;
    }
    labelling.catch(() => {}); // observed by the dispatcher
    return { kids, labelling };
  };

  /** FilterPlatforms (or the all-metadata variant), then LimitManifests for client.Pull. */
  const filterChildren = (desc: Descriptor, kids: Descriptor[]): Descriptor[] => {
    if (opts.allMetadata) {
      if (desc.platform && isManifestType(desc.mediaType) && !opts.platform.match(desc.platform)) {
        kids = kids.filter((c) => c.mediaType === MediaType.DockerConfig || c.mediaType === MediaType.OCIConfig);
      }
    } else {
      kids = kids.filter((d) => !d.platform || opts.platform.match(d.platform));
    }
    if (opts.limit > 0 && isIndexType(desc.mediaType)) {
      kids = sortByPlatform(kids, opts.platform);
      if (kids.length === 0) throw new RemoteError('no match for platform in manifest: not found', 'notfound');
      kids = kids.slice(0, opts.limit);
    }
    return kids;
  };

  // images.Dispatch: siblings run concurrently; without a limiter Go's scheduler starts
  // the last one first, then the rest in order, which fixes the order progress lists them.
  const dispatch = async (descs: Descriptor[]): Promise<void> => {
    if (descs.length === 0) return;
    const order = !limiter || limiter.available() >= descs.length
      ? [descs[descs.length - 1]!, ...descs.slice(0, -1)]
      : descs;
    const tasks: Promise<void>[] = [];
    let failed: unknown;
    for (const desc of order) {
      if (limiter) await limiter.acquire();
      if (failed) {
        limiter?.release();
        break;
      }
      tasks.push((async () => {
        let step: Awaited<ReturnType<typeof handle>>;
        try {
          step = await handle(desc);
        } finally {
          limiter?.release();
        }
        // The parent's labels first, as ctr sets them before it looks at the children.
        const [labelled, below] = await Promise.allSettled([step.labelling, dispatch(step.kids)]);
        if (labelled.status === 'rejected') throw labelled.reason;
        if (below.status === 'rejected') throw below.reason;
      })().catch((e) => {
        failed ??= e;
        throw e;
      }));
    }
    const results = await Promise.allSettled(tasks);
    const firstErr = results.find((r) => r.status === 'rejected');
    if (firstErr) throw (firstErr as PromiseRejectedResult).reason;
  };
  await dispatch([root]);

  if (convertible) root = await convertManifest(conn, root);
  return createOrUpdateImage(conn, { name, target: root, labels: opts.labels });
}

/** docker.ConvertManifest: rewrites a manifest whose config has the legacy media type. */
async function convertManifest(conn: Connection, desc: Descriptor): Promise<Descriptor> {
  if (!isManifestType(desc.mediaType)) return desc;
  const { readBlob, writeBlob } = await import('./content.js');
  const manifest = JSON.parse((await readBlob(conn, desc)).toString()) as { config: Descriptor; layers: Descriptor[] };
  if (manifest.config.mediaType !== MediaType.LegacyConfig) return desc;
  manifest.config.mediaType = MediaType.DockerConfig;
  const { marshalIndent } = await import('../format/json.js');
  const data = Buffer.from(marshalIndent(manifest, '', '   '));
  const { createHash } = await import('node:crypto');
  const out: Descriptor = { ...desc, digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length };
  const labels: Record<string, string> = {};
  [manifest.config, ...manifest.layers].forEach((c, i) => (labels[`containerd.io/gc.ref.content.${i}`] = c.digest));
  try {
    await writeBlob(conn, makeRefKey(out), data, out, labels);
  } catch (e) {
    throw new Error(`failed to update content: ${(e as Error).message}`);
  }
  return out;
}

/**
 * One frame's statuses for ctr's ShowProgress: the reference line, then each job as
 * downloading (an active ingest), waiting (not in the store), done (stored since the
 * pull began) or exists. `statuses` persists between frames. Returns undefined when
 * the daemon could not be asked (the frame is skipped, as ctr does).
 */
export async function fetchStatuses(conn: Connection, jobs: Jobs, statuses: Map<string, StatusInfo>, startMs: number, final: boolean): Promise<StatusInfo[] | undefined> {
  statuses.set(jobs.name, { ref: jobs.name, status: jobs.resolved ? 'resolved' : 'resolving', offset: 0, total: 0 });
  const keys = [jobs.name];
  const active = new Set<string>();
  if (!final) {
    let list;
    try {
      list = await listStatuses(conn);
    } catch {
      return undefined;
    }
    for (const a of list) {
      statuses.set(a.ref, { ref: a.ref, status: 'downloading', offset: a.offset, total: a.total });
      active.add(a.ref);
    }
  }
  for (const desc of [...jobs.descs]) {
    const key = makeRefKey(desc);
    keys.push(key);
    if (active.has(key)) continue;
    const st = statuses.get(key);
    if (!final && (!st || st.status === 'downloading')) {
      try {
        const info = await contentInfo(conn, desc.digest);
        const created = info.createdAt ? info.createdAt.seconds * 1000 + info.createdAt.nanos / 1e6 : 0;
        statuses.set(key, created > startMs
          ? { ref: key, status: 'done', offset: info.size, total: info.size }
          : { ref: key, status: 'exists', offset: 0, total: 0 });
      } catch (e) {
        if (!isNotFound(e)) return undefined;
        statuses.set(key, { ref: key, status: 'waiting', offset: 0, total: 0 });
      }
    } else if (final) {
      if (st) {
        if (st.status !== 'done' && st.status !== 'exists') statuses.set(key, { ...st, status: 'done' });
      } else {
        statuses.set(key, { ref: key, status: 'done', offset: 0, total: 0 });
      }
    }
  }
  return keys.map((k) => statuses.get(k)!);
}

export { isConfigType };

/** ctr's FetchConfig (cmd/ctr/commands/content.NewFetchConfig). */
export interface CtrFetchConfig {
  resolver: Resolver;
  labels: Record<string, string>;
  /** Platforms to fetch; undefined = all (--all-platforms). */
  platforms?: string[];
  /** --metadata-only: match no platform, keep all metadata. */
  metadataOnly: boolean;
  allMetadata: boolean;
  maxConcurrentDownloads: number;
  /** Progress goes here unless --debug. */
  progress?: { out: import('../cli/types.js').Output; stdin: { isTTY?: boolean; fd?: number; columns?: number } };
  log: Logger;
}

/**
 * ctr's content.Fetch: client.Fetch (in a lease) with the progress display beside it.
 * On failure the display stops without its final frame, as ctr returns at once.
 */
export async function ctrFetch(conn: Connection, ref: string, cfg: CtrFetchConfig): Promise<ImageRecord> {
  const { parsePlatform, any, all } = await import('./platforms.js');
  let matcher: MatchComparer;
  if (cfg.metadataOnly) matcher = any();
  else if (cfg.platforms === undefined) matcher = all;
  else {
    const ps = [];
    for (const s of [...new Set(cfg.platforms)]) {
      try {
        ps.push(parsePlatform(s));
      } catch (e) {
        throw new Error(`invalid platform ${s}: ${(e as Error).message}`);
      }
    }
    matcher = any(...ps);
  }
  const jobs = new Jobs(ref);
  const startMs = Date.now();
  let loop: import('../format/progress.js').ProgressLoop | undefined;
  if (cfg.progress) {
    const { ProgressLoop, renderStatuses, stdinWidth } = await import('../format/progress.js');
    const statuses = new Map<string, StatusInfo>();
    loop = new ProgressLoop(cfg.progress.out, stdinWidth(cfg.progress.stdin), async (final) => {
      const list = await fetchStatuses(conn, jobs, statuses, startMs, final);
      return list && renderStatuses(list, startMs);
    });
  }
  const { withLease } = await import('./lease.js');
  try {
    const img = await withLease(conn, (c) => fetchImage(c, ref, {
      resolver: cfg.resolver,
      platform: matcher,
      allMetadata: cfg.allMetadata || cfg.metadataOnly,
      labels: cfg.labels,
      maxConcurrentDownloads: cfg.maxConcurrentDownloads,
      limit: 0,
      jobs,
      log: cfg.log,
    }));
    await loop?.stop();
    return img;
  } catch (e) {
    loop?.abort();
    throw e;
  }
}
