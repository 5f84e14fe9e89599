// Size texts as ctr prints them: containerd's progress.Bytes (base 1024,
// "%02.1f %s") and docker/go-units HumanSize/BytesSize ("%.4g%s").

import { sprintf } from './printf.js';

export const decimalAbbrs = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const;
export const binaryAbbrs = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] as const;

/** Divide by base while the value is at least base, up to the last unit (go-units getSizeAndUnit). */
function sizeAndUnit(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]];
}

/** go-units CustomSize: sprintf(format, scaled size, unit). */
export function customSize(format: string, size: number, base: number, units: readonly string[]): string {
  const [scaled, unit] = sizeAndUnit(size, base, units);
  return sprintf(format, scaled, unit);
}

/** go-units HumanSizeWithPrecision: "%.*g%s", base 1000. */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [scaled, unit] = sizeAndUnit(size, 1000, decimalAbbrs);
  return sprintf(`%.${precision}g%s`, scaled, unit);
}

/** go-units HumanSize: "213B", "1.028MB" (content ls SIZE). */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** go-units BytesSize: "%.4g%s", base 1024 ("44KiB"). */
export function bytesSize(size: number): string {
  return customSize('%.4g%s', size, 1024, binaryAbbrs);
}

/** containerd progress.Bytes(n).String(): "422.0 B", "1005.0 KiB". n is an int64. */
export function formatBytes(n: number | bigint): string {
  return customSize('%02.1f %s', Number(n), 1024, binaryAbbrs);
}

/** containerd progress.BytesPerSecond(n).String(): formatBytes(n) + "/s". */
export function formatBytesPerSecond(n: number | bigint): string {
  return formatBytes(n) + '/s';
}

const MIN_INT64 = -9223372036854775808;

/**
 * progress.NewBytesPerSecond(n, d): int64(float64(n) / d.Seconds()), with d in
 * nanoseconds. A zero duration gives what amd64 makes of an infinite conversion.
 */
export function newBytesPerSecond(n: number | bigint, durationNs: number | bigint): number {
  const d = BigInt(durationNs);
  const seconds = Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9;
  const rate = Number(n) / seconds;
  // amd64's float-to-int64 conversion yields MinInt64 for NaN and out-of-range values
  if (!Number.isFinite(rate) || rate >= 2 ** 63 || rate < -(2 ** 63)) return MIN_INT64;
  return Math.trunc(rate);
}
