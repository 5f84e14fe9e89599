// encoding/json of a gogo-generated Go message, from the ts-proto object of the same
// message. The Go structs put every field under its proto name with omitempty, which
// drops zero scalars, empty lists and maps and nil messages; ts-proto keeps the fields
// in declaration order, which is the Go struct's order. Exceptions are named by the
// caller (`always`), as gogo's non-nullable fields are never empty.

import { formatRFC3339Nano, UTC } from '../format/time.js';
import type { Timestamp } from '../api/google/protobuf/timestamp.js';

/** ts-proto's camelCase key back to the proto field name. */
export const protoName = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const isTimestamp = (v: object): v is Timestamp => {
  const keys = Object.keys(v);
  return keys.length === 2 && keys[0] === 'seconds' && keys[1] === 'nanos';
};

const isAny = (v: object): v is { typeUrl: string; value: Uint8Array } => {
  const keys = Object.keys(v);
  return keys.length === 2 && keys[0] === 'typeUrl' && keys[1] === 'value';
};

/** Fields that ts-proto turns into plain objects but Go has as map[string]string. */
const MAP_FIELDS = new Set(['labels', 'annotations']);

/** time.Time's MarshalJSON of a (UTC) proto timestamp; the zero time when absent. */
export function timeJSON(t: Timestamp | undefined): string {
  return t ? formatRFC3339Nano(t, UTC) : '0001-01-01T00:00:00Z';
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'boolean') return !v;
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length === 0;
  return false;
}

function value(key: string, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => value(key, e));
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  if (MAP_FIELDS.has(key)) return new Map(Object.entries(v as Record<string, unknown>));
  if (isTimestamp(v)) return timeJSON(v);
  if (isAny(v)) return message({ typeUrl: v.typeUrl, value: v.value });
  return message(v);
}

/** The Go JSON value (for format/json's marshal) of one message. */
export function message(msg: object, always: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(msg)) {
    if (always.has(key)) {
      out[protoName(key)] = v === undefined && key.endsWith('At') ? timeJSON(undefined) : value(key, v ?? '');
      continue;
    }
    if (isEmpty(v)) continue;
    if (MAP_FIELDS.has(key) && Object.keys(v as object).length === 0) continue;
    out[protoName(key)] = value(key, v);
  }
  return out;
}
