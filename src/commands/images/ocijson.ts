// OCI documents decoded and re-encoded the way Go's encoding/json does with the
// image-spec structs ctr is built with: unknown members dropped, keys matched
// case-insensitively, members written in struct order with omitempty, maps sorted, nil
// slices as null. Converted manifests and indexes then have ctr's exact bytes (and
// digests).

import { RawJSON } from '../../format/json.js';
import type { Descriptor, Platform } from '../../images/types.js';

type Obj = Record<string, unknown>;

/** Go's field matching: an exact key, else one equal under case folding; the last wins. */
function fields(v: unknown, names: readonly string[]): Obj {
  const out: Obj = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Obj)) {
    const name = names.includes(k) ? k : names.find((n) => n.toLowerCase() === k.toLowerCase());
    if (name !== undefined) out[name] = val;
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strMap = (v: unknown): Record<string, string> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, str(x)])) : undefined;
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(str) : undefined);

/** A descriptor with the image-spec members ctr's structs have beyond ours. */
export interface GoDescriptor extends Descriptor {
  data?: string;
  artifactType?: string;
}

export function decodePlatform(v: unknown): Platform | undefined {
  if (v === null || v === undefined) return undefined;
  const f = fields(v, ['architecture', 'os', 'os.version', 'os.features', 'variant']);
  const p: Platform = { architecture: str(f.architecture), os: str(f.os) };
  if (f['os.version']) p['os.version'] = str(f['os.version']);
  const features = strList(f['os.features']);
  if (features) p['os.features'] = features;
  if (f.variant) p.variant = str(f.variant);
  return p;
}

export function decodeDescriptor(v: unknown): GoDescriptor {
  const f = fields(v, ['mediaType', 'digest', 'size', 'urls', 'annotations', 'data', 'platform', 'artifactType']);
  const d: GoDescriptor = { mediaType: str(f.mediaType), digest: str(f.digest), size: typeof f.size === 'number' ? f.size : 0 };
  const urls = strList(f.urls);
  if (urls) d.urls = urls;
  const annotations = strMap(f.annotations);
  if (annotations) d.annotations = annotations;
  if (typeof f.data === 'string') d.data = f.data;
  const platform = decodePlatform(f.platform);
  if (platform) d.platform = platform;
  if (f.artifactType) d.artifactType = str(f.artifactType);
  return d;
}

const sortedMap = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? new Map(Object.entries(m)) : undefined);

export function platformJSON(p: Platform): Obj {
  return {
    architecture: p.architecture,
    os: p.os,
    'os.version': p['os.version'] || undefined,
    'os.features': p['os.features']?.length ? p['os.features'] : undefined,
    variant: p.variant || undefined,
  };
}

/** ocispec.Descriptor as json.Marshal writes it. */
export function descriptorJSON(d: GoDescriptor): Obj {
  return {
    mediaType: d.mediaType || undefined,
    digest: d.digest,
    size: d.size,
    urls: d.urls?.length ? d.urls : undefined,
    annotations: sortedMap(d.annotations),
    data: d.data ? d.data : undefined,
    platform: d.platform ? platformJSON(d.platform) : undefined,
    artifactType: d.artifactType || undefined,
  };
}

const descriptorList = (v: unknown): GoDescriptor[] | null => (Array.isArray(v) ? v.map(decodeDescriptor) : null);
const listJSON = (l: GoDescriptor[] | null) => (l === null ? new RawJSON('null') : l.map(descriptorJSON));

export interface GoManifest {
  schemaVersion: number;
  mediaType: string;
  config: GoDescriptor;
  layers: GoDescriptor[] | null;
  subject?: GoDescriptor;
  annotations?: Record<string, string>;
}

export function decodeManifest(doc: unknown): GoManifest {
  const f = fields(doc, ['schemaVersion', 'mediaType', 'config', 'layers', 'subject', 'annotations']);
  return {
    schemaVersion: typeof f.schemaVersion === 'number' ? f.schemaVersion : 0,
    mediaType: str(f.mediaType),
    config: decodeDescriptor(f.config),
    layers: descriptorList(f.layers),
    ...(f.subject ? { subject: decodeDescriptor(f.subject) } : {}),
    ...(strMap(f.annotations) ? { annotations: strMap(f.annotations) } : {}),
  };
}

export function manifestJSON(m: GoManifest): Obj {
  return {
    schemaVersion: m.schemaVersion,
    mediaType: m.mediaType || undefined,
    config: descriptorJSON(m.config),
    layers: listJSON(m.layers),
    subject: m.subject ? descriptorJSON(m.subject) : undefined,
    annotations: sortedMap(m.annotations),
  };
}

export interface GoIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: GoDescriptor[] | null;
  annotations?: Record<string, string>;
}

export function decodeIndex(doc: unknown): GoIndex {
  const f = fields(doc, ['schemaVersion', 'mediaType', 'manifests', 'annotations']);
  return {
    schemaVersion: typeof f.schemaVersion === 'number' ? f.schemaVersion : 0,
    mediaType: str(f.mediaType),
    manifests: descriptorList(f.manifests),
    ...(strMap(f.annotations) ? { annotations: strMap(f.annotations) } : {}),
  };
}

export function indexJSON(x: GoIndex): Obj {
  return {
    schemaVersion: x.schemaVersion,
    mediaType: x.mediaType || undefined,
    manifests: listJSON(x.manifests),
    annotations: sortedMap(x.annotations),
  };
}
