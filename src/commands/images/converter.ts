// containerd's images/converter with the default index converter and the uncompress
// layer converter: walk index → manifests → layers/config, convert what the options
// ask for, write changed documents back (Go's JSON bytes, GC labels carried over and
// re-pointed), and name the result. Everything runs under one lease.

import { createHash } from 'node:crypto';
import { ImagesDefinition, type Image as ImageMsg } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import type { Connection } from '../../cli/types.js';
import { marshal, RawJSON } from '../../format/json.js';
import { ContentWriter, isAlreadyExists, readBlob, readContent, writeBlob } from '../../images/content.js';
import { digestError } from '../../images/digest.js';
import { toAPIDescriptor } from '../../images/image.js';
import { withLease } from '../../images/lease.js';
import { isConfigType, isIndexType, isLayerType, isManifestType, MediaType } from '../../images/mediatypes.js';
import type { MatchComparer } from '../../images/platforms.js';
import { decompressStream } from '../../archive/input.js';
import { contentInfoFull, updateContent } from '../content/store.js';
import { decodeIndex, decodeManifest, indexJSON, manifestJSON, type GoDescriptor } from './ocijson.js';
import { logLine, targetOf } from './shared.js';

const UNCOMPRESSED = 'containerd.io/uncompressed';

const isDockerType = (mt: string) => mt.startsWith('application/vnd.docker.');

const OCI_NONDIST = 'application/vnd.oci.image.layer.nondistributable.v1.tar';

/** converter.ConvertDockerMediaTypeToOCI. */
export function dockerToOCI(mt: string): string {
  switch (mt) {
    case MediaType.DockerManifestList: return MediaType.OCIIndex;
    case MediaType.DockerManifest: return MediaType.OCIManifest;
    case MediaType.DockerLayerGzip: return MediaType.OCILayerGzip;
    case MediaType.DockerLayerForeignGzip: return `${OCI_NONDIST}+gzip`;
    case MediaType.DockerLayer: return MediaType.OCILayer;
    case MediaType.DockerLayerForeign: return OCI_NONDIST;
    case MediaType.DockerConfig: return MediaType.OCIConfig;
    default: return mt;
  }
}

const isUncompressedType = (mt: string) =>
  mt === MediaType.DockerLayer || mt === MediaType.DockerLayerForeign || mt === MediaType.OCILayer || mt === OCI_NONDIST;

/** uncompress.convertMediaType. */
function uncompressedMediaType(mt: string): string {
  switch (mt) {
    case MediaType.DockerLayerGzip: return MediaType.DockerLayer;
    case MediaType.DockerLayerForeignGzip: return MediaType.DockerLayerForeign;
    case MediaType.OCILayerGzip: case MediaType.OCILayerZstd: return MediaType.OCILayer;
    case `${OCI_NONDIST}+gzip`: case `${OCI_NONDIST}+zstd`: return OCI_NONDIST;
    default: return mt;
  }
}

/** converter.ClearGCLabels: drop the content references pointing at `digest`. */
function clearGCLabels(labels: Record<string, string>, digest: string): void {
  for (const [k, v] of Object.entries(labels)) {
    if (v === digest && k.startsWith('containerd.io/gc.ref.content')) delete labels[k];
  }
}

export interface ConvertOptions {
  uncompress: boolean;
  docker2oci: boolean;
  platform: MatchComparer;
}

class DefaultConverter {
  /** Old diff ID → new diff ID, for configs of converted layers. */
  private readonly diffIDs = new Map<string, string>();

  constructor(private readonly conn: Connection, private readonly opts: ConvertOptions, private readonly stderr: { write(s: string): unknown }) {}

  async convert(desc: GoDescriptor): Promise<GoDescriptor | undefined> {
    let out: GoDescriptor | undefined;
    if (isLayerType(desc.mediaType)) out = this.opts.uncompress ? await this.uncompressLayer(desc) : undefined;
    else if (isManifestType(desc.mediaType)) out = await this.convertManifest(desc);
    else if (isIndexType(desc.mediaType)) out = await this.convertIndex(desc);
    else if (isConfigType(desc.mediaType)) out = await this.convertConfig(desc);
    if (isDockerType(desc.mediaType)) {
      if (this.opts.docker2oci) {
        out = { ...(out ?? desc) };
        out.mediaType = dockerToOCI(out.mediaType);
      } else if ((!out && Object.keys(desc.annotations ?? {}).length) || (out && Object.keys(out.annotations ?? {}).length)) {
        // Docker documents have no annotations: drop them.
        out = { ...(out ?? desc) };
        delete out.annotations;
      }
    }
    return out;
  }

  /** readJSON: the blob's labels and its parsed JSON. */
  private async readJSON(desc: GoDescriptor): Promise<[Record<string, string>, unknown]> {
    const info = await contentInfoFull(this.conn, desc.digest);
    const doc = JSON.parse((await readBlob(this.conn, desc)).toString('utf8')) as unknown;
    return [{ ...info.labels }, doc];
  }

  /** writeJSON: the new document under "converter-write-json-<digest>", with the labels. */
  private async writeJSON(doc: unknown, old: GoDescriptor, labels: Record<string, string>): Promise<GoDescriptor> {
    const bytes = Buffer.from(marshal(doc));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeBlob(this.conn, `converter-write-json-${digest}`, bytes, { size: bytes.length, digest }, labels);
    return { ...old, size: bytes.length, digest };
  }

  private async convertManifest(desc: GoDescriptor): Promise<GoDescriptor | undefined> {
    const [labels, doc] = await this.readJSON(desc);
    const manifest = decodeManifest(doc);
    let modified = false;
    if (isDockerType(manifest.mediaType) && this.opts.docker2oci) {
      manifest.mediaType = dockerToOCI(manifest.mediaType);
      modified = true;
    }
    const layers = manifest.layers ?? [];
    const oldDiffIDs: string[] = [];
    for (const l of layers) oldDiffIDs.push(await this.diffID(l));
    await Promise.all(layers.map(async (l, i) => {
      const n = await this.convert(l);
      if (!n) return;
      clearGCLabels(labels, l.digest);
      labels[`containerd.io/gc.ref.content.l.${i}`] = n.digest;
      layers[i] = n;
      modified = true;
      const newDiffID = await this.diffID(n);
      if (newDiffID !== oldDiffIDs[i]) this.diffIDs.set(oldDiffIDs[i]!, newDiffID);
    }));
    const config = await this.convert(manifest.config);
    if (config) {
      clearGCLabels(labels, manifest.config.digest);
      labels['containerd.io/gc.ref.content.config'] = config.digest;
      manifest.config = config;
      modified = true;
    }
    return modified ? this.writeJSON(manifestJSON(manifest), desc, labels) : undefined;
  }

  private async convertIndex(desc: GoDescriptor): Promise<GoDescriptor | undefined> {
    const [labels, doc] = await this.readJSON(desc);
    const index = decodeIndex(doc);
    let modified = false;
    if (isDockerType(index.mediaType) && this.opts.docker2oci) {
      index.mediaType = dockerToOCI(index.mediaType);
      modified = true;
    }
    const manifests = index.manifests ?? [];
    const removed = new Set<number>();
    const results = await Promise.all(manifests.map(async (m, i) => {
      if (m.platform && !this.opts.platform.match(m.platform)) {
        clearGCLabels(labels, m.digest);
        removed.add(i);
        modified = true;
        return m;
      }
      const n = await this.convert(m);
      if (!n) return m;
      clearGCLabels(labels, m.digest);
      labels[`containerd.io/gc.ref.content.m.${i}`] = n.digest;
      modified = true;
      return n;
    }));
    if (!modified) return undefined;
    const kept = results.filter((_, i) => !removed.has(i));
    index.manifests = kept.length ? kept : null;
    return this.writeJSON(indexJSON(index), desc, labels);
  }

  private async convertConfig(desc: GoDescriptor): Promise<GoDescriptor | undefined> {
    const [labels, doc] = await this.readJSON(desc);
    const cfg = (doc ?? {}) as Record<string, unknown>;
    const rootfs = cfg.rootfs as { type?: string; diff_ids?: string[] } | undefined;
    if (rootfs?.type !== 'layers') return undefined;
    let changed = false;
    const diffIDs = (rootfs.diff_ids ?? []).map((d) => {
      const n = this.diffIDs.get(d);
      if (n && n !== d) changed = true;
      return n ?? d;
    });
    if (!changed) return undefined;
    // A map of raw members: keys sorted, values kept, rootfs rewritten, the docker v1
    // "Image" placeholder removed from config and container_config.
    const out = new Map<string, unknown>();
    for (const [k, v] of Object.entries(cfg)) out.set(k, new RawJSON(JSON.stringify(v)));
    out.set('rootfs', { type: rootfs.type, diff_ids: rootfs.diff_ids ? diffIDs : new RawJSON('null') });
    for (const k of ['config', 'container_config']) {
      const v = cfg[k];
      if (v && typeof v === 'object') {
        const m = new Map(Object.entries(v as Record<string, unknown>).filter(([key]) => key !== 'Image').map(([key, x]) => [key, new RawJSON(JSON.stringify(x))]));
        out.set(k, m);
      }
    }
    return this.writeJSON(out, desc, labels);
  }

  /** images.GetDiffID: the digest of the layer's uncompressed bytes (label, else computed and labelled). */
  private async diffID(desc: GoDescriptor): Promise<string> {
    if (isUncompressedType(desc.mediaType)) return desc.digest;
    const info = await contentInfoFull(this.conn, desc.digest);
    const label = info.labels[UNCOMPRESSED];
    if (label !== undefined) {
      const err = digestError(label);
      if (err) throw new Error(err);
      return label;
    }
    const { data } = await decompressStream(readContent(this.conn, desc.digest));
    const hash = createHash('sha256');
    for await (const c of data) hash.update(c);
    const digest = `sha256:${hash.digest('hex')}`;
    try {
      await updateContent(this.conn, desc.digest, { ...info.labels, [UNCOMPRESSED]: digest }, ['labels']);
    } catch (e) {
      logLine(this.stderr, 'warning', `failed to set ${UNCOMPRESSED} label for ${desc.digest}`, (e as Error).message);
    }
    return digest;
  }

  /** uncompress.LayerConvertFunc. */
  private async uncompressLayer(desc: GoDescriptor): Promise<GoDescriptor | undefined> {
    if (!isLayerType(desc.mediaType) || isUncompressedType(desc.mediaType)) return undefined;
    const info = await contentInfoFull(this.conn, desc.digest);
    const { data } = await decompressStream(limit(readContent(this.conn, desc.digest), desc.size));
    const w = await ContentWriter.open(this.conn, `convert-uncompress-from-${desc.digest}`, { size: 0, digest: '' });
    const hash = createHash('sha256');
    let n = 0;
    try {
      // Truncate(0): what an earlier attempt left is overwritten.
      w.offset = 0;
      for await (const c of data) {
        hash.update(c);
        n += c.length;
        await w.write(c);
      }
      const labels = { ...info.labels };
      delete labels[UNCOMPRESSED];
      try {
        await w.commit(0, '', labels);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    } finally {
      w.close();
    }
    return { ...desc, digest: `sha256:${hash.digest('hex')}`, size: n, mediaType: uncompressedMediaType(desc.mediaType) };
  }
}

/** io.NewSectionReader(ra, 0, size): at most `size` bytes of the stream. */
async function* limit(source: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let left = size;
  for await (const c of source) {
    if (left <= 0) return;
    const part = c.subarray(0, left);
    left -= part.length;
    yield part;
  }
}

/** converter.Convert: returns the new image record. */
export async function convertImage(
  conn: Connection, dstRef: string, srcRef: string, opts: ConvertOptions, stderr: { write(s: string): unknown },
): Promise<ImageMsg | undefined> {
  return withLease(conn, async (leased) => {
    const images = leased.service(ImagesDefinition);
    const { image: src } = await converted(images.get({ name: srcRef }));
    const out = await new DefaultConverter(leased, opts, stderr).convert(targetOf(src));
    const dst = { name: dstRef, labels: src?.labels ?? {}, target: out ? toAPIDescriptor(out) : src?.target };
    if (dstRef !== srcRef) {
      await images.delete({ name: dstRef, sync: false }).catch(() => undefined);
      return (await converted(images.create({ image: dst }))).image;
    }
    return (await converted(images.update({ image: dst }))).image;
  });
}
