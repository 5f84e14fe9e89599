// ctr's log output (logrus' text formatter on stderr): `time="…" level=info msg="…" k=v`,
// data fields sorted by key, values quoted only when they hold characters outside
// logrus' plain set. Info is the default level; --debug shows debug lines too.

import type { Output } from '../cli/types.js';
import { formatRFC3339 } from '../format/time.js';
import { goQuote } from './reference.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';
const rank: Record<Level, number> = { debug: 0, info: 1, warning: 2, error: 3 };

const plain = /^[A-Za-z0-9\-._/@^+]+$/;
const value = (v: string): string => (plain.test(v) ? v : goQuote(v));

export class Logger {
  constructor(private readonly out: Output | undefined, private readonly min: Level = 'info', private readonly fields: Record<string, string> = {}) {}

  with(fields: Record<string, string>): Logger {
    return new Logger(this.out, this.min, { ...this.fields, ...fields });
  }

  enabled(level: Level): boolean {
    return this.out !== undefined && rank[level] >= rank[this.min];
  }

  log(level: Level, msg: string, fields: Record<string, string> = {}): void {
    if (!this.enabled(level)) return;
    const now = Date.now();
    let line = `time=${value(formatRFC3339({ seconds: Math.floor(now / 1000), nanos: 0 }))} level=${level}`;
    if (msg !== '') line += ` msg=${value(msg)}`;
    const all = { ...this.fields, ...fields };
    for (const k of Object.keys(all).sort()) line += ` ${k}=${value(all[k]!)}`;
    this.out!.write(`${line}\n`);
  }

  debug(msg: string, fields?: Record<string, string>): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Record<string, string>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, string>): void { this.log('warning', msg, fields); }
  error(msg: string, fields?: Record<string, string>): void { this.log('error', msg, fields); }
}

export const silentLogger = new Logger(undefined);
