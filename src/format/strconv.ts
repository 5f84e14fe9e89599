// Go's strconv.FormatFloat for float64, reproduced exactly. JavaScript's
// toFixed/toPrecision round exact ties away from zero while Go rounds them to
// even (1.25 -> "1.2" with one decimal), so fixed-precision digits come from the
// exact binary value instead.

/** Decimal digits of |x|: value = 0.digits × 10^dp, no leading or trailing zeros. */
interface Digits {
  d: string;
  dp: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// index of the high word depends on the platform's byte order
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function trimZeros(d: string, dp: number): Digits {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 48) end--;
  let start = 0;
  while (start < end && d.charCodeAt(start) === 48) start++;
  if (start === end) return { d: '', dp: 0 };
  return { d: d.slice(start, end), dp: dp - start };
}

/** Every decimal digit of the exact binary value of a finite |x|. */
function exactDigits(x: number): Digits {
  f64[0] = x;
  const hi = u32[HI];
  const lo = u32[1 - HI];
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) {
    e2 = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  if (mant === 0n) return { d: '', dp: 0 };
  if (e2 >= 0) {
    const s = (mant << BigInt(e2)).toString();
    return trimZeros(s, s.length);
  }
  // m / 2^k == m·5^k / 10^k, an exact decimal with k fraction digits
  const s = (mant * 5n ** BigInt(-e2)).toString();
  return trimZeros(s, s.length + e2);
}

/** Shortest digits that read back as x (Go and JavaScript agree on these). */
function shortestDigits(x: number): Digits {
  const s = Math.abs(x).toExponential();
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace('.', '');
  return trimZeros(mant, Number(s.slice(e + 1)) + 1);
}

/** Keep nd significant digits, rounding exact halves to even. */
function roundDigits(g: Digits, nd: number): Digits {
  if (nd < 0 || nd >= g.d.length) return g;
  const next = g.d.charCodeAt(nd);
  let up: boolean;
  if (next === 53 /* '5' */ && nd + 1 === g.d.length) {
    up = nd > 0 && (g.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 53;
  }
  if (!up) return trimZeros(g.d.slice(0, nd), g.dp);
  let i = nd - 1;
  while (i >= 0 && g.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: g.dp + 1 };
  return trimZeros(g.d.slice(0, i) + String.fromCharCode(g.d.charCodeAt(i) + 1), g.dp);
}

function fmtE(g: Digits, prec: number, e: string): string {
  let s = g.d.length === 0 ? '0' : g.d[0];
  if (prec > 0) {
    s += '.';
    const frac = g.d.slice(1, 1 + prec);
    s += frac + '0'.repeat(prec - frac.length);
  }
  const exp = g.d.length === 0 ? 0 : g.dp - 1;
  const ae = Math.abs(exp);
  return s + e + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' : '') + ae;
}

function fmtF(g: Digits, prec: number): string {
  let s: string;
  if (g.dp > 0) {
    const int = g.d.slice(0, g.dp);
    s = int + '0'.repeat(g.dp - int.length);
  } else {
    s = '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = g.dp + i - 1;
      s += j >= 0 && j < g.d.length ? g.d[j] : '0';
    }
  }
  return s;
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G';

/**
 * strconv.FormatFloat(x, fmt, prec, 64): prec -1 means the shortest
 * representation that reads back as x.
 */
export function formatFloat(x: number, fmt: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let g: Digits;
  if (shortest) {
    g = x === 0 ? { d: '', dp: 0 } : shortestDigits(x);
    // the digits decide the precision
    if (fmt === 'e' || fmt === 'E') prec = Math.max(g.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(g.d.length - g.dp, 0);
    else prec = g.d.length;
  } else {
    const exact = exactDigits(x);
    if (fmt === 'f') {
      g = roundDigits(exact, exact.dp + prec);
    } else {
      if ((fmt === 'g' || fmt === 'G') && prec === 0) prec = 1;
      g = roundDigits(exact, fmt === 'e' || fmt === 'E' ? prec + 1 : prec);
    }
  }
  const sign = neg ? '-' : '';
  switch (fmt) {
    case 'e':
    case 'E':
      return sign + fmtE(g, prec, fmt);
    case 'f':
      return sign + fmtF(g, prec);
    default: {
      let eprec = prec;
      if (eprec > g.d.length && g.d.length >= g.dp) eprec = g.d.length;
      // %e is chosen for small or large exponents; shortest output decides with 6
      if (shortest) eprec = 6;
      const exp = g.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > g.d.length) prec = g.d.length;
        return sign + fmtE(g, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > g.dp) prec = g.d.length;
      return sign + fmtF(g, Math.max(prec - g.dp, 0));
    }
  }
}
