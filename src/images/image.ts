// Reading images out of the content store, as containerd's images package does:
// children of a manifest or index, the manifest for a platform, its config and rootfs,
// the platforms an image offers, and the image record create-or-update.

import { ImagesDefinition } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import type { Connection } from '../cli/types.js';
import { converted, isNotFound } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import { readBlob } from './content.js';
import { isIndexType, isKnownConfig, isLayerType, isManifestType, MediaType } from './mediatypes.js';
import { normalize, type MatchComparer } from './platforms.js';
import type { Descriptor, ImageConfig, ImageRecord, Index, Manifest, Platform } from './types.js';
import { ErrdefsError } from '../client/errdefs.js';

/** images.validateMediaType: a manifest must not look like an index and vice versa. */
function validateMediaType(doc: Record<string, unknown>, mt: string): string | undefined {
  if (Array.isArray(doc.fsLayers) && doc.fsLayers.length > 0) return 'media-type: schema 1 not supported';
  const has = (k: string) => doc[k] !== undefined && doc[k] !== null;
  if (isManifestType(mt)) {
    if (has('manifests') || doc.mediaType === MediaType.DockerManifestList || doc.mediaType === MediaType.OCIIndex) {
      return `media-type: expected manifest but found index (${mt})`;
    }
  } else if (isIndexType(mt)) {
    if (has('config') || has('layers') || doc.mediaType === MediaType.DockerManifest || doc.mediaType === MediaType.OCIManifest) {
      return `media-type: expected index but found manifest (${mt})`;
    }
  }
  return undefined;
}

function parseJSON<T>(data: Buffer): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (e) {
    throw new Error((e as Error).message);
  }
}

async function readDocument<T>(conn: Connection, desc: Descriptor, what: string): Promise<T> {
  const doc = parseJSON<Record<string, unknown>>(await readBlob(conn, desc));
  const bad = validateMediaType(doc, desc.mediaType);
  if (bad) throw new Error(`${what}: invalid desc ${desc.digest}: ${bad}`);
  return doc as T;
}

export const readManifest = (conn: Connection, desc: Descriptor): Promise<Manifest> => readDocument<Manifest>(conn, desc, 'children');
export const readIndex = (conn: Connection, desc: Descriptor): Promise<Index> => readDocument<Index>(conn, desc, 'children');

/** images.Children: config and layers of a manifest, manifests of an index. */
export async function children(conn: Connection, desc: Descriptor): Promise<Descriptor[]> {
  if (isManifestType(desc.mediaType)) {
    const m = await readDocument<Manifest>(conn, desc, 'children');
    return [m.config, ...(m.layers ?? [])].filter(Boolean);
  }
  if (isIndexType(desc.mediaType)) {
    const idx = await readDocument<Index>(conn, desc, 'children');
    return idx.manifests ?? [];
  }
  return [];
}

/** Go's sort.SliceStable with a less function. */
export function stableSort<T>(list: T[], less: (a: T, b: T) => boolean): T[] {
  return list
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (less(a.v, b.v) ? -1 : less(b.v, a.v) ? 1 : a.i - b.i))
    .map((x) => x.v);
}

/** Orders index entries as images.LimitManifests and images.Manifest do: preferred platforms first, entries without a platform last. */
export function sortByPlatform(descs: Descriptor[], platform: MatchComparer): Descriptor[] {
  return stableSort(descs, (a, b) => {
    if (!a.platform) return false;
    if (!b.platform) return true;
    return platform.less(a.platform, b.platform);
  });
}

/** images.Manifest: the manifest of `image` for `platform` (undefined = any). */
export async function resolveManifest(conn: Connection, image: Descriptor, platform?: MatchComparer): Promise<Manifest> {
  const found: Manifest[] = [];
  let wasIndex = false;
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const desc of descs) {
      if (isManifestType(desc.mediaType)) {
        const manifest = await readDocument<Manifest>(conn, desc, 'manifest');
        if (desc.digest !== image.digest && platform) {
          if (desc.platform && !platform.match(desc.platform)) continue;
          if (!desc.platform) {
            const cfg = parseJSON<ImageConfig>(await readBlob(conn, manifest.config));
            if (!platform.match(normalize({ os: cfg.os ?? '', architecture: cfg.architecture ?? '' }))) continue;
          }
        }
        found.push(manifest);
      } else if (isIndexType(desc.mediaType)) {
        const idx = await readDocument<Index>(conn, desc, 'manifest');
        if (!platform) {
          await walk(idx.manifests ?? []);
          continue;
        }
        const matching = sortByPlatform((idx.manifests ?? []).filter((d) => !d.platform || platform.match(d.platform)), platform);
        wasIndex = true;
        await walk(matching.slice(0, 1));
      } else {
        throw new ErrdefsError(Code.NotFound, `unexpected media type ${desc.mediaType} for ${desc.digest}: not found`);
      }
    }
  };
  await walk([image]);
  if (found.length === 0) {
    throw new ErrdefsError(Code.NotFound, wasIndex
      ? `no match for platform in manifest ${image.digest}: not found`
      : `manifest ${image.digest}: not found`);
  }
  return found[0]!;
}

export async function imageConfigDescriptor(conn: Connection, image: Descriptor, platform?: MatchComparer): Promise<Descriptor> {
  return (await resolveManifest(conn, image, platform)).config;
}

/** images.RootFS: the diff IDs listed in an image config. */
export async function rootFS(conn: Connection, configDesc: Descriptor): Promise<string[]> {
  const cfg = parseJSON<ImageConfig>(await readBlob(conn, configDesc));
  return cfg.rootfs?.diff_ids ?? [];
}

/** images.Platforms: every platform the image offers (index entries, or a manifest's config). */
export async function imagePlatforms(conn: Connection, image: Descriptor): Promise<Platform[]> {
  const out: Platform[] = [];
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const desc of descs) {
      if (desc.platform) {
        out.push(desc.platform);
        continue;
      }
      if (desc.mediaType === MediaType.DockerConfig || desc.mediaType === MediaType.OCIConfig) {
        const cfg = parseJSON<ImageConfig>(await readBlob(conn, desc));
        out.push(normalize({ os: cfg.os ?? '', architecture: cfg.architecture ?? '' }));
      }
      await walk(await children(conn, desc));
    }
  };
  await walk([image]);
  return out;
}

/** images.Check: whether config and layers of the platform's manifest are all present. */
export async function checkImage(conn: Connection, image: Descriptor, platform: MatchComparer): Promise<{
  available: boolean; required: Descriptor[]; present: Descriptor[]; missing: Descriptor[];
}> {
  let manifest: Manifest;
  try {
    manifest = await resolveManifest(conn, image, platform);
  } catch (e) {
    if (isNotFound(e)) return { available: false, required: [image], present: [], missing: [image] };
    throw new Error(`failed to check image ${image.digest}: ${(e as Error).message}`);
  }
  const required = [manifest.config, ...(manifest.layers ?? [])];
  const present: Descriptor[] = [];
  const missing: Descriptor[] = [];
  const { contentInfo } = await import('./content.js');
  for (const desc of required) {
    try {
      await contentInfo(conn, desc.digest);
      present.push(desc);
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`failed to check image ${desc.digest}: ${(e as Error).message}`);
      missing.push(desc);
    }
  }
  return { available: true, required, present, missing };
}

/** Image.Size: the bytes of the target, the platform's manifest, its config and layers. */
export async function imageSize(conn: Connection, image: Descriptor, platform: MatchComparer): Promise<number> {
  let size = 0;
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const desc of descs) {
      if (desc.size < 0) throw new Error(`invalid size ${desc.size} in ${desc.digest} (${desc.mediaType})`);
      size += desc.size;
      let kids = (await children(conn, desc)).filter((d) => !d.platform || platform.match(d.platform));
      if (isIndexType(desc.mediaType)) {
        kids = sortByPlatform(kids, platform).slice(0, 1);
      }
      await walk(kids);
    }
  };
  await walk([image]);
  return size;
}

/** The descriptor of an image record as the API carries it (no platform/urls). */
export function toAPIDescriptor(d: Descriptor): { mediaType: string; digest: string; size: number; annotations: Record<string, string> } {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, annotations: d.annotations ?? {} };
}

/** client.createNewImage: create the record, or update it when it already exists. */
export async function createOrUpdateImage(conn: Connection, img: ImageRecord): Promise<ImageRecord> {
  const images = conn.service(ImagesDefinition);
  const msg = { name: img.name, labels: img.labels, target: toAPIDescriptor(img.target) };
  for (;;) {
    try {
      await converted(images.create({ image: msg }));
      return img;
    } catch (e) {
      if (!(e instanceof ErrdefsError) || e.code !== Code.AlreadyExists) throw e;
    }
    try {
      await converted(images.update({ image: msg }));
      return img;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

export { isKnownConfig, isLayerType };
