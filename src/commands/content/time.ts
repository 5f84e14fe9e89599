// time.Since for protobuf timestamps, in nanoseconds.

export function sinceNs(t: { seconds: number | bigint; nanos: number } | undefined): bigint {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  if (!t) return nowNs;
  return nowNs - (BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos));
}
