// Go's encoding/json output layout: json.Marshal and json.MarshalIndent.
// Value model (the caller decides what Go would have had):
// - plain object: a Go struct, keys in insertion order; undefined members are left out
//   (use that for omitempty)
// - Map: a Go map, keys sorted like Go sorts them (byte order of UTF-8)
// - array: a slice; null: a nil slice, map or pointer
// - Uint8Array: []byte, as standard base64
// - number: float64 (integers print without exponent below 1e21); bigint: int64/uint64
// - Date: a time.Time in UTC; RawJSON: pre-encoded JSON (json.RawMessage)

import { formatFloat } from './strconv.js';

/** JSON text inserted as is (after compaction and HTML escaping, as Go does). */
export class RawJSON {
  constructor(readonly text: string) {}
}

const HEX = '0123456789abcdef';

/** Go's encodeState.string with HTML escaping on (the Marshal default). */
export function quoteString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair is written as is
        continue;
      }
      esc = '\\ufffd'; // what Go writes for invalid UTF-8
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

function formatNumber(f: number): string {
  // Integers below 1e21 print as their digits in both languages (-0 aside); the common
  // case in specs (ids, modes, device numbers), without the float formatter.
  if (Number.isSafeInteger(f) && !Object.is(f, -0)) return String(f);
  if (!Number.isFinite(f)) throw new Error('json: unsupported value: ' + formatFloat(f, 'g', -1));
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go shortens a two-digit negative exponent: 1e-07 becomes 1e-7
    return formatFloat(f, 'e', -1).replace(/e-0(\d)$/, 'e-$1');
  }
  return formatFloat(f, 'f', -1);
}

// Go compares map keys as byte strings; for UTF-8 that is code point order.
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Remove insignificant whitespace and escape <, >, &, U+2028, U+2029 (Go's compact). */
function compact(src: string): string {
  JSON.parse(src); // Go rejects invalid RawMessage contents too
  let out = '';
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (inString) {
      if (ch === '\\') {
        out += ch + src[++i];
        continue;
      }
      if (ch === '"') inString = false;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      continue;
    } else if (ch === '"') {
      inString = true;
    }
    if (ch === '<' || ch === '>' || ch === '&') out += '\\u00' + HEX[ch.charCodeAt(0) >> 4] + HEX[ch.charCodeAt(0) & 0xf];
    else if (ch === '\u2028' || ch === '\u2029') out += ch === '\u2028' ? '\\u2028' : '\\u2029';
    else out += ch;
  }
  return out;
}

/** Appends json.Marshal's text for a value of the model above to `out`. */
export function encode(v: unknown, out: string[]): void {
  if (v === null || v === undefined) {
    out.push('null');
  } else if (typeof v === 'string') {
    out.push(quoteString(v));
  } else if (typeof v === 'number') {
    out.push(formatNumber(v));
  } else if (typeof v === 'bigint') {
    out.push(v.toString());
  } else if (typeof v === 'boolean') {
    out.push(v ? 'true' : 'false');
  } else if (v instanceof RawJSON) {
    out.push(compact(v.text));
  } else if (v instanceof Uint8Array) {
    out.push('"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"');
  } else if (v instanceof Date) {
    out.push(quoteString(dateRFC3339NanoUTC(v)));
  } else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((e, i) => {
      if (i > 0) out.push(',');
      encode(e, out);
    });
    out.push(']');
  } else if (v instanceof Map) {
    const entries = [...v.entries()].map(([k, e]) => [String(k), e] as [string, unknown]);
    entries.sort((a, b) => compareCodePoints(a[0], b[0]));
    encodeMembers(entries, out);
  } else if (typeof v === 'object') {
    encodeMembers(
      Object.entries(v as Record<string, unknown>).filter(([, e]) => e !== undefined),
      out,
    );
  } else {
    throw new Error(`json: unsupported type: ${typeof v}`);
  }
}

function encodeMembers(entries: [string, unknown][], out: string[]): void {
  out.push('{');
  entries.forEach(([k, e], i) => {
    if (i > 0) out.push(',');
    out.push(quoteString(k), ':');
    encode(e, out);
  });
  out.push('}');
}

// time.Time's MarshalJSON for a UTC time with millisecond precision
function dateRFC3339NanoUTC(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const ms = iso.slice(20, 23).replace(/0+$/, '');
  return iso.slice(0, 19) + (ms ? '.' + ms : '') + 'Z';
}

/** json.Marshal(v) as text. */
export function marshal(v: unknown): string {
  const out: string[] = [];
  encode(v, out);
  return out.join('');
}

/** json.Indent applied to compact JSON (as produced by marshal). */
export function indent(src: string, prefix: string, indentStr: string): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  let inString = false;
  const newline = () => '\n' + prefix + indentStr.repeat(depth);
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      out += c;
      if (c === '\\') out += src[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== '}' && c !== ']') {
      // an opening bracket's newline waits until we know it is not empty
      needIndent = false;
      depth++;
      out += newline();
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        needIndent = true;
        out += c;
        break;
      case ',':
        out += c + newline();
        break;
      case ':':
        out += ': ';
        break;
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false;
        } else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** json.MarshalIndent(v, prefix, indent) as text. */
export function marshalIndent(v: unknown, prefix: string, indentStr: string): string {
  return indent(marshal(v), prefix, indentStr);
}
