// Exporting images (containerd's archive.Export): an OCI layout tar with a Docker
// manifest.json for one platform, records sorted by name, written in the same bytes
// Go's tar writer produces. Each blob is streamed from the content store with a single
// Read call into the tar (Go's exporter issues one call per 32 KiB), its digest checked
// on the way.

import { createHash } from 'node:crypto';
import { ErrdefsError } from '../client/errdefs.js';
import { Code } from '../client/transport.js';
import type { Connection } from '../cli/types.js';
import { marshal, RawJSON } from '../format/json.js';
import { contentInfo, readBlob, readContent } from '../images/content.js';
import { digestAlgorithm, digestError, digestHex } from '../images/digest.js';
import { children, readIndex, sortByPlatform } from '../images/image.js';
import { AnnotationRefName, isIndexType, isManifestType, isNonDistributable } from '../images/mediatypes.js';
import type { MatchComparer } from '../images/platforms.js';
import type { Descriptor, Manifest } from '../images/types.js';
import { descriptorJSON } from '../commands/images/ocijson.js';
import { AnnotationImageName } from './import.js';
import { familiarizeReference, ociReferenceName } from './reference.js';
import { TarWriter, TypeDir, TypeReg, type ByteSink } from './tar.js';

export interface ExportOptions {
  /** The images' targets (from the image store), each named. */
  manifests: Array<{ name: string; target: Descriptor }>;
  platform: MatchComparer;
  allPlatforms?: boolean;
  skipDockerManifest?: boolean;
  skipNonDistributable?: boolean;
}

interface TarRecord {
  name: string;
  typeflag: string;
  mode: number;
  size: number;
  /** Writes exactly `size` bytes. */
  copyTo?: (tw: TarWriter) => Promise<void>;
}

const bytesRecord = (name: string, mode: number, bytes: Buffer): TarRecord => ({
  name, typeflag: TypeReg, mode, size: bytes.length, copyTo: (tw) => tw.write(bytes),
});

const blobPath = (digest: string) => `blobs/${digestAlgorithm(digest)}/${digestHex(digest)}`;

function blobRecord(conn: Connection, desc: Descriptor, skipNonDistributable: boolean): TarRecord | undefined {
  if (skipNonDistributable && isNonDistributable(desc.mediaType)) return undefined;
  return {
    name: blobPath(desc.digest),
    typeflag: TypeReg,
    mode: 0o444,
    size: desc.size,
    copyTo: async (tw) => {
      try {
        await contentInfo(conn, desc.digest);
      } catch (e) {
        throw new Error(`failed to get reader: ${(e as Error).message}`);
      }
      const hash = createHash(digestAlgorithm(desc.digest));
      let n = 0;
      try {
        for await (const c of readContent(conn, desc.digest)) {
          if (n + c.length > desc.size) throw new Error('archive/tar: write too long');
          hash.update(c);
          n += c.length;
          await tw.write(c);
        }
      } catch (e) {
        throw new Error(`failed to copy to tar: ${(e as Error).message}`);
      }
      const got = `${digestAlgorithm(desc.digest)}:${hash.digest('hex')}`;
      if (got !== desc.digest) throw new Error(`unexpected digest ${got} copied`);
      if (n !== desc.size) throw new Error(`unexpected copy size for ${blobPath(desc.digest)}`);
    },
  };
}

/** The blobs of one manifest (or index) and everything below it, walk order. */
async function getRecords(conn: Connection, desc: Descriptor, algorithms: Set<string>, skipND: boolean): Promise<TarRecord[]> {
  const records: TarRecord[] = [];
  const walk = async (descs: Descriptor[]): Promise<void> => {
    for (const d of descs) {
      const ch = await children(conn, d);
      const err = digestError(d.digest);
      if (err) throw new Error(err);
      const r = blobRecord(conn, d, skipND);
      if (r) records.push(r);
      algorithms.add(digestAlgorithm(d.digest));
      await walk(ch);
    }
  };
  await walk([desc]);
  return records;
}

interface ExportManifest {
  manifest: Descriptor;
  names: string[];
}

/** Go's addNameAnnotation: the image name and its OCI ref name on the descriptor. */
function withNameAnnotation(name: string, d: Descriptor): Descriptor {
  return { ...d, annotations: { ...d.annotations, [AnnotationImageName]: name, [AnnotationRefName]: ociReferenceName(name) } };
}

/** Plans the archive (all reads of manifests happen here), then writes it to `sink`. */
export async function exportArchive(conn: Connection, sink: ByteSink, opts: ExportOptions): Promise<void> {
  const manifests = opts.manifests.map((m) => withNameAnnotation(m.name, m.target));
  const skipND = !!opts.skipNonDistributable;
  const records: TarRecord[] = [
    bytesRecord('oci-layout', 0o444, Buffer.from(marshal({ imageLayoutVersion: '1.0.0' }))),
    bytesRecord('index.json', 0o644, Buffer.from(marshal({ schemaVersion: 2, manifests: manifests.map(descriptorJSON) }))),
  ];
  const algorithms = new Set<string>();
  const dManifests = new Map<string, ExportManifest>();
  const resolvedIndex = new Map<string, string>();

  for (const desc of manifests) {
    const name = desc.annotations?.[AnnotationImageName] ?? '';
    if (isManifestType(desc.mediaType)) {
      let mt = dManifests.get(desc.digest);
      if (!mt) {
        records.push(...(await getRecords(conn, desc, algorithms, skipND)));
        mt = { manifest: desc, names: [] };
        dManifests.set(desc.digest, mt);
      }
      if (name && !opts.skipDockerManifest) mt.names.push(name);
    } else if (isIndexType(desc.mediaType)) {
      let d = resolvedIndex.get(desc.digest);
      if (d === undefined) {
        d = '';
        const err = digestError(desc.digest);
        if (err) throw new Error(err);
        const r = blobRecord(conn, desc, skipND);
        if (r) records.push(r);
        const index = await readIndex(conn, desc);
        const matching: Descriptor[] = [];
        for (const m of index.manifests ?? []) {
          if (!m.platform || opts.platform.match(m.platform)) matching.push(m);
          else if (!opts.allPlatforms) continue;
          records.push(...(await getRecords(conn, m, algorithms, skipND)));
        }
        if (!opts.skipDockerManifest) {
          if (matching.length >= 1) {
            const best = sortByPlatform(matching, opts.platform)[0]!;
            d = best.digest;
            dManifests.set(d, { manifest: best, names: [] });
          } else {
            throw new ErrdefsError(Code.NotFound, 'no manifest found for platform: not found');
          }
        }
        resolvedIndex.set(desc.digest, d);
      }
      if (d !== '' && name) dManifests.get(d)!.names.push(name);
    } else {
      throw new ErrdefsError(Code.InvalidArgument, 'only manifests may be exported: invalid argument');
    }
  }

  if (dManifests.size > 0) {
    try {
      records.push(await manifestsRecord(conn, [...dManifests.values()]));
    } catch (e) {
      throw new Error(`unable to create manifests file: ${(e as Error).message}`);
    }
  }
  if (algorithms.size > 0) {
    records.push({ name: 'blobs/', typeflag: TypeDir, mode: 0o755, size: 0 });
    for (const alg of algorithms) records.push({ name: `blobs/${alg}/`, typeflag: TypeDir, mode: 0o755, size: 0 });
  }

  await writeTar(sink, records);
}

/** manifest.json: for each manifest its config, layers and familiar tags. */
async function manifestsRecord(conn: Connection, manifests: ExportManifest[]): Promise<TarRecord> {
  const entries = [];
  for (const m of manifests) {
    const manifest = JSON.parse((await readBlob(conn, m.manifest)).toString('utf8')) as Manifest;
    const configDigest = manifest.config?.digest ?? '';
    const err = digestError(configDigest);
    if (err) throw new Error(`invalid manifest ${JSON.stringify(m.manifest.digest)}: ${err}`);
    const layers = (manifest.layers ?? []).map((l) => blobPath(l.digest));
    const tags = m.names.map(familiarizeReference);
    entries.push({
      Config: blobPath(configDigest),
      RepoTags: tags.length ? tags : new RawJSON('null'),
      Layers: layers.length ? layers : new RawJSON('null'),
    });
  }
  return bytesRecord('manifest.json', 0o644, Buffer.from(marshal(entries)));
}

/** Records sorted by name, duplicates written once. */
async function writeTar(sink: ByteSink, records: TarRecord[]): Promise<void> {
  const sorted = [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tw = new TarWriter(sink);
  let last: string | undefined;
  for (const r of sorted) {
    if (r.name === last) continue;
    last = r.name;
    await tw.writeHeader({ name: r.name, typeflag: r.typeflag, mode: r.mode, size: r.size });
    if (r.copyTo) await r.copyTo(tw);
    else if (r.size > 0) throw new Error(`no content to write to record with non-zero size for ${r.name}`);
  }
  await tw.close();
}
