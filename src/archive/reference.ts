// The reference rules of containerd's archive package: docker-save tags normalised
// ("busybox" → "docker.io/library/busybox:latest"), familiar tags for manifest.json,
// the OCI ref-name annotation (the tag part of a name), and the --base-name prefix
// rules of `ctr images import`. Parsing itself is src/registry/reference.ts.

import { familiarString, parseDockerRef, parseNormalizedNamed, parseRef, refString } from '../registry/reference.js';

/** archive.normalizeReference, with its error text. */
export function normalizeReference(ref: string): string {
  try {
    return refString(parseDockerRef(ref));
  } catch (e) {
    throw new Error(`normalize image ref ${JSON.stringify(ref)}: ${(e as Error).message}`);
  }
}

/** archive.familiarizeReference: "docker.io/library/busybox" → "busybox:latest". */
export function familiarizeReference(ref: string): string {
  let r;
  try {
    r = parseNormalizedNamed(ref);
  } catch (e) {
    throw new Error(`failed to parse ${JSON.stringify(ref)}: ${(e as Error).message}`);
  }
  if (!r.tag && !r.digest) r = { ...r, tag: 'latest' };
  return familiarString(r);
}

/** archive.ociReferenceName: the object part of a containerd reference, else the name. */
export function ociReferenceName(name: string): string {
  try {
    return parseRef(name).object;
  } catch {
    return name;
  }
}

/** archive.refTranslator: tag-only refs get the image prefixed; full refs kept or (checked) dropped. */
export function refTranslator(image: string, checkPrefix: boolean): (ref: string) => string {
  return (ref) => {
    if (/[/:@]/.test(ref)) {
      if (checkPrefix && !isImagePrefix(ref, image)) return '';
      return ref;
    }
    return `${image}:${ref}`;
  };
}

function isImagePrefix(s: string, prefix: string): boolean {
  if (!s.startsWith(prefix)) return false;
  if (s.length > prefix.length) return '/:@'.includes(s[prefix.length]!);
  return true;
}
