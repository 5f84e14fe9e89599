// Go durations: time.Duration.String, time.ParseDuration and go-units
// HumanDuration. Durations are int64 nanoseconds; pass a bigint for exactness
// beyond 2^53 ns (about 104 days), a number otherwise.

const NS_PER_SEC = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;

function toNs(d: number | bigint): bigint {
  return typeof d === 'bigint' ? d : BigInt(Math.trunc(d));
}

/** Digits of v / 10^prec after the point, trailing zeros dropped; "" if none. */
function fraction(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) digits = digit.toString() + digits;
    v /= 10n;
  }
  return [print ? '.' + digits : '', v];
}

/** time.Duration(ns).String(): "0s", "1.5µs", "3.273438ms", "1m2.5s", "2h0m0s". */
export function formatDuration(ns: number | bigint): string {
  const d = toNs(ns);
  const neg = d < 0n;
  // like Go's uint64 negation, this also handles MinInt64
  let u = neg ? -d : d;
  let s: string;
  if (u < NS_PER_SEC) {
    if (u === 0n) return '0s';
    let unit: string;
    let prec: number;
    if (u < 1000n) {
      unit = 'ns';
      prec = 0;
    } else if (u < 1_000_000n) {
      unit = '\u00b5s'; // micro sign, as Go writes it
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const [frac, whole] = fraction(u, prec);
    s = whole.toString() + frac + unit;
  } else {
    const [frac, secs] = fraction(u, 9);
    u = secs;
    s = (u % 60n).toString() + frac + 's';
    u /= 60n;
    if (u > 0n) {
      s = (u % 60n).toString() + 'm' + s;
      u /= 60n;
      if (u > 0n) s = u.toString() + 'h' + s;
    }
  }
  return neg ? '-' + s : s;
}

/** The error time.ParseDuration returns; message is Go's text. */
export class DurationParseError extends Error {
  override name = 'DurationParseError';
}

// Go's time package quoting: non-ASCII and control characters become \x escapes
// of their UTF-8 bytes.
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  '\u00b5s': 1000n, // micro sign
  '\u03bcs': 1000n, // Greek mu
  ms: 1_000_000n,
  s: NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  h: 3600n * NS_PER_SEC,
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** time.ParseDuration: nanoseconds as a bigint; throws DurationParseError with Go's message. */
export function parseDuration(input: string): bigint {
  const invalid = () => new DurationParseError('time: invalid duration ' + quote(input));
  let s = input;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  const limit = 1n << 63n;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    // integer part; more than 2^63 is an error
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > limit / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > limit) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // fraction: digits past what fits are ignored
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > limit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) throw new DurationParseError('time: missing unit in duration ' + quote(input));
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) {
      throw new DurationParseError('time: unknown unit ' + quote(u) + ' in duration ' + quote(input));
    }
    if (v > limit / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // float64, as Go computes it, so that results match to the nanosecond
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > limit) throw invalid();
    }
    total += v;
    if (total > limit) throw invalid();
  }
  if (neg) return -total;
  if (total > MAX_INT64) throw invalid();
  return total;
}

/** Go's Duration.Seconds(), Minutes(), Hours(): whole part plus the float remainder. */
function inUnits(d: bigint, unit: bigint): number {
  return Number(d / unit) + Number(d % unit) / Number(unit);
}

/** go-units HumanDuration: "Less than a second", "About a minute", "3 days"… */
export function humanDuration(ns: number | bigint): string {
  const d = toNs(ns);
  const seconds = Math.trunc(inUnits(d, NS_PER_SEC));
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(inUnits(d, 60n * NS_PER_SEC));
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hoursF = inUnits(d, 3600n * NS_PER_SEC);
  const hours = Math.trunc(hoursF + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(hoursF) / 24 / 365)} years`;
}

/** parseDuration as a number of nanoseconds, or the error instead of throwing it. */
export function parseGoDuration(input: string): number | DurationParseError {
  try {
    return Number(parseDuration(input));
  } catch (e) {
    if (e instanceof DurationParseError) return e;
    throw e;
  }
}
