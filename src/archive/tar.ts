// A streaming tar reader and writer with the behaviour of Go's archive/tar where ctr
// shows it: the reader's errors ("archive/tar: invalid tar header", "unexpected EOF"),
// ustar/GNU/PAX headers and base-256 numbers; the writer's byte layout (ustar when the
// header fits, PAX records otherwise, no record padding after the two zero blocks), so
// that our archives match the ones ctr writes.

import { posix } from 'node:path';

const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
/** Largest PAX or GNU long-name payload read (Go's maxSpecialFileSize). */
const MAX_SPECIAL_FILE_SIZE = 1 << 20;

export const TypeReg = '0';
export const TypeRegA = '\0';
export const TypeLink = '1';
export const TypeSymlink = '2';
export const TypeDir = '5';
export const TypeXHeader = 'x';
export const TypeXGlobalHeader = 'g';
export const TypeGNULongName = 'L';
export const TypeGNULongLink = 'K';

export interface TarHeader {
  name: string;
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
}

/** Go's tar.ErrHeader and friends: the message is what ctr prints. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

export const errHeader = () => new TarError('archive/tar: invalid tar header');
export const errUnexpectedEOF = () => new TarError('unexpected EOF');

/**
 * Pulls exact byte counts out of a chunked source without copying more than needed.
 * Chunks handed out by `take` are views of the source's buffers.
 */
export class ByteSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private head: Uint8Array = new Uint8Array(0);
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.head.length === 0) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.head = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value as ArrayBufferLike);
    }
    return true;
  }

  /** Up to `max` bytes (at least one), or undefined at the end of the source. */
  async chunk(max: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill())) return undefined;
    const n = Math.min(max, this.head.length);
    const out = this.head.subarray(0, n);
    this.head = this.head.subarray(n);
    return out;
  }

  /** Exactly n bytes; fewer only when the source ends first (then the short result). */
  async read(n: number): Promise<Uint8Array> {
    const first = await this.chunk(n);
    if (!first) return new Uint8Array(0);
    if (first.length === n) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let got = first.length;
    while (got < n) {
      const c = await this.chunk(n - got);
      if (!c) return out.subarray(0, got);
      out.set(c, got);
      got += c.length;
    }
    return out;
  }

  /** Drops n bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const c = await this.chunk(left);
      if (!c) break;
      left -= c.length;
    }
    return n - left;
  }

  async return(): Promise<void> {
    await this.it.return?.();
  }
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** A NUL-terminated string field. */
function parseString(b: Uint8Array): string {
  const i = b.indexOf(0);
  return utf8(i < 0 ? b : b.subarray(0, i));
}

/** Go's parser.parseNumeric: base-256 when the top bit is set, octal otherwise. */
function parseNumeric(b: Uint8Array): number {
  if (b.length > 0 && (b[0]! & 0x80) !== 0) {
    // Two's complement big-endian with the marker bit cleared.
    const neg = (b[0]! & 0x40) !== 0;
    let x = 0n;
    for (let i = 0; i < b.length; i++) {
      let c = b[i]!;
      if (neg) c ^= 0xff;
      if (i === 0) c &= 0x7f;
      x = (x << 8n) | BigInt(c);
    }
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw errHeader();
    return neg ? -Number(x) - 1 : Number(x);
  }
  return parseOctal(b);
}

function parseOctal(b: Uint8Array): number {
  // Fields may be padded with spaces or NULs on either side.
  const s = latin1(b).replace(/^[ \0]+|[ \0]+$/g, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw errHeader();
  const v = parseInt(s, 8);
  if (!Number.isSafeInteger(v)) throw errHeader();
  return v;
}

type Format = 'v7' | 'ustar' | 'gnu' | 'star';

/** Go's block.getFormat: the checksum must match (signed or unsigned sum). */
function blockFormat(blk: Uint8Array): Format | undefined {
  let stored: number;
  try {
    stored = parseOctal(blk.subarray(148, 156));
  } catch {
    return undefined;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : blk[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  if (stored !== unsigned && stored !== signed) return undefined;
  const magic = latin1(blk.subarray(257, 263));
  const version = latin1(blk.subarray(263, 265));
  if (magic === 'ustar\0' && version === '00') {
    return latin1(blk.subarray(508, 512)) === 'tar\0' ? 'star' : 'ustar';
  }
  if (magic === 'ustar ' && version === ' \0') return 'gnu';
  return 'v7';
}

const isZero = (b: Uint8Array) => b.every((c) => c === 0);

/** PAX records: "%d %s=%s\n" each, the length counting the whole record. */
export function parsePAX(data: string): Record<string, string> {
  const out: Record<string, string> = {};
  const bytes = Buffer.from(data, 'utf8');
  let pos = 0;
  while (pos < bytes.length) {
    const sp = bytes.indexOf(0x20, pos);
    if (sp < 0) throw errHeader();
    const lenText = bytes.subarray(pos, sp).toString('latin1');
    if (!/^[0-9]+$/.test(lenText)) throw errHeader();
    const len = Number(lenText);
    if (len < sp - pos + 1 || pos + len > bytes.length) throw errHeader();
    const rec = bytes.subarray(sp + 1, pos + len);
    if (rec[rec.length - 1] !== 0x0a) throw errHeader();
    const kv = rec.subarray(0, rec.length - 1).toString('utf8');
    const eq = kv.indexOf('=');
    if (eq <= 0) throw errHeader();
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** One archive member: its header and a body that must be read or skipped before the next. */
export interface TarEntry {
  header: TarHeader;
  /** The body in chunks; a short archive ends it with `unexpected EOF`. */
  body(): AsyncIterable<Uint8Array>;
}

/**
 * Reads members one at a time from a byte stream. `next()` skips whatever of the
 * previous body was not consumed. Errors are Go's: a bad checksum or field is
 * "archive/tar: invalid tar header", a stream ending inside a block "unexpected EOF".
 */
export class TarReader {
  private readonly src: ByteSource;
  /** Bytes of the current body not yet consumed, plus its block padding. */
  private pending = 0;
  private pad = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.src = source instanceof ByteSource ? source : new ByteSource(source);
  }

  /**
   * Skips what is left of the current body (a short body is "unexpected EOF") and its
   * padding (a short padding just ends the archive, as with Go). False at the end.
   */
  private async skipPending(): Promise<boolean> {
    const body = this.pending;
    const pad = this.pad;
    this.pending = 0;
    this.pad = 0;
    if ((await this.src.skip(body)) < body) throw errUnexpectedEOF();
    return (await this.src.skip(pad)) === pad;
  }

  private async readBlock(): Promise<Uint8Array | undefined> {
    const blk = await this.src.read(BLOCK);
    if (blk.length === 0) return undefined;
    if (blk.length < BLOCK) throw errUnexpectedEOF();
    return blk;
  }

  private async readSpecial(size: number): Promise<Uint8Array> {
    if (size > MAX_SPECIAL_FILE_SIZE) throw errHeader();
    const data = await this.src.read(size);
    if (data.length < size) throw errUnexpectedEOF();
    // A short padding ends the archive at the next header, as with Go.
    await this.src.skip((BLOCK - (size % BLOCK)) % BLOCK);
    return data;
  }

  async next(): Promise<TarEntry | undefined> {
    if (!(await this.skipPending())) return undefined;
    let pax: Record<string, string> = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const blk = await this.readBlock();
      if (!blk) return undefined;
      if (isZero(blk)) {
        // End of archive: a second zero block (or the end of the stream) must follow.
        const second = await this.src.read(BLOCK);
        if (second.length === 0) return undefined;
        if (second.length < BLOCK) throw errUnexpectedEOF();
        if (isZero(second)) return undefined;
        throw errHeader();
      }
      const format = blockFormat(blk);
      if (!format) throw errHeader();
      const h = this.parseHeader(blk, format);
      if (h.size < 0) throw errHeader();
      switch (h.typeflag) {
        case TypeXHeader:
          pax = { ...pax, ...parsePAX(utf8(await this.readSpecial(h.size))) };
          continue;
        case TypeXGlobalHeader: {
          // Go hands a global header out as an entry of its own, without data.
          parsePAX(utf8(await this.readSpecial(h.size)));
          const g: TarHeader = { name: h.name, typeflag: h.typeflag, size: 0, mode: 0, uid: 0, gid: 0, mtime: 0, linkname: '', uname: '', gname: '' };
          return { header: g, body: () => this.body() };
        }
        case TypeGNULongName:
          longName = parseString(await this.readSpecial(h.size));
          continue;
        case TypeGNULongLink:
          longLink = parseString(await this.readSpecial(h.size));
          continue;
      }
      if (longName !== undefined) h.name = longName;
      if (longLink !== undefined) h.linkname = longLink;
      applyPAX(h, pax);
      if (h.typeflag === TypeRegA) h.typeflag = h.name.endsWith('/') ? TypeDir : TypeReg;
      // Only these carry data in the archive (Go's header-only types have none).
      const hasData = !['1', '2', '3', '4', '5', '6'].includes(h.typeflag);
      const size = hasData ? h.size : 0;
      this.pending = size;
      this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
      return { header: h, body: () => this.body() };
    }
  }

  private async *body(): AsyncIterable<Uint8Array> {
    while (this.pending > 0) {
      const c = await this.src.chunk(this.pending);
      if (!c) {
        this.pending = 0;
        this.pad = 0;
        throw errUnexpectedEOF();
      }
      this.pending -= c.length;
      yield c;
    }
  }

  private parseHeader(blk: Uint8Array, format: Format): TarHeader {
    const h: TarHeader = {
      name: parseString(blk.subarray(0, 100)),
      mode: parseNumeric(blk.subarray(100, 108)),
      uid: parseNumeric(blk.subarray(108, 116)),
      gid: parseNumeric(blk.subarray(116, 124)),
      size: parseNumeric(blk.subarray(124, 136)),
      mtime: parseNumeric(blk.subarray(136, 148)),
      typeflag: String.fromCharCode(blk[156]!),
      linkname: parseString(blk.subarray(157, 257)),
      uname: '',
      gname: '',
    };
    if (format !== 'v7') {
      h.uname = parseString(blk.subarray(265, 297));
      h.gname = parseString(blk.subarray(297, 329));
    }
    if (format === 'ustar' || format === 'star') {
      const prefix = parseString(blk.subarray(345, format === 'star' ? 476 : 500));
      if (prefix) h.name = `${prefix}/${h.name}`;
    }
    return h;
  }

  /** Stops reading the source (e.g. after an error). */
  async close(): Promise<void> {
    await this.src.return();
  }
}

function applyPAX(h: TarHeader, pax: Record<string, string>): void {
  const num = (s: string): number => {
    if (!/^-?[0-9]+(\.[0-9]*)?$/.test(s)) throw errHeader();
    return Math.trunc(Number(s));
  };
  for (const [k, v] of Object.entries(pax)) {
    switch (k) {
      case 'path': h.name = v; break;
      case 'linkpath': h.linkname = v; break;
      case 'uname': h.uname = v; break;
      case 'gname': h.gname = v; break;
      case 'uid': h.uid = num(v); break;
      case 'gid': h.gid = num(v); break;
      case 'size': h.size = num(v); if (h.size < 0) throw errHeader(); break;
      case 'mtime': h.mtime = num(v); break;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Writing

export interface TarHeaderInit {
  name: string;
  typeflag: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  uname?: string;
  gname?: string;
}

const MAX_OCTAL_11 = 8 ** 11 - 1;
// eslint-disable-next-line no-control-regex
const isASCII = (s: string) => /^[\x00-\x7f]*$/.test(s);
// eslint-disable-next-line no-control-regex
const toASCII = (s: string) => s.replace(/[^\x00-\x7f]/g, '');
const MAX_OCTAL_7 = 8 ** 7 - 1;

function putString(blk: Buffer, off: number, len: number, s: string): void {
  // Go's formatter.formatString: copy what fits, NUL-terminate when there is room.
  const b = Buffer.from(s, 'utf8');
  b.copy(blk, off, 0, Math.min(len, b.length));
  if (b.length < len) blk[off + b.length] = 0;
}

function putOctal(blk: Buffer, off: number, len: number, x: number): void {
  let s = x.toString(8);
  if (len - s.length - 1 >= 0) s = '0'.repeat(len - s.length - 1) + s;
  putString(blk, off, len, s);
}

/** Go's splitUSTARPath: a name longer than 100 bytes split into prefix and name at a '/'. */
function splitUSTARPath(name: string): [string, string] | undefined {
  let length = name.length;
  if (length <= NAME_SIZE || !isASCII(name)) return undefined;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > NAME_SIZE || nlen === 0 || i > PREFIX_SIZE) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

function finishBlock(blk: Buffer): Buffer {
  blk.write('ustar\0', 257, 'latin1');
  blk.write('00', 263, 'latin1');
  blk.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of blk) sum += c;
  putOctal(blk, 148, 7, sum);
  blk[155] = 0x20;
  return blk;
}

/**
 * A ustar header block laid out as Go's Writer does (templateV7Plus + ustar fields).
 * `raw` is Go's writeRawFile for PAX headers: only the v7 numbers, no device fields.
 */
function ustarBlock(h: TarHeaderInit, name: string, prefix: string, size: number, raw = false): Buffer {
  const blk = Buffer.alloc(BLOCK);
  putString(blk, 0, 100, name);
  putOctal(blk, 100, 8, h.mode ?? 0);
  putOctal(blk, 108, 8, h.uid ?? 0);
  putOctal(blk, 116, 8, h.gid ?? 0);
  putOctal(blk, 124, 12, size);
  putOctal(blk, 136, 12, h.mtime ?? 0);
  blk.write(h.typeflag, 156, 'latin1');
  putString(blk, 157, 100, h.linkname ?? '');
  if (!raw) {
    putString(blk, 265, 32, h.uname ?? '');
    putString(blk, 297, 32, h.gname ?? '');
    putOctal(blk, 329, 8, 0);
    putOctal(blk, 337, 8, 0);
    putString(blk, 345, 155, prefix);
  }
  return finishBlock(blk);
}

/** One PAX record, its length prefix counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let size = bodyLen + String(bodyLen).length;
  if (String(size).length !== String(bodyLen).length) size = bodyLen + String(size).length;
  return `${size}${body}`;
}

const padding = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

/**
 * The header blocks for one member: plain ustar when everything fits, otherwise a PAX
 * extended header first (Go's choice order: ustar, then PAX).
 */
export function headerBlocks(h: TarHeaderInit): Buffer[] {
  const size = h.size ?? 0;
  const pax: Array<[string, string]> = [];
  let name = h.name;
  let prefix = '';
  if (Buffer.byteLength(name) > NAME_SIZE || !isASCII(name)) {
    const split = splitUSTARPath(name);
    if (split) [prefix, name] = split;
    else pax.push(['path', h.name]);
  }
  const needsText = (s: string | undefined, max: number) => s !== undefined && (Buffer.byteLength(s) > max || !isASCII(s));
  if (needsText(h.linkname, NAME_SIZE)) pax.push(['linkpath', h.linkname!]);
  if (needsText(h.uname, 32)) pax.push(['uname', h.uname!]);
  if (needsText(h.gname, 32)) pax.push(['gname', h.gname!]);
  if (size > MAX_OCTAL_11) pax.push(['size', String(size)]);
  if ((h.uid ?? 0) > MAX_OCTAL_7) pax.push(['uid', String(h.uid)]);
  if ((h.gid ?? 0) > MAX_OCTAL_7) pax.push(['gid', String(h.gid)]);
  if (pax.length === 0) return [ustarBlock(h, name, prefix, size)];

  // Go sorts the PAX keys and names the extended header path.Join(dir, "PaxHeaders.0", file).
  pax.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  const slash = h.name.lastIndexOf('/');
  let paxName = toASCII(posix.join(h.name.slice(0, slash + 1), 'PaxHeaders.0', h.name.slice(slash + 1)));
  if (paxName.length > NAME_SIZE) paxName = paxName.slice(0, NAME_SIZE);
  paxName = paxName.replace(/\/+$/, '');
  const xblk = ustarBlock({ name: paxName, typeflag: TypeXHeader }, paxName, '', data.length, true);
  // The main header keeps what fits; numbers that do not fit are written as zero.
  const clamp = (v: number | undefined, max: number) => (v !== undefined && v > max ? 0 : v);
  const main = ustarBlock(
    {
      ...h,
      uid: clamp(h.uid, MAX_OCTAL_7),
      gid: clamp(h.gid, MAX_OCTAL_7),
      linkname: toASCII(h.linkname ?? ''),
      uname: toASCII(h.uname ?? ''),
      gname: toASCII(h.gname ?? ''),
    },
    toASCII(h.name),
    '',
    size > MAX_OCTAL_11 ? 0 : size,
  );
  return [xblk, data, padding(data.length), main];
}

/** Where the writer puts bytes; `write` resolves once the sink can take more. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

/**
 * Writes members in order. Each member's body must be exactly the size given in its
 * header; `close` writes the two zero blocks Go's Writer ends with.
 */
export class TarWriter {
  private remaining = 0;
  private size = 0;
  private name = '';

  constructor(private readonly sink: ByteSink) {}

  async writeHeader(h: TarHeaderInit): Promise<void> {
    await this.finishEntry();
    for (const b of headerBlocks(h)) if (b.length) await this.sink.write(b);
    this.size = h.size ?? 0;
    this.remaining = this.size;
    this.name = h.name;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length > this.remaining) throw new TarError('archive/tar: write too long');
    this.remaining -= chunk.length;
    await this.sink.write(chunk);
  }

  private async finishEntry(): Promise<void> {
    if (this.remaining > 0) throw new TarError(`unexpected copy size for ${this.name}`);
    const pad = padding(this.size);
    this.size = 0;
    if (pad.length) await this.sink.write(pad);
  }

  async close(): Promise<void> {
    await this.finishEntry();
    await this.sink.write(Buffer.alloc(2 * BLOCK));
  }
}
