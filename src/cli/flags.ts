// Flag parsing with the semantics ctr gets from urfave/cli v1 on top of Go's `flag`
// package: known flags that follow positional arguments are moved in front of them
// (unless a verb opts out), parsing stops at the first non-flag or at "--", and the
// error texts are Go's, because ctr prints them verbatim.

import { parseGoDuration } from '../format/duration.js';
import { goQuote } from '../format/quote.js';

export { goQuote };

export type FlagKind = 'bool' | 'boolT' | 'string' | 'stringSlice' | 'int' | 'uint' | 'int64' | 'uint64' | 'float64' | 'duration';

export interface FlagSpec {
  /** urfave style name list: "quiet, q" — the first is the canonical key. */
  name: string;
  kind: FlagKind;
  usage: string;
  /** Default value (as urfave's Value field); string form for display is derived. */
  value?: string | number | boolean | string[];
  /** Environment variable(s) that override the default, comma separated as in urfave. */
  envVar?: string;
  hidden?: boolean;
  /** Fixed set of values, used by shell completion. */
  choices?: readonly string[];
  /** urfave's Required: the verb's help and `Required flag "x" not set` when absent. */
  required?: boolean;
}

/** Parsed flag values keyed by canonical name; durations in nanoseconds. */
/** Parsed flag values; 64-bit integers beyond 2^53 come as bigints to keep every digit. */
export type FlagValues = Record<string, string | number | bigint | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: FlagValues;
  /** Canonical names of flags set on the command line. */
  set: Set<string>;
  args: string[];
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** urfave's checkRequiredFlags failure: shown after the verb's help, without "Incorrect Usage". */
export class RequiredFlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequiredFlagError';
  }
}

const namesOf = new WeakMap<FlagSpec, readonly string[]>();
/** A flag's names, split once per spec (a verb's parse asks for each several times). */
export function flagNames(f: FlagSpec): readonly string[] {
  let names = namesOf.get(f);
  if (!names) {
    names = f.name.split(',').map((s) => s.trim()).filter(Boolean);
    namesOf.set(f, names);
  }
  return names;
}
export const flagKey = (f: FlagSpec): string => flagNames(f)[0]!;

const isBool = (k: FlagKind) => k === 'bool' || k === 'boolT';

/** Go's strconv.ParseBool. */
function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.ParseInt(s, 0, bits) / ParseUint: returns the number or the error word flag prints. */
function parseGoInt(s: string, signed: boolean, bits: number): number | bigint | 'parse error' | 'value out of range' {
  let body = s;
  let neg = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    if (!signed) return 'parse error';
    neg = body[0] === '-';
    body = body.slice(1);
  }
  let base = 10;
  if (/^0[xX]/.test(body)) { base = 16; body = body.slice(2); }
  else if (/^0[bB]/.test(body)) { base = 2; body = body.slice(2); }
  else if (/^0[oO]/.test(body)) { base = 8; body = body.slice(2); }
  else if (/^0[0-9_]/.test(body)) { base = 8; body = body.slice(1); }
  // Underscores are only legal with a base prefix, between digits.
  if (body.includes('_')) {
    if (base === 10 && !/^0/.test(s.replace(/^[+-]/, ''))) return 'parse error';
    if (!/^[^_](?:_?[^_])*$/.test(body)) return 'parse error';
    body = body.replace(/_/g, '');
  }
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base]!;
  if (!digits.test(body)) return 'parse error';
  let v = BigInt(base === 10 ? body : `0${{ 2: 'b', 8: 'o', 16: 'x' }[base]}${body}`);
  if (neg) v = -v;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  if (v > max || v < min) return 'value out of range';
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function convert(spec: FlagSpec, raw: string): string | number | bigint | boolean | undefined | { error: string } {
  switch (spec.kind) {
    case 'bool':
    case 'boolT': {
      const b = parseGoBool(raw);
      return b === undefined ? { error: 'parse error' } : b;
    }
    case 'string':
    case 'stringSlice':
      return raw;
    case 'int':
    case 'int64': {
      const n = parseGoInt(raw, true, 64);
      return typeof n === 'string' ? { error: n } : n;
    }
    case 'uint':
    case 'uint64': {
      const n = parseGoInt(raw, false, 64);
      return typeof n === 'string' ? { error: n } : n;
    }
    case 'float64': {
      const n = Number(raw);
      return raw.trim() === '' || Number.isNaN(n) && raw !== 'NaN' ? { error: 'parse error' } : n;
    }
    case 'duration': {
      const d = parseGoDuration(raw);
      return typeof d === 'number' ? d : { error: 'parse error' };
    }
  }
}

function defaultValue(spec: FlagSpec, env: Record<string, string | undefined>): FlagValues[string] {
  if (spec.envVar) {
    for (const name of spec.envVar.split(',').map((s) => s.trim())) {
      const v = env[name];
      if (v === undefined) continue;
      if (spec.kind === 'stringSlice') return v.split(',').map((s) => s.trim());
      const c = convert(spec, v);
      // urfave ignores unparsable env values for typed flags in v1 (it errors for some; keep the default).
      if (c !== undefined && typeof c !== 'object') return c;
    }
  }
  if (spec.value !== undefined) return Array.isArray(spec.value) ? [...spec.value] : spec.value;
  switch (spec.kind) {
    case 'bool': return false;
    case 'boolT': return true;
    case 'stringSlice': return undefined;
    case 'string': return '';
    default: return 0;
  }
}

/** urfave/cli v1's reorderArgs: known flags (and their values) move before the other arguments. */
export function reorderArgs(specs: readonly FlagSpec[], args: readonly string[]): string[] {
  const known = new Set(specs.flatMap(flagNames));
  const isFlag = (arg: string): boolean => {
    if (arg === '-' || arg === '--' || !arg.startsWith('-')) return false;
    let name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    name = name.split('=')[0]!;
    return known.has(name);
  };
  const reordered: string[] = [];
  let remaining: string[] = [];
  let nextMayBeValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (nextMayBeValue && !isFlag(arg)) {
      nextMayBeValue = false;
      reordered.push(arg);
    } else if (arg === '--') {
      remaining = ['--', ...remaining, ...args.slice(i + 1)];
      break;
    } else if (isFlag(arg)) {
      reordered.push(arg);
      nextMayBeValue = !arg.includes('=');
    } else {
      remaining.push(arg);
    }
  }
  return [...reordered, ...remaining];
}

export interface ParseOptions {
  env?: Record<string, string | undefined>;
  /** urfave's SkipArgReorder (ctr's run, exec and friends keep argument order). */
  skipArgReorder?: boolean;
  /** Commands get an implicit "help, h" bool flag, as in urfave. */
  helpFlag?: boolean;
}

/** Go flag.FlagSet.Parse over urfave's reordered arguments. Throws UsageError with Go's text. */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], opts: ParseOptions = {}): ParsedArgs {
  const env = opts.env ?? {};
  const all: FlagSpec[] = [...specs];
  if (opts.helpFlag !== false) all.push({ name: 'help, h', kind: 'bool', usage: 'show help' });
  const byName = new Map<string, FlagSpec>();
  for (const s of all) for (const n of flagNames(s)) byName.set(n, s);

  const values: FlagValues = {};
  for (const s of specs) values[flagKey(s)] = defaultValue(s, env);
  const set = new Set<string>();
  const visitedNames = new Set<string>();
  let help = false;

  let rest = opts.skipArgReorder ? [...argv] : reorderArgs(all, argv);
  while (rest.length > 0) {
    const s = rest[0]!;
    if (s.length < 2 || s[0] !== '-') break;
    let minuses = 1;
    if (s[1] === '-') {
      minuses = 2;
      if (s.length === 2) { rest = rest.slice(1); break; }
    }
    let name = s.slice(minuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new UsageError(`bad flag syntax: ${s}`);
    rest = rest.slice(1);
    let value: string | undefined;
    const eq = name.indexOf('=', 1);
    if (eq >= 1) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    const spec = byName.get(name);
    if (!spec) {
      if (name === 'help' || name === 'h') { help = true; break; }
      throw new UsageError(`flag provided but not defined: -${name}`);
    }
    const key = flagKey(spec);
    let converted: ReturnType<typeof convert>;
    if (isBool(spec.kind)) {
      converted = value === undefined ? true : convert(spec, value);
      if (typeof converted === 'object') throw new UsageError(`invalid boolean value "${value}" for -${name}: ${converted.error}`);
    } else {
      if (value === undefined) {
        if (rest.length === 0) throw new UsageError(`flag needs an argument: -${name}`);
        value = rest[0]!;
        rest = rest.slice(1);
      }
      converted = convert(spec, value);
      if (typeof converted === 'object') throw new UsageError(`invalid value ${goQuote(value)} for flag -${name}: ${converted.error}`);
    }
    visitedNames.add(name);
    if (key === 'help') { help = true; continue; }
    if (spec.kind === 'stringSlice') {
      // urfave slices start empty on the command line even when the env or default filled them.
      const prev = set.has(key) ? (values[key] as string[]) : [];
      values[key] = [...prev, converted as string];
    } else {
      values[key] = converted;
    }
    set.add(key);
  }
  // urfave's normalizeFlags: two spellings of one flag on one command line is an error.
  for (const s of specs) {
    const names = flagNames(s);
    const used = names.filter((n) => visitedNames.has(n));
    if (used.length > 1) throw new UsageError(`Cannot use two forms of the same flag: ${used[1]} ${used[0]}`);
  }
  if (!help) checkRequired(specs, set);
  return { values, set, args: rest, help };
}

function checkRequired(specs: readonly FlagSpec[], set: Set<string>): void {
  const missing = specs
    .filter((s) => s.required && !set.has(flagKey(s)))
    .map((s) => flagNames(s).filter((n) => n.length > 1).pop())
    .filter((n): n is string => n !== undefined);
  if (missing.length === 1) throw new RequiredFlagError(`Required flag "${missing[0]}" not set`);
  if (missing.length > 1) throw new RequiredFlagError(`Required flags "${missing.join(', ')}" not set`);
}
