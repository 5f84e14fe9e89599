// Go's time formatting (Time.Format layouts, Time.String) and Go's choice of the
// local time zone. Zone abbreviations ("CET", "+03") come from the TZif files
// Go reads, because Intl only knows abbreviations for a few locales.

import { readFileSync } from 'node:fs';

/** A protobuf Timestamp (seconds may be a bigint int64) or a JavaScript Date. */
export type TimeInput = { seconds: number | bigint; nanos: number } | Date;

interface Zone {
  name: string;
  /** seconds east of UTC */
  offset: number;
  isDST: boolean;
}

interface Transition {
  when: number;
  index: number;
}

export class Location {
  constructor(
    readonly name: string,
    private readonly zones: Zone[] = [],
    private readonly tx: Transition[] = [],
    /** POSIX TZ rule for times after the last transition (the TZif footer) */
    private readonly extend = '',
  ) {}

  withName(name: string): Location {
    return new Location(name, this.zones, this.tx, this.extend);
  }

  /** The zone in effect at a Unix time, found the way Go's Location.lookup does. */
  lookup(sec: number): Zone {
    if (this.zones.length === 0) return { name: 'UTC', offset: 0, isDST: false };
    const tx = this.tx;
    if (tx.length === 0 || sec < tx[0].when) return this.zones[this.firstZone()];
    let lo = 0;
    let hi = tx.length;
    while (hi - lo > 1) {
      const m = lo + ((hi - lo) >> 1);
      if (sec < tx[m].when) hi = m;
      else lo = m;
    }
    if (lo === tx.length - 1 && this.extend !== '') {
      const z = tzset(this.extend, sec);
      if (z) return z;
    }
    return this.zones[tx[lo].index];
  }

  // The zone for times before the first transition: Go picks the first standard
  // zone, preferring one before the first transition's zone if that is DST.
  private firstZone(): number {
    if (!this.tx.some((t) => t.index === 0)) return 0;
    if (this.tx.length > 0 && this.zones[this.tx[0].index].isDST) {
      for (let zi = this.tx[0].index - 1; zi >= 0; zi--) {
        if (!this.zones[zi].isDST) return zi;
      }
    }
    const std = this.zones.findIndex((z) => !z.isDST);
    return std >= 0 ? std : 0;
  }
}

export const UTC = new Location('UTC');

/** Parse TZif data (versions 1–3) as Go's LoadLocationFromTZData does; undefined if malformed. */
export function locationFromTZif(name: string, data: Uint8Array): Location | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  const need = (n: number): boolean => p + n <= data.length;
  if (!need(44) || String.fromCharCode(data[0], data[1], data[2], data[3]) !== 'TZif') return undefined;
  const version = data[4] === 0 ? 1 : data[4] === 0x32 ? 2 : data[4] === 0x33 ? 3 : 0;
  if (version === 0) return undefined;
  p = 20;
  const readCounts = (): number[] => {
    const n: number[] = [];
    for (let i = 0; i < 6; i++) n.push(view.getUint32(p + 4 * i));
    p += 24;
    return n;
  };
  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  let n = readCounts();
  let size = 4;
  if (version > 1) {
    // skip the 32-bit section and use the 64-bit one that follows
    p += n[3] * 4 + n[3] + n[4] * 6 + n[5] + n[2] * 8 + n[1] + n[0];
    p += 20;
    if (!need(24)) return undefined;
    n = readCounts();
    size = 8;
  }
  const [nUTCLocal, nStdWall, nLeap, nTime, nZone, nChar] = n;
  const total = nTime * size + nTime + nZone * 6 + nChar + nLeap * (size + 4) + nStdWall + nUTCLocal;
  if (!need(total)) return undefined;
  const txAt = p;
  const txZonesAt = txAt + nTime * size;
  const zonesAt = txZonesAt + nTime;
  const abbrevAt = zonesAt + nZone * 6;
  const rest = data.subarray(p + total);
  let extend = '';
  if (rest.length > 2 && rest[0] === 0x0a && rest[rest.length - 1] === 0x0a) {
    extend = new TextDecoder().decode(rest.subarray(1, rest.length - 1));
  }
  if (nZone === 0) return undefined;
  const zones: Zone[] = [];
  for (let i = 0; i < nZone; i++) {
    const z = zonesAt + i * 6;
    const ai = data[z + 5];
    if (ai >= nChar) return undefined;
    let end = abbrevAt + ai;
    while (end < abbrevAt + nChar && data[end] !== 0) end++;
    zones.push({
      offset: view.getInt32(z),
      isDST: data[z + 4] !== 0,
      name: new TextDecoder().decode(data.subarray(abbrevAt + ai, end)),
    });
  }
  const tx: Transition[] = [];
  for (let i = 0; i < nTime; i++) {
    const when = size === 8 ? Number(view.getBigInt64(txAt + i * 8)) : view.getInt32(txAt + i * 4);
    const index = data[txZonesAt + i];
    if (index >= zones.length) return undefined;
    tx.push({ when, index });
  }
  // a zone file without transitions still has a (single) zone in effect always
  if (tx.length === 0) tx.push({ when: -Infinity, index: 0 });
  return new Location(name, zones, tx, extend);
}

const ZONE_DIRS = ['/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/'];

function loadFrom(name: string, dirs: string[]): Location | undefined {
  for (const dir of dirs) {
    let data: Uint8Array;
    try {
      data = readFileSync(dir === '' ? name : dir + name);
    } catch {
      continue;
    }
    const loc = locationFromTZif(name, data);
    if (loc) return loc;
  }
  return undefined;
}

/** A named zone from the system zoneinfo, like time.LoadLocation; undefined if unknown. */
export function loadLocation(name: string): Location | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return localLocation();
  if (name.includes('..') || name[0] === '/' || name[0] === '\\') return undefined;
  const zoneinfo = process.env.ZONEINFO;
  return (zoneinfo ? loadFrom(name, [zoneinfo + '/']) : undefined) ?? loadFrom(name, ZONE_DIRS);
}

let local: Location | undefined;

/** time.Local: chosen from TZ exactly as Go does on Unix (computed once). */
export function localLocation(): Location {
  if (!local) local = locationFromTZEnv(process.env.TZ);
  return local;
}

/** The local zone Go picks for a value of TZ (undefined: TZ not set). */
export function locationFromTZEnv(tzEnv: string | undefined): Location {
  if (tzEnv === undefined) {
    const l = loadFrom('localtime', ['/etc/']);
    if (l) return l.withName('Local');
  } else if (tzEnv !== '') {
    let tz = tzEnv;
    if (tz[0] === ':') tz = tz.slice(1);
    if (tz !== '' && tz[0] === '/') {
      const l = loadFrom(tz, ['']);
      if (l) return l.withName(tz === '/etc/localtime' ? 'Local' : tz);
    } else if (tz !== '' && tz !== 'UTC') {
      const l = loadFrom(tz, ZONE_DIRS);
      if (l) return l;
    }
  }
  return UTC;
}

// ---- POSIX TZ rules (the TZif footer), as Go's tzset interprets them ----

interface Rule {
  kind: 'julian' | 'doy' | 'mwd';
  day: number;
  week: number;
  mon: number;
  /** seconds after local midnight */
  time: number;
}

type Parsed<T> = [T, string] | undefined;

function tzNum(s: string, min: number, max: number): Parsed<number> {
  if (s === '') return undefined;
  let num = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      if (i === 0 || num < min) return undefined;
      return [num, s.slice(i)];
    }
    num = num * 10 + (c - 48);
    if (num > max) return undefined;
  }
  if (num < min) return undefined;
  return [num, ''];
}

function tzName(s: string): Parsed<string> {
  if (s === '') return undefined;
  if (s[0] === '<') {
    const end = s.indexOf('>');
    return end < 0 ? undefined : [s.slice(1, end), s.slice(end + 1)];
  }
  const m = /[0-9,+-]/.exec(s);
  if (!m) return s.length < 3 ? undefined : [s, ''];
  if (m.index < 3) return undefined;
  return [s.slice(0, m.index), s.slice(m.index)];
}

function tzOffset(s: string): Parsed<number> {
  if (s === '') return undefined;
  let neg = false;
  if (s[0] === '+') s = s.slice(1);
  else if (s[0] === '-') {
    s = s.slice(1);
    neg = true;
  }
  const limits = [24 * 7, 59, 59];
  const scale = [3600, 60, 1];
  let off = 0;
  for (let part = 0; part < 3; part++) {
    if (part > 0) {
      if (s === '' || s[0] !== ':') break;
      s = s.slice(1);
    }
    const r = tzNum(s, 0, limits[part]);
    if (!r) return undefined;
    off += r[0] * scale[part];
    s = r[1];
  }
  return [neg ? -off : off, s];
}

function tzRule(s: string): Parsed<Rule> {
  if (s === '') return undefined;
  const r: Rule = { kind: 'doy', day: 0, week: 0, mon: 0, time: 2 * 3600 };
  if (s[0] === 'J') {
    const j = tzNum(s.slice(1), 1, 365);
    if (!j) return undefined;
    r.kind = 'julian';
    [r.day, s] = j;
  } else if (s[0] === 'M') {
    const mon = tzNum(s.slice(1), 1, 12);
    if (!mon || mon[1][0] !== '.') return undefined;
    const week = tzNum(mon[1].slice(1), 1, 5);
    if (!week || week[1][0] !== '.') return undefined;
    const day = tzNum(week[1].slice(1), 0, 6);
    if (!day) return undefined;
    r.kind = 'mwd';
    r.mon = mon[0];
    r.week = week[0];
    [r.day, s] = day;
  } else {
    const d = tzNum(s, 0, 365);
    if (!d) return undefined;
    [r.day, s] = d;
  }
  if (s === '' || s[0] !== '/') return [r, s];
  const off = tzOffset(s.slice(1));
  if (!off) return undefined;
  [r.time, s] = off;
  return [r, s];
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29;
  return DAYS_BEFORE[month] - DAYS_BEFORE[month - 1];
}

/** Seconds from the start of the year (UTC) at which the rule fires in a zone of offset `off`. */
function ruleTime(year: number, r: Rule, off: number): number {
  let s: number;
  if (r.kind === 'julian') {
    s = (r.day - 1) * 86400;
    if (isLeap(year) && r.day >= 60) s += 86400;
  } else if (r.kind === 'doy') {
    s = r.day * 86400;
  } else {
    // Zeller's congruence for the weekday of the first day of the month
    const m1 = ((r.mon + 9) % 12) + 1;
    let yy0 = year;
    if (r.mon <= 2) yy0--;
    const yy1 = Math.trunc(yy0 / 100);
    const yy2 = yy0 % 100;
    let dow =
      (Math.trunc((26 * m1 - 2) / 10) + 1 + yy2 + Math.trunc(yy2 / 4) + Math.trunc(yy1 / 4) - 2 * yy1) % 7;
    if (dow < 0) dow += 7;
    let d = r.day - dow;
    if (d < 0) d += 7;
    for (let i = 1; i < r.week; i++) {
      if (d + 7 >= daysIn(r.mon, year)) break;
      d += 7;
    }
    d += DAYS_BEFORE[r.mon - 1];
    if (isLeap(year) && r.mon > 2) d++;
    s = d * 86400;
  }
  return s + r.time - off;
}

function utcYearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime() / 1000;
}

function tzset(spec: string, sec: number): Zone | undefined {
  let s = spec;
  const std = tzName(s);
  if (!std) return undefined;
  const stdOff = tzOffset(std[1]);
  if (!stdOff) return undefined;
  let stdName = std[0];
  let stdOffset = -stdOff[0];
  s = stdOff[1];
  if (s === '' || s[0] === ',') return { name: stdName, offset: stdOffset, isDST: false };

  const dst = tzName(s);
  if (!dst) return undefined;
  let dstName = dst[0];
  let dstOffset: number;
  s = dst[1];
  if (s === '' || s[0] === ',') {
    dstOffset = stdOffset + 3600;
  } else {
    const o = tzOffset(s);
    if (!o) return undefined;
    dstOffset = -o[0];
    s = o[1];
  }
  if (s === '') s = ',M3.2.0,M11.1.0';
  if (s[0] !== ',' && s[0] !== ';') return undefined;
  const startRule = tzRule(s.slice(1));
  if (!startRule || startRule[1][0] !== ',') return undefined;
  const endRule = tzRule(startRule[1].slice(1));
  if (!endRule || endRule[1] !== '') return undefined;

  const year = new Date(sec * 1000).getUTCFullYear();
  const yearStart = utcYearStart(year);
  const ysec = sec - yearStart;
  let startSec = ruleTime(year, startRule[0], stdOffset);
  let endSec = ruleTime(year, endRule[0], dstOffset);
  let dstIsDST = true;
  let stdIsDST = false;
  // southern hemisphere: the rules run the other way round
  if (endSec < startSec) {
    [startSec, endSec] = [endSec, startSec];
    [stdName, dstName] = [dstName, stdName];
    [stdOffset, dstOffset] = [dstOffset, stdOffset];
    [stdIsDST, dstIsDST] = [dstIsDST, stdIsDST];
  }
  if (ysec < startSec || ysec >= endSec) return { name: stdName, offset: stdOffset, isDST: stdIsDST };
  return { name: dstName, offset: dstOffset, isDST: dstIsDST };
}

// ---- formatting ----

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const Layout = '01/02 03:04:05PM \'06 -0700';
export const ANSIC = 'Mon Jan _2 15:04:05 2006';
export const UnixDate = 'Mon Jan _2 15:04:05 MST 2006';
export const RFC822 = '02 Jan 06 15:04 MST';
export const RFC1123 = 'Mon, 02 Jan 2006 15:04:05 MST';
export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339Nano = '2006-01-02T15:04:05.999999999Z07:00';
export const Kitchen = '3:04PM';
export const DateTime = '2006-01-02 15:04:05';

function splitTime(t: TimeInput): { sec: number; nsec: number } {
  if (t instanceof Date) {
    const ms = t.getTime();
    const sec = Math.floor(ms / 1000);
    return { sec, nsec: (ms - sec * 1000) * 1e6 };
  }
  // normalise nanos outside [0, 1e9) the way time.Unix does
  let sec = Number(t.seconds);
  let nsec = t.nanos;
  if (nsec < 0 || nsec >= 1e9) {
    const carry = Math.floor(nsec / 1e9);
    sec += carry;
    nsec -= carry * 1e9;
  }
  return { sec, nsec };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

function formatZone(offset: number, colon: boolean, short: boolean, seconds: boolean): string {
  let zone = Math.trunc(offset / 60);
  let abs = offset;
  let s = '+';
  if (zone < 0) {
    s = '-';
    zone = -zone;
    abs = -abs;
  }
  s += pad(Math.trunc(zone / 60), 2);
  if (!short) s += (colon ? ':' : '') + pad(zone % 60, 2);
  if (seconds) s += (colon ? ':' : '') + pad(abs % 60, 2);
  return s;
}

/** Time.Format(layout) for a time shown in `loc` (default: Go's time.Local). */
export function formatTime(t: TimeInput, layout: string, loc: Location = localLocation()): string {
  const { sec, nsec } = splitTime(t);
  const zone = loc.lookup(sec);
  const d = new Date((sec + zone.offset) * 1000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const min = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  const yday = Math.floor((d.getTime() / 1000 - utcYearStart(year)) / 86400) + 1;

  let out = '';
  let rest = layout;
  while (rest !== '') {
    const chunk = nextChunk(rest);
    out += chunk.prefix;
    rest = chunk.suffix;
    const std = chunk.std;
    switch (std) {
      case '':
        break;
      case '06':
        out += pad(Math.abs(year) % 100, 2);
        break;
      case '2006':
        out += pad(year, 4);
        break;
      case 'Jan':
        out += MONTHS[month - 1].slice(0, 3);
        break;
      case 'January':
        out += MONTHS[month - 1];
        break;
      case '1':
        out += String(month);
        break;
      case '01':
        out += pad(month, 2);
        break;
      case 'Mon':
        out += DAYS[d.getUTCDay()].slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[d.getUTCDay()];
        break;
      case '2':
        out += String(day);
        break;
      case '_2':
        out += (day < 10 ? ' ' : '') + day;
        break;
      case '02':
        out += pad(day, 2);
        break;
      case '__2':
        out += (yday < 100 ? (yday < 10 ? '  ' : ' ') : '') + yday;
        break;
      case '002':
        out += pad(yday, 3);
        break;
      case '15':
        out += pad(hour, 2);
        break;
      case '3':
        out += String(hour % 12 || 12);
        break;
      case '03':
        out += pad(hour % 12 || 12, 2);
        break;
      case '4':
        out += String(min);
        break;
      case '04':
        out += pad(min, 2);
        break;
      case '5':
        out += String(s);
        break;
      case '05':
        out += pad(s, 2);
        break;
      case 'PM':
        out += hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += zone.name !== '' ? zone.name : formatZone(zone.offset, false, false, false);
        break;
      default:
        if (std[0] === 'Z' || std[0] === '-') {
          if (std[0] === 'Z' && zone.offset === 0) {
            out += 'Z';
            break;
          }
          const body = std.slice(1); // 070000, 07:00:00, 0700, 07:00, 07
          out += formatZone(zone.offset, body.includes(':'), body === '07', body.length === 6 || body.length === 8);
        } else {
          // fractional seconds: separator, then n copies of '0' (fixed) or '9' (trimmed)
          out += formatFraction(nsec, std);
        }
    }
  }
  return out;
}

function formatFraction(nsec: number, std: string): string {
  const n = Math.min(std.length - 1, 9);
  let digits = String(nsec).padStart(9, '0').slice(0, n);
  if (std[1] === '9') {
    digits = digits.replace(/0+$/, '');
    if (digits === '') return '';
  }
  return std[0] + digits;
}

/** The next layout element, as Go's nextStdChunk finds it; std '' when there is none. */
function nextChunk(layout: string): { prefix: string; std: string; suffix: string } {
  const at = (i: number, std: string, len = std.length) => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(i + len),
  });
  const lowerAt = (i: number) => i < layout.length && layout[i] >= 'a' && layout[i] <= 'z';
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const from = (n: number) => layout.slice(i, i + n);
    switch (c) {
      case 'J':
        if (from(3) === 'Jan') {
          if (from(7) === 'January') return at(i, 'January');
          if (!lowerAt(i + 3)) return at(i, 'Jan');
        }
        break;
      case 'M':
        if (from(3) === 'Mon') {
          if (from(6) === 'Monday') return at(i, 'Monday');
          if (!lowerAt(i + 3)) return at(i, 'Mon');
        }
        if (from(3) === 'MST') return at(i, 'MST');
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') return at(i, from(2));
        if (from(3) === '002') return at(i, '002');
        break;
      case '1':
        return from(2) === '15' ? at(i, '15') : at(i, '1');
      case '2':
        return from(4) === '2006' ? at(i, '2006') : at(i, '2');
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is a literal underscore followed by the year
          if (layout.slice(i + 1, i + 5) === '2006') return { prefix: layout.slice(0, i + 1), std: '2006', suffix: layout.slice(i + 5) };
          return at(i, '_2');
        }
        if (from(3) === '__2') return at(i, '__2');
        break;
      case '3':
      case '4':
      case '5':
        return at(i, c);
      case 'P':
        if (from(2) === 'PM') return at(i, 'PM');
        break;
      case 'p':
        if (from(2) === 'pm') return at(i, 'pm');
        break;
      case '-':
        for (const z of ['-070000', '-07:00:00', '-0700', '-07:00', '-07']) if (from(z.length) === z) return at(i, z);
        break;
      case 'Z':
        for (const z of ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07']) if (from(z.length) === z) return at(i, z);
        break;
      case '.':
      case ',': {
        const ch = layout[i + 1];
        if (ch === '0' || ch === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          const nextIsDigit = j < layout.length && layout[j] >= '0' && layout[j] <= '9';
          if (!nextIsDigit) return at(i, layout.slice(i, j));
        }
        break;
      }
    }
  }
  return { prefix: layout, std: '', suffix: '' };
}

/** time.Time.String() (no monotonic reading): "2006-01-02 15:04:05.999999999 -0700 MST". */
export function timeString(t: TimeInput, loc: Location = localLocation()): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST', loc);
}

/** t.Format(time.RFC3339) in `loc` (default local, as ctr's `.Local()`). */
export function formatRFC3339(t: TimeInput, loc: Location = localLocation()): string {
  return formatTime(t, RFC3339, loc);
}

/** t.Format(time.RFC3339Nano); also the text of a time.Time in Go's JSON. */
export function formatRFC3339Nano(t: TimeInput, loc: Location = localLocation()): string {
  return formatTime(t, RFC3339Nano, loc);
}
