// ctr's log lines (logrus's TextFormatter on stderr): `time="…" level=error msg="…"
// error="…"` when stderr is not a terminal, the coloured `ERRO[0000] msg   error=…`
// form when it is.

import type { Output } from '../cli/types.js';
import { goQuote } from '../cli/flags.js';
import { formatRFC3339 } from '../format/time.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';

const started = Date.now();
const colors: Record<Level, number> = { debug: 37, info: 36, warning: 33, error: 31 };

function needsQuoting(s: string): boolean {
  return !/^[A-Za-z0-9\-._/@^+]*$/.test(s);
}

const value = (s: string) => (needsQuoting(s) ? goQuote(s) : s);

/** One log entry, formatted as logrus would for this stream. */
export function logLine(out: Output, level: Level, msg: string, fields: Record<string, string> = {}): string {
  const keys = Object.keys(fields).sort();
  if (out.isTTY) {
    const c = colors[level];
    const secs = Math.floor((Date.now() - started) / 1000);
    let line = `\x1b[${c}m${level.slice(0, 4).toUpperCase()}\x1b[0m[${String(secs).padStart(4, '0')}] ${msg.padEnd(44)} `;
    for (const k of keys) line += ` \x1b[${c}m${k}\x1b[0m=${value(fields[k]!)}`;
    return `${line}\n`;
  }
  let line = `time=${value(formatRFC3339(new Date()))} level=${level} msg=${value(msg)}`;
  for (const k of keys) line += ` ${value(k)}=${value(fields[k]!)}`;
  return `${line}\n`;
}

export function log(out: Output, level: Level, msg: string, err?: unknown): void {
  const fields: Record<string, string> = err === undefined ? {} : { error: err instanceof Error ? err.message : String(err) };
  out.write(logLine(out, level, msg, fields));
}
