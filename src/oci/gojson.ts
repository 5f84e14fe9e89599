// Go's encoding/json applied to Go struct types described at run time. The runtime
// spec travels as JSON that Go code writes (json.Marshal of the struct: field order,
// omitempty) and reads (json.Unmarshal: unknown keys dropped, keys matched without
// regard to case, Go's error texts). A GoType describes one Go type; `toGoJSON` turns a
// value into the value model of src/format/json.ts, `decodeGoJSON` parses text into it.

import { compareCodePoints, encode, quoteString } from '../format/json.js';

export type GoType =
  | { kind: 'string'; name?: string }
  | { kind: 'bool' }
  | { kind: 'int'; name: string; bits: 8 | 16 | 32 | 64; unsigned: boolean }
  | { kind: 'float64' }
  | { kind: 'ptr'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'map'; elem: GoType }
  | { kind: 'struct'; name: string; fields: GoField[] }
  | { kind: 'interface' };

export interface GoField {
  /** The JSON key (the Go field's json tag name). */
  key: string;
  type: GoType;
  omitempty?: boolean;
}

export const goString: GoType = { kind: 'string' };
export const goBool: GoType = { kind: 'bool' };
export const goInt = (name: string, bits: 8 | 16 | 32 | 64, unsigned: boolean): GoType => ({ kind: 'int', name, bits, unsigned });
export const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem });
export const slice = (elem: GoType): GoType => ({ kind: 'slice', elem });
export const map = (elem: GoType): GoType => ({ kind: 'map', elem });
export const struct = (name: string, fields: GoField[]): GoType & { kind: 'struct' } => ({ kind: 'struct', name, fields });
export const named = (name: string): GoType => ({ kind: 'string', name });

/** Go's reflect.Type.String() for the types json errors name. */
export function typeName(t: GoType): string {
  switch (t.kind) {
    case 'string': return t.name ?? 'string';
    case 'bool': return 'bool';
    case 'int': return t.name;
    case 'float64': return 'float64';
    case 'ptr': return `*${typeName(t.elem)}`;
    case 'slice': return `[]${typeName(t.elem)}`;
    case 'map': return `map[string]${typeName(t.elem)}`;
    case 'struct': return t.name;
    case 'interface': return 'interface {}';
  }
}

// ---------------------------------------------------------------------------------
// Encoding: Go value → json.ts value model

function isEmpty(t: GoType, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (t.kind) {
    case 'string': return v === '';
    case 'bool': return v === false;
    case 'int':
    case 'float64': return v === 0 || v === 0n;
    case 'slice': return (v as unknown[]).length === 0;
    case 'map': return Object.keys(v as object).length === 0;
    case 'struct': return false;
    default: return false;
  }
}

/** The json.ts value for `v` of Go type `t` (undefined props are Go zero values). */
export function toGoJSON(t: GoType, v: unknown): unknown {
  switch (t.kind) {
    case 'string': return v ?? '';
    case 'bool': return v ?? false;
    case 'int': return v ?? 0;
    case 'float64': return v ?? 0;
    case 'ptr': return v === undefined || v === null ? null : toGoJSON(t.elem, v);
    case 'slice': return v === undefined || v === null ? null : (v as unknown[]).map((e) => toGoJSON(t.elem, e));
    case 'map': {
      if (v === undefined || v === null) return null;
      const out = new Map<string, unknown>();
      for (const [k, e] of Object.entries(v as Record<string, unknown>)) out.set(k, toGoJSON(t.elem, e));
      return out;
    }
    case 'struct': {
      const src = (v ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const fv = src[f.key];
        if (f.omitempty && isEmpty(f.type, fv)) continue;
        out[f.key] = toGoJSON(f.type, fv);
      }
      return out;
    }
    case 'interface': return v === undefined ? null : v;
  }
}

/**
 * json.Marshal of `v` as Go type `t`: the text of marshal(toGoJSON(t, v)), written in one
 * pass without the intermediate values (run marshals the runtime spec on its way to
 * Containers.Create: ~2 ms cold the other way, for a 2 KB spec).
 */
export function marshalGo(t: GoType, v: unknown): string {
  const out: string[] = [];
  writeGo(t, v, out);
  return out.join('');
}

function writeGo(t: GoType, v: unknown, out: string[]): void {
  switch (t.kind) {
    case 'string': return encode(v ?? '', out);
    case 'bool': return encode(v ?? false, out);
    case 'int':
    case 'float64': return encode(v ?? 0, out);
    case 'interface': return encode(v === undefined ? null : v, out);
    case 'ptr':
      if (v === undefined || v === null) out.push('null');
      else writeGo(t.elem, v, out);
      return;
    case 'slice': {
      if (v === undefined || v === null) {
        out.push('null');
        return;
      }
      const items = v as unknown[];
      out.push('[');
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.push(',');
        writeGo(t.elem, items[i], out);
      }
      out.push(']');
      return;
    }
    case 'map': {
      if (v === undefined || v === null) {
        out.push('null');
        return;
      }
      const m = v as Record<string, unknown>;
      const keys = Object.keys(m).sort(compareCodePoints);
      out.push('{');
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out.push(',');
        out.push(quoteString(keys[i]!), ':');
        writeGo(t.elem, m[keys[i]!], out);
      }
      out.push('}');
      return;
    }
    case 'struct': {
      const src = (v ?? {}) as Record<string, unknown>;
      let first = true;
      out.push('{');
      for (const f of t.fields) {
        const fv = src[f.key];
        if (f.omitempty && isEmpty(f.type, fv)) continue;
        if (!first) out.push(',');
        first = false;
        out.push(quoteString(f.key), ':');
        writeGo(f.type, fv, out);
      }
      out.push('}');
      return;
    }
  }
}

// ---------------------------------------------------------------------------------
// Parsing: Go's scanner, with its error texts

export class GoJSONError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoJSONError';
  }
}

type Node =
  | { t: 'object'; members: Array<[string, Node]> }
  | { t: 'array'; items: Node[] }
  | { t: 'string'; v: string }
  | { t: 'number'; raw: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

/** Go's quoteChar: how the scanner names an offending byte. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.codePointAt(0)!;
  if (c === '\n') return "'\\n'";
  if (c === '\r') return "'\\r'";
  if (c === '\t') return "'\\t'";
  if (c === '\\') return "'\\\\'";
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  if (code === 0xfffd) return "'\\ufffd'";
  return `'${c}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new GoJSONError('unexpected end of JSON input');
    const c = String.fromCodePoint(this.s.codePointAt(this.i)!);
    throw new GoJSONError(`invalid character ${quoteChar(c)} ${context}`);
  }

  private ws(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else break;
    }
  }

  parseDocument(): Node {
    this.ws();
    const n = this.value('looking for beginning of value');
    this.ws();
    if (this.i < this.s.length) this.fail('after top-level value');
    return n;
  }

  private value(context: string): Node {
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.object();
      case '[': return this.array();
      case '"': return { t: 'string', v: this.string() };
      case 't': this.literal('true'); return { t: 'bool', v: true };
      case 'f': this.literal('false'); return { t: 'bool', v: false };
      case 'n': this.literal('null'); return { t: 'null' };
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(context);
    }
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
      this.i++;
    }
  }

  private number(): Node {
    const start = this.i;
    const digit = () => this.s[this.i] !== undefined && this.s[this.i]! >= '0' && this.s[this.i]! <= '9';
    if (this.s[this.i] === '-') {
      this.i++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (this.s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (this.s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return { t: 'number', raw: this.s.slice(start, this.i) };
  }

  private string(): string {
    this.i++; // opening quote
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('in string literal');
      const c = this.s[this.i]!;
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) this.fail('in string literal');
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      this.i++;
      const e = this.s[this.i];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.i++;
      } else if (e === 'u') {
        this.i++;
        const hex = () => {
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(this.s[this.i + k] ?? '')) {
              this.i += k;
              this.fail('in \\u hexadecimal character escape');
            }
          }
          const v = parseInt(this.s.slice(this.i, this.i + 4), 16);
          this.i += 4;
          return v;
        };
        const u = hex();
        if (u >= 0xd800 && u < 0xdc00 && this.s[this.i] === '\\' && this.s[this.i + 1] === 'u') {
          const save = this.i;
          this.i += 2;
          const lo = hex();
          if (lo >= 0xdc00 && lo < 0xe000) {
            out += String.fromCharCode(u, lo);
            continue;
          }
          this.i = save;
        }
        // A lone surrogate decodes to U+FFFD, as in Go.
        out += u >= 0xd800 && u < 0xe000 ? '\ufffd' : String.fromCharCode(u);
      } else {
        this.fail('in string escape code');
      }
    }
  }

  private object(): Node {
    this.i++;
    const members: Array<[string, Node]> = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return { t: 'object', members };
    }
    for (;;) {
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      this.ws();
      members.push([key, this.value('looking for beginning of value')]);
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        this.ws();
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return { t: 'object', members };
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): Node {
    this.i++;
    const items: Node[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return { t: 'array', items };
    }
    for (;;) {
      items.push(this.value('looking for beginning of value'));
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        this.ws();
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return { t: 'array', items };
      }
      this.fail('after array element');
    }
  }
}

// ---------------------------------------------------------------------------------
// Decoding: json.Unmarshal into a Go type

interface Ctx {
  /** The innermost struct type and the JSON keys from the top, for Go's error text. */
  struct?: string;
  fields: string[];
  /** The first type error; Go keeps decoding and reports it at the end. */
  err?: GoJSONError;
}

const nodeKind = (n: Node): string => (n.t === 'bool' ? 'bool' : n.t);

function typeError(ctx: Ctx, value: string, t: GoType): void {
  if (ctx.err) return;
  const where = ctx.struct !== undefined && ctx.fields.length > 0
    ? `Go struct field ${ctx.struct}.${ctx.fields.join('.')}`
    : 'Go value';
  ctx.err = new GoJSONError(`json: cannot unmarshal ${value} into ${where} of type ${typeName(t)}`);
}

function parseInteger(raw: string, t: GoType & { kind: 'int' }): number | bigint | undefined {
  if (!/^-?\d+$/.test(raw)) return undefined;
  const v = BigInt(raw);
  const max = t.unsigned ? (1n << BigInt(t.bits)) - 1n : (1n << BigInt(t.bits - 1)) - 1n;
  const min = t.unsigned ? 0n : -(1n << BigInt(t.bits - 1));
  if (v > max || v < min) return undefined;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function decodeAny(n: Node): unknown {
  switch (n.t) {
    case 'object': {
      const m = new Map<string, unknown>();
      for (const [k, v] of n.members) m.set(k, decodeAny(v));
      return m;
    }
    case 'array': return n.items.map(decodeAny);
    case 'string': return n.v;
    case 'number': return Number(n.raw);
    case 'bool': return n.v;
    case 'null': return null;
  }
}

const foldEq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Decodes `n` into a value of type `t`, starting from `cur` (Go decodes into existing values). */
function decode(t: GoType, n: Node, cur: unknown, ctx: Ctx): unknown {
  if (n.t === 'null') {
    // null zeroes pointers, slices, maps and interfaces and leaves the rest alone.
    return t.kind === 'ptr' || t.kind === 'slice' || t.kind === 'map' || t.kind === 'interface' ? undefined : cur;
  }
  switch (t.kind) {
    case 'ptr':
      return decode(t.elem, n, cur, ctx);
    case 'interface':
      return decodeAny(n);
    case 'string':
      if (n.t === 'string') return n.v;
      typeError(ctx, nodeKind(n), t);
      return cur;
    case 'bool':
      if (n.t === 'bool') return n.v;
      typeError(ctx, nodeKind(n), t);
      return cur;
    case 'int': {
      if (n.t !== 'number') {
        typeError(ctx, nodeKind(n), t);
        return cur;
      }
      const v = parseInteger(n.raw, t);
      if (v === undefined) {
        typeError(ctx, `number ${n.raw}`, t);
        return cur;
      }
      return v;
    }
    case 'float64': {
      if (n.t !== 'number') {
        typeError(ctx, nodeKind(n), t);
        return cur;
      }
      const f = Number(n.raw);
      if (!Number.isFinite(f)) {
        typeError(ctx, `number ${n.raw}`, t);
        return cur;
      }
      return f;
    }
    case 'slice': {
      if (n.t !== 'array') {
        typeError(ctx, nodeKind(n), t);
        return cur;
      }
      const prev = (cur as unknown[] | undefined) ?? [];
      return n.items.map((item, i) => decode(t.elem, item, prev[i], ctx));
    }
    case 'map': {
      if (n.t !== 'object') {
        typeError(ctx, nodeKind(n), t);
        return cur;
      }
      const out: Record<string, unknown> = { ...((cur as Record<string, unknown> | undefined) ?? {}) };
      for (const [k, v] of n.members) out[k] = decode(t.elem, v, undefined, ctx);
      return out;
    }
    case 'struct': {
      if (n.t !== 'object') {
        typeError(ctx, nodeKind(n), t);
        return cur;
      }
      const out: Record<string, unknown> = { ...((cur as Record<string, unknown> | undefined) ?? {}) };
      for (const [k, v] of n.members) {
        const f = t.fields.find((ff) => ff.key === k) ?? t.fields.find((ff) => foldEq(ff.key, k));
        if (!f) continue;
        const saved = { struct: ctx.struct, fields: ctx.fields };
        ctx.struct = t.name.replace(/^.*\./, '');
        ctx.fields = [...ctx.fields, f.key];
        const dv = decode(f.type, v, out[f.key], ctx);
        ctx.struct = saved.struct;
        ctx.fields = saved.fields;
        if (dv === undefined) delete out[f.key];
        else out[f.key] = dv;
      }
      return out;
    }
  }
}

/** json.Unmarshal(text, &v) for v of type `t`; throws GoJSONError with Go's message. */
export function decodeGoJSON<T>(t: GoType, text: string | Uint8Array): T {
  const s = typeof text === 'string' ? text : new TextDecoder().decode(text);
  const node = new Parser(s).parseDocument();
  const ctx: Ctx = { fields: [] };
  const v = decode(t, node, undefined, ctx);
  if (ctx.err) throw ctx.err;
  return v as T;
}
