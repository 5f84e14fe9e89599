// `--format table|json` on list and info commands: a ctr-ts extension. The table is
// ctr's, byte for byte, and stays the default; json is one stable document per command,
// described in docs/json.md, for jq and scripts.

import type { FlagSpec } from '../../cli/flags.js';
import { CommandError, type Output } from '../../cli/types.js';
import { goStringLess } from '../../format/presets.js';

export type OutputFormat = 'table' | 'json';

export const formatFlag: FlagSpec = {
  name: 'format',
  kind: 'string',
  usage: 'output format, "table" (as ctr) or "json" (ctr-ts extension)',
  value: 'table',
  choices: ['table', 'json'],
};

export function outputFormat(value: unknown): OutputFormat {
  if (value === 'table' || value === 'json') return value;
  throw new CommandError(`unknown format ${JSON.stringify(value)}: use "table" or "json"`);
}

/** Writes one JSON document (2-space indent, trailing newline). */
export function writeJSON(out: Output, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Go's zero time.Time as a Timestamp: what the daemon sends for a time never set. */
const GO_ZERO_SECONDS = -62135596800;

/** A protobuf Timestamp as RFC 3339 with nanoseconds in UTC, or null when unset (absent or Go's zero time). */
export function isoTime(t: { seconds: number | bigint; nanos: number } | undefined): string | null {
  if (!t || (Number(t.seconds) === GO_ZERO_SECONDS && t.nanos === 0)) return null;
  const ms = Number(t.seconds) * 1000;
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${String(t.nanos).padStart(9, '0')}Z`;
}

/** A label map as an object with its keys in Go's sorted order, so documents are stable. */
export function labelObject(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).sort(([a], [b]) => goStringLess(a, b)));
}
