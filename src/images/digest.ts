// go-digest's validation, with its error texts (ctr prints them).

/** Hex length of each available algorithm's encoded part. */
const hexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export class DigestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigestError';
  }
}

/** digest.Digest.Validate: returns the error text, or undefined when valid. */
export function digestError(d: string): string | undefined {
  const i = d.indexOf(':');
  if (i <= 0 || i + 1 === d.length) return 'invalid checksum digest format';
  const alg = d.slice(0, i);
  const enc = d.slice(i + 1);
  const want = hexLength[alg];
  if (want === undefined) return digestRe.test(d) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  if (enc.length !== want) return 'invalid checksum digest length';
  return /^[a-f0-9]+$/.test(enc) ? undefined : 'invalid checksum digest format';
}

/** digest.Parse: the digest, or a DigestError. */
export function parseDigest(d: string): string {
  const err = digestError(d);
  if (err) throw new DigestError(err);
  return d;
}

export const digestAlgorithm = (d: string): string => d.slice(0, d.indexOf(':'));
export const digestHex = (d: string): string => d.slice(d.indexOf(':') + 1);
