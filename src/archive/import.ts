// Importing image archives (containerd's archive.ImportIndex and Client.Import): an OCI
// layout tar is taken as it is; a `docker save` tar gets a Docker manifest per image and
// an OCI index written for it. Every file's bytes stream from the tar straight into the
// content store. Then the index is walked for the wanted platforms, GC labels are set
// on parents, and image records are created or re-pointed.

import { createHash } from 'node:crypto';
import { ImagesDefinition, type Image as ImageMsg } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted, isNotFound } from '../client/errdefs.js';
import type { Connection } from '../cli/types.js';
import { marshal, RawJSON } from '../format/json.js';
import { abortIngest, ingestStream, updateContent, walkContent } from '../commands/content/store.js';
import { ContentWriter, isAlreadyExists, readContent, writeBlob } from '../images/content.js';
import { digestAlgorithm, digestError, digestHex } from '../images/digest.js';
import { children, imagePlatforms, readIndex, toAPIDescriptor } from '../images/image.js';
import { AnnotationRefName, childrenGCLabels, MediaType } from '../images/mediatypes.js';
import type { MatchComparer } from '../images/platforms.js';
import { cleanPath, joinPath } from '../registry/reference.js';
import type { Descriptor, Platform } from '../images/types.js';
import { descriptorJSON } from '../commands/images/ocijson.js';
import { detectCompression, throughZlib } from './input.js';
import { normalizeReference, ociReferenceName } from './reference.js';
import { TarReader, TypeReg, TypeSymlink } from './tar.js';

export const AnnotationImageName = 'io.containerd.image.name';
const JSON_LIMIT = 20 << 20;
const OCI_LAYOUT_VERSION = '1.0.0';

export interface ImportIndexOptions {
  /** --compress-blobs: gzip uncompressed docker-save layers. */
  compress?: boolean;
  /** Told the size of each file of the tar once it is stored (for progress displays). */
  onBlob?: (size: number) => void;
}

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[] | null;
}

async function readAllLimited(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of body) {
    if (n < limit) parts.push(c.subarray(0, limit - n));
    n += c.length;
  }
  return Buffer.concat(parts);
}

const jsonKind = (v: unknown) => (typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'object');

/** manifest.json's entries, keys matched case-insensitively as Go's decoder does. */
function dockerManifests(doc: unknown): DockerManifestEntry[] | null {
  if (doc === null) return null;
  if (!Array.isArray(doc)) {
    throw new Error(`json: cannot unmarshal ${jsonKind(doc)} into Go value of type []struct { Config string; RepoTags []string; Layers []string }`);
  }
  return doc.map((e) => {
    const out: DockerManifestEntry = {};
    if (e && typeof e === 'object') {
      for (const [k, v] of Object.entries(e as Record<string, unknown>)) {
        const key = k.toLowerCase();
        if (key === 'config' && typeof v === 'string') out.Config = v;
        else if (key === 'repotags' && Array.isArray(v)) out.RepoTags = v.map(String);
        else if (key === 'layers' && Array.isArray(v)) out.Layers = v.map(String);
      }
    }
    return out;
  });
}

/** Go's json.Decoder.Decode: the first JSON value of the input; "EOF" when there is none. */
function decodeFirst(data: Buffer): unknown {
  const text = data.toString('utf8');
  if (text.trim() === '') throw new Error('EOF');
  try {
    return JSON.parse(text);
  } catch {
    // A Decoder stops after the first value, so trailing bytes do not matter.
    const end = firstValueEnd(text);
    try {
      if (end > 0) return JSON.parse(text.slice(0, end));
    } catch {
      // fall through
    }
    throw new Error(end > 0 || /^\s*[[{"]/.test(text) ? 'unexpected EOF' : `invalid character ${JSON.stringify(text.trim()[0])} looking for beginning of value`);
  }
}

/** Where the first top-level JSON object or array ends (0 when it does not). */
function firstValueEnd(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return 0;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** archive.writeManifest: marshal, store under "manifest-<digest>", return its descriptor. */
async function writeManifest(conn: Connection, doc: unknown, mediaType: string): Promise<Descriptor> {
  const bytes = Buffer.from(marshal(doc));
  const desc = { mediaType, digest: sha256(bytes), size: bytes.length };
  await writeBlob(conn, `manifest-${desc.digest}`, bytes, desc);
  return desc;
}

/** The first bytes of a blob (for sniffing its compression). */
async function headBytes(conn: Connection, digest: string, n: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for await (const c of readContent(conn, digest)) {
    parts.push(c);
    got += c.length;
    if (got >= n) break;
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** archive.resolveLayers: media types from the blobs, or from compressed copies already stored. */
async function resolveLayers(conn: Connection, files: string[], blobs: Map<string, Descriptor>, compress: boolean): Promise<Descriptor[]> {
  const layers: Descriptor[] = [];
  const byDigest = new Map<string, Descriptor>();
  const filters: string[] = [];
  for (const f of files) {
    const d = blobs.get(f);
    if (!d) throw new Error(`layer ${JSON.stringify(f)} not found`);
    const copy = { ...d };
    layers.push(copy);
    byDigest.set(copy.digest, copy);
    filters.push(`labels."containerd.io/uncompressed"==${copy.digest}`);
  }
  try {
    for await (const info of walkContent(conn, filters)) {
      const uncompressed = info.labels['containerd.io/uncompressed'];
      const d = uncompressed ? byDigest.get(uncompressed) : undefined;
      if (!d) continue;
      d.digest = info.digest;
      d.size = info.size;
      let head: Buffer;
      try {
        head = await headBytes(conn, d.digest, 10);
      } catch (e) {
        throw new Error(`failed to detect media type of layer: failed to read header bytes from layer to detect media type: ${(e as Error).message}`);
      }
      d.mediaType = head.length === 0 || detectCompression(head) === 'uncompressed' ? MediaType.DockerLayer : MediaType.DockerLayerGzip;
    }
  } catch (e) {
    throw new Error(`failure checking for compressed blobs: ${(e as Error).message}`);
  }
  for (const [i, d] of layers.entries()) {
    if (d.mediaType) continue;
    let head: Buffer;
    try {
      head = await headBytes(conn, d.digest, 10);
    } catch (e) {
      throw new Error(`failed to open ${JSON.stringify(files[i])} (${d.digest}): ${(e as Error).message}`);
    }
    if (detectCompression(head) !== 'uncompressed') d.mediaType = MediaType.DockerLayerGzip;
    else if (compress) layers[i] = { ...(await compressBlob(conn, d)), mediaType: MediaType.DockerLayerGzip };
    else d.mediaType = MediaType.DockerLayer;
  }
  return layers;
}

/** archive.compressBlob: a gzip copy of an uncompressed layer, labelled with its origin. */
async function compressBlob(conn: Connection, d: Descriptor): Promise<Descriptor> {
  const err = digestError(d.digest);
  if (err) throw new Error(err);
  const { createGzip } = await import('node:zlib');
  const ref = `compress-blob-${digestAlgorithm(d.digest)}-${digestHex(d.digest)}`;
  let w: ContentWriter;
  try {
    w = await ContentWriter.open(conn, ref, { size: 0, digest: '' });
  } catch (e) {
    throw new Error(`failed to open writer: ${(e as Error).message}`);
  }
  let ok = false;
  try {
    // Truncate(0): start over whatever an earlier attempt left.
    w.offset = 0;
    const hash = createHash('sha256');
    let size = 0;
    for await (const c of throughZlib(readContent(conn, d.digest), createGzip())) {
      hash.update(c);
      size += c.length;
      await w.write(c);
    }
    const digest = `sha256:${hash.digest('hex')}`;
    try {
      await w.commit(size, digest, { 'containerd.io/uncompressed': d.digest });
    } catch (e) {
      if (!isAlreadyExists(e)) throw new Error(`failed to commit: ${(e as Error).message}`);
    }
    ok = true;
    return { mediaType: '', digest, size };
  } finally {
    w.close();
    if (!ok) await abortIngest(conn, ref).catch(() => undefined);
  }
}

/**
 * archive.ImportIndex: ingests every regular file of the tar and returns the descriptor
 * of the OCI index (the archive's own, or one written for a docker-save archive).
 */
export async function importIndex(conn: Connection, source: AsyncIterable<Uint8Array>, opts: ImportIndexOptions = {}): Promise<Descriptor> {
  const tr = new TarReader(source);
  let layoutVersion = '';
  let mfsts: DockerManifestEntry[] | null | undefined;
  const symlinks = new Map<string, string>();
  const blobs = new Map<string, Descriptor>();
  try {
    for (;;) {
      const entry = await tr.next();
      if (!entry) break;
      const h = entry.header;
      if (h.typeflag === TypeSymlink) symlinks.set(h.name, joinPath(cleanPath(h.name.slice(0, h.name.lastIndexOf('/') + 1)), h.linkname));
      // Directories and other types carry nothing to import.
      if (h.typeflag !== TypeReg) continue;
      const name = cleanPath(h.name);
      if (name === 'oci-layout') {
        try {
          const layout = decodeFirst(await readAllLimited(entry.body(), JSON_LIMIT)) as { imageLayoutVersion?: unknown } | null;
          layoutVersion = typeof layout?.imageLayoutVersion === 'string' ? layout.imageLayoutVersion : '';
        } catch (e) {
          throw new Error(`untar oci layout ${JSON.stringify(h.name)}: ${(e as Error).message}`);
        }
      } else if (name === 'manifest.json') {
        try {
          mfsts = dockerManifests(decodeFirst(await readAllLimited(entry.body(), JSON_LIMIT)));
        } catch (e) {
          throw new Error(`untar manifest ${JSON.stringify(h.name)}: ${(e as Error).message}`);
        }
      } else {
        const hash = createHash('sha256');
        const body = entry.body();
        const hashed = (async function* () {
          for await (const c of body) {
            hash.update(c);
            yield c;
          }
        })();
        try {
          await ingestStream(conn, `tar-${name}`, hashed, { size: h.size, digest: '' }, { resume: 'discard' });
        } catch (e) {
          throw new Error(`failed to ingest ${JSON.stringify(h.name)}: ${(e as Error).message}`);
        }
        blobs.set(name, { mediaType: '', digest: `sha256:${hash.digest('hex')}`, size: h.size });
        opts.onBlob?.(h.size);
      }
    }
  } finally {
    await tr.close();
  }

  if (layoutVersion !== '') {
    if (layoutVersion !== OCI_LAYOUT_VERSION) throw new Error(`unsupported OCI version ${layoutVersion}`);
    const idx = blobs.get('index.json');
    if (!idx) throw new Error(`missing index.json in OCI layout ${OCI_LAYOUT_VERSION}`);
    return { ...idx, mediaType: MediaType.OCIIndex };
  }
  if (mfsts === undefined || mfsts === null) throw new Error('unrecognized image format');

  for (const [name, target] of symlinks) {
    const d = blobs.get(target);
    if (!d) throw new Error(`no target for symlink layer from ${JSON.stringify(name)} to ${JSON.stringify(target)}`);
    blobs.set(name, d);
  }

  const manifests: Descriptor[] = [];
  for (const m of mfsts) {
    const cfg = blobs.get(m.Config ?? '');
    if (!cfg) throw new Error(`image config ${JSON.stringify(m.Config ?? '')} not found`);
    const config = { ...cfg, mediaType: MediaType.DockerConfig };
    let layers: Descriptor[];
    try {
      layers = await resolveLayers(conn, m.Layers ?? [], blobs, !!opts.compress);
    } catch (e) {
      throw new Error(`failed to resolve layers: ${(e as Error).message}`);
    }
    let desc: Descriptor;
    try {
      desc = await writeManifest(conn, {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: descriptorJSON(config),
        layers: layers.map(descriptorJSON),
      }, MediaType.DockerManifest);
    } catch (e) {
      throw new Error(`write docker manifest: ${(e as Error).message}`);
    }
    let plats: Platform[];
    try {
      plats = await imagePlatforms(conn, desc);
    } catch (e) {
      throw new Error(`unable to resolve platform: ${(e as Error).message}`);
    }
    if (plats.length > 0) desc.platform = plats[0];
    const tags = m.RepoTags ?? [];
    if (tags.length === 0) {
      manifests.push(desc);
      continue;
    }
    for (const ref of tags) {
      const normalized = normalizeReference(ref);
      manifests.push({ ...desc, annotations: { [AnnotationImageName]: normalized, [AnnotationRefName]: ociReferenceName(normalized) } });
    }
  }
  return writeManifest(
    conn,
    { schemaVersion: 2, manifests: manifests.length ? manifests.map(descriptorJSON) : new RawJSON('null') },
    MediaType.OCIIndex,
  );
}

export interface ImportOptions extends ImportIndexOptions {
  /** Names tag-only OCI ref names (AddRefPrefix / FilterRefPrefix). */
  imageRefTranslator?: (ref: string) => string;
  /** --digests: a "<prefix>@<digest>" image per manifest. */
  digestRef?: (digest: string) => string;
  /** --skip-digest-for-named. */
  skipDigestRef?: (name: string) => boolean;
  indexName?: string;
  platform: MatchComparer;
}

export interface ImportedImage {
  name: string;
  target: Descriptor;
}

function imageName(annotations: Record<string, string> | undefined, cleanup?: (s: string) => string): string {
  const name = annotations?.[AnnotationImageName] ?? '';
  if (name) return name;
  const ref = annotations?.[AnnotationRefName] ?? '';
  return ref && cleanup ? cleanup(ref) : ref;
}

/**
 * Client.Import inside its lease (`conn` carries it): import the index, label the
 * tree for the wanted platforms, then create or re-point the image records.
 */
export async function importImages(conn: Connection, source: AsyncIterable<Uint8Array>, opts: ImportOptions): Promise<ImportedImage[]> {
  const index = await importIndex(conn, source, opts);
  const imgs: ImportedImage[] = [];
  if (opts.indexName) imgs.push({ name: opts.indexName, target: index });

  let empty = true;
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const desc of descs) {
      let ch: Descriptor[];
      if (desc.digest !== index.digest) {
        ch = await children(conn, desc);
      } else {
        const idx = await readIndex(conn, desc);
        ch = idx.manifests ?? [];
        for (const m of ch) {
          const name = imageName(m.annotations, opts.imageRefTranslator);
          if (name) imgs.push({ name, target: m });
          if (opts.skipDigestRef?.(name)) continue;
          const ref = opts.digestRef?.(m.digest);
          if (ref) imgs.push({ name: ref, target: m });
        }
      }
      ch = ch.filter((d) => !d.platform || opts.platform.match(d.platform));
      if (ch.length === 0) continue;
      empty = false;
      await setChildrenLabels(conn, desc, ch);
      await walk(ch);
    }
  };
  await walk([index]);
  if (empty) throw new Error('image might be filtered out');

  const images = conn.service(ImagesDefinition);
  const out: ImportedImage[] = [];
  for (const img of imgs) {
    const target = toAPIDescriptor(img.target);
    let rec: ImageMsg | undefined;
    try {
      rec = (await converted(images.update({ image: { name: img.name, target }, updateMask: ['target'] }))).image;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      rec = (await converted(images.create({ image: { name: img.name, target } }))).image;
    }
    out.push({ name: rec?.name ?? img.name, target: img.target });
  }
  return out;
}

/** images.SetChildrenLabels: GC references from a parent to each child. */
async function setChildrenLabels(conn: Connection, desc: Descriptor, ch: Descriptor[]): Promise<void> {
  const { labels, fields } = childrenGCLabels(ch);
  await updateContent(conn, desc.digest, labels, fields);
}
