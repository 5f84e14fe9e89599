// Random parts of names (temp directories, lease ids): unique enough, not secret. Go
// takes them from a fast non-cryptographic source too; node:crypto would cost `run` a
// few ms of start-up just to load.

/** A uniform integer in [0, 2^32 - 1). */
export function randomUint32(): number {
  return Math.floor(Math.random() * (2 ** 32 - 1));
}

/** Go's "<nanoseconds of the current second>-<base64url of 3 random bytes>" (lease ids, view keys). */
export function nanosRandomPart(): string {
  const nanos = Number((process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n) % 1_000_000_000n);
  return `${nanos}-${randomBytes(3).toString('base64url')}`;
}

/** `n` random bytes. */
export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
}
