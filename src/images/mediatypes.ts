// Media types and the classification helpers of containerd's images package.

export const MediaType = {
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  OCIManifest: 'application/vnd.oci.image.manifest.v1+json',
  OCIIndex: 'application/vnd.oci.image.index.v1+json',
  OCIConfig: 'application/vnd.oci.image.config.v1+json',
  OCILayer: 'application/vnd.oci.image.layer.v1.tar',
  OCILayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCILayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ContainerdCheckpoint: 'application/vnd.containerd.container.criu.checkpoint.criu.tar',
  ContainerdCheckpointConfig: 'application/vnd.containerd.container.checkpoint.config.v1+proto',
  /** Config type of old docker manifests, converted on pull (docker.LegacyConfigMediaType). */
  LegacyConfig: 'application/octet-stream',
} as const;

/** The OCI annotation naming a descriptor within an index (ocispec.AnnotationRefName). */
export const AnnotationRefName = 'org.opencontainers.image.ref.name';

function baseType(mt: string): string {
  return mt.split('+')[0]!;
}

export const isManifestType = (mt: string): boolean => mt === MediaType.DockerManifest || mt === MediaType.OCIManifest;
export const isIndexType = (mt: string): boolean => mt === MediaType.DockerManifestList || mt === MediaType.OCIIndex;
export const isConfigType = (mt: string): boolean => mt === MediaType.DockerConfig || mt === MediaType.OCIConfig;

export function isLayerType(mt: string): boolean {
  if (mt.startsWith('application/vnd.oci.image.layer.')) return true;
  const b = baseType(mt);
  return b === MediaType.DockerLayer || b === MediaType.DockerLayerGzip
    || b === MediaType.DockerLayerForeign || b === MediaType.DockerLayerForeignGzip;
}

export function isKnownConfig(mt: string): boolean {
  return isConfigType(mt) || mt === MediaType.ContainerdCheckpoint || mt === MediaType.ContainerdCheckpointConfig;
}

export function isNonDistributable(mt: string): boolean {
  return mt.startsWith('application/vnd.oci.image.layer.nondistributable.')
    || mt.startsWith('application/vnd.docker.image.rootfs.foreign.');
}

/** images.ChildGCLabels: the label key prefix a parent uses to keep a child alive. */
export function childGCLabel(mt: string): string {
  if (isKnownConfig(mt)) return 'containerd.io/gc.ref.content.config';
  if (isManifestType(mt)) return 'containerd.io/gc.ref.content.m.';
  if (isLayerType(mt)) return 'containerd.io/gc.ref.content.l.';
  return 'containerd.io/gc.ref.content.';
}

/**
 * images.SetChildrenMappedLabels' labels: one GC reference per child, numbered per kind
 * (the config alone keeps a bare key), with their field paths for the update mask.
 */
export function childrenGCLabels(children: ReadonlyArray<{ mediaType: string; digest: string }>): { labels: Record<string, string>; fields: string[] } {
  const labels: Record<string, string> = {};
  const fields: string[] = [];
  const counts = new Map<string, number>();
  for (const ch of children) {
    let key = childGCLabel(ch.mediaType);
    const idx = counts.get(key) ?? 0;
    counts.set(key, idx + 1);
    if (idx > 0 || key.endsWith('.')) key = `${key}${idx}`;
    labels[key] = ch.digest;
    fields.push(`labels.${key}`);
  }
  return { labels, fields };
}
