// The part of Go's fmt.Sprintf that ctr's output relies on: flags "-+ 0#"
// (# only for floats), width, precision, and the verbs %s %v %d %f %F %e %E %g %G
// %x %X %c %%. Widths and string precision count code points, like Go's runes.
// Argument types: string, number (a Go float64 unless the verb is %d/%x/%c),
// bigint (a Go integer), boolean. %v prints a number as a float64 would print
// (1e+06 for 1000000), so pass bigint where Go has an integer and uses %v.

import { formatFloat, type FloatFormat } from './strconv.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, spec: Spec, zeroOk = spec.zero): string {
  if (spec.width === undefined) return s;
  const n = spec.width - runeLength(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  return (zeroOk ? '0' : ' ').repeat(n) + s;
}

function truncateRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  let out = '';
  let n = 0;
  for (const r of s) {
    if (n++ >= prec) break;
    out += r;
  }
  return out;
}

function fmtFloatVerb(v: number, verb: string, spec: Spec): string {
  let fmt: FloatFormat;
  let prec: number;
  switch (verb) {
    case 'v':
      fmt = 'g';
      prec = -1;
      break;
    case 'g':
    case 'G':
      fmt = verb;
      prec = -1;
      break;
    case 'F':
      fmt = 'f';
      prec = 6;
      break;
    default:
      fmt = verb as FloatFormat;
      prec = 6;
  }
  if (spec.prec !== undefined) prec = spec.prec;
  let num = formatFloat(v, fmt, prec);
  let sign = '+';
  if (num[0] === '-' || num[0] === '+') {
    sign = num[0];
    num = num.slice(1);
  }
  if (spec.space && sign === '+' && !spec.plus) sign = ' ';
  if (num === 'Inf' || num === 'NaN') {
    // never zero padded; Inf always shows its sign, NaN only when asked for
    const showSign = num === 'Inf' || spec.space || spec.plus;
    return pad((showSign ? sign : '') + num, spec, false);
  }
  if (spec.sharp) num = sharpFloat(num, fmt, prec);
  if (spec.plus || sign !== '+') {
    if (spec.zero && !spec.minus && spec.width !== undefined && spec.width > num.length + 1) {
      return sign + '0'.repeat(spec.width - num.length - 1) + num;
    }
    return pad(sign + num, spec);
  }
  return pad(num, spec);
}

// '#': keep the decimal point and, for %g, trailing zeros up to the precision.
function sharpFloat(num: string, fmt: FloatFormat, prec: number): string {
  let digits = fmt === 'g' || fmt === 'G' ? (prec === -1 ? 6 : prec) : 0;
  let tail = '';
  const e = num.search(/[eE]/);
  if (e >= 0) {
    tail = num.slice(e);
    num = num.slice(0, e);
  }
  let sawNonzero = false;
  for (const c of num) {
    if (c === '.') continue;
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!num.includes('.')) {
    if (num === '0') digits--;
    num += '.';
  }
  if (digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

function fmtInteger(v: bigint, verb: string, spec: Spec): string {
  const neg = v < 0n;
  // precision is a minimum digit count; without it, the zero flag pads the
  // digits (not the sign or a 0x prefix) up to the width
  let minDigits = 0;
  if (spec.prec !== undefined) {
    minDigits = spec.prec;
    if (minDigits === 0 && v === 0n) return ' '.repeat(spec.width ?? 0);
  } else if (spec.zero && spec.width !== undefined) {
    minDigits = spec.width;
    if (neg || spec.plus || spec.space) minDigits--;
  }
  let digits = (neg ? -v : v).toString(verb === 'x' || verb === 'X' ? 16 : 10);
  if (verb === 'X') digits = digits.toUpperCase();
  if (digits.length < minDigits) digits = '0'.repeat(minDigits - digits.length) + digits;
  if (spec.sharp && (verb === 'x' || verb === 'X')) digits = (verb === 'x' ? '0x' : '0X') + digits;
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec, false);
}

function toInteger(a: unknown): bigint {
  if (typeof a === 'bigint') return a;
  if (typeof a === 'number' && Number.isInteger(a)) return BigInt(a);
  throw new TypeError(`sprintf: ${String(a)} is not an integer`);
}

function fmtArg(a: unknown, verb: string, spec: Spec): string {
  switch (verb) {
    case 'd':
      return fmtInteger(toInteger(a), verb, spec);
    case 'x':
    case 'X':
      if (typeof a === 'string') {
        let hex = Buffer.from(a, 'utf8').toString('hex');
        if (verb === 'X') hex = hex.toUpperCase();
        return pad(hex, spec);
      }
      return fmtInteger(toInteger(a), verb, spec);
    case 'c':
      return pad(String.fromCodePoint(Number(toInteger(a))), spec);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      return fmtFloatVerb(typeof a === 'bigint' ? Number(a) : (a as number), verb, spec);
    case 's':
    case 'v':
      if (typeof a === 'number') {
        if (verb === 'v') return fmtFloatVerb(a, 'v', spec);
        throw new TypeError('sprintf: %s of a number');
      }
      if (typeof a === 'bigint') return fmtInteger(a, 'd', spec);
      return pad(truncateRunes(String(a), spec.prec), spec);
    default:
      throw new TypeError(`sprintf: unsupported verb %${verb}`);
  }
}

/** fmt.Sprintf for the verbs listed above; a missing argument throws. */
export function sprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = {
      minus: false,
      plus: false,
      space: false,
      zero: false,
      sharp: false,
      width: undefined,
      prec: undefined,
    };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') {
        spec.minus = true;
        spec.zero = false; // Go never pads with zeros on the right
      } else if (c === '+') spec.plus = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === '#') spec.sharp = true;
      else break;
    }
    let w = '';
    while (i < format.length && format[i] >= '0' && format[i] <= '9') w += format[i++];
    if (w !== '') spec.width = Number(w);
    if (format[i] === '.') {
      i++;
      let p = '';
      while (i < format.length && format[i] >= '0' && format[i] <= '9') p += format[i++];
      spec.prec = Number(p || '0');
    }
    const verb = format[i++];
    if (verb === undefined) throw new TypeError('sprintf: format ends inside a verb');
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) throw new TypeError(`sprintf: missing argument for %${verb}`);
    out += fmtArg(args[argi++], verb, spec);
  }
  return out;
}
