// HPACK (RFC 7541). The decoder is complete (static + dynamic table, size updates,
// Huffman); the encoder only emits static-table indexes and literals without
// indexing and without Huffman, which is legal and keeps the peer's table unused.
// Header names and values are handled as latin1 so that one character is one octet.
import { huffmanDecode } from './huffman.js';

export type Header = [name: string, value: string];

/** RFC 7541 Appendix A; index 1 is the first entry. "name" or "name value". */
export const STATIC_TABLE: readonly Header[] = [
  ':authority', ':method GET', ':method POST', ':path /', ':path /index.html', ':scheme http',
  ':scheme https', ':status 200', ':status 204', ':status 206', ':status 304', ':status 400',
  ':status 404', ':status 500', 'accept-charset', 'accept-encoding gzip, deflate', 'accept-language',
  'accept-ranges', 'accept', 'access-control-allow-origin', 'age', 'allow', 'authorization',
  'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-length',
  'content-location', 'content-range', 'content-type', 'cookie', 'date', 'etag', 'expect', 'expires',
  'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'link', 'location', 'max-forwards', 'proxy-authenticate', 'proxy-authorization',
  'range', 'referer', 'refresh', 'retry-after', 'server', 'set-cookie', 'strict-transport-security',
  'transfer-encoding', 'user-agent', 'vary', 'via', 'www-authenticate',
].map((entry): Header => {
  const space = entry.indexOf(' ');
  return space < 0 ? [entry, ''] : [entry.slice(0, space), entry.slice(space + 1)];
});

/** Per-entry overhead counted in the table size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

export class HpackError extends Error {
  constructor(message: string) {
    super(`HPACK: ${message}`);
    this.name = 'HpackError';
  }
}

export class HpackDecoder {
  /** Newest entry first, so dynamic index 1 (overall 62) is entries[0]. */
  private entries: Header[] = [];
  private size = 0;
  private capacity: number;

  /** @param maxTableSize our SETTINGS_HEADER_TABLE_SIZE: the largest size the peer may choose. */
  constructor(private readonly maxTableSize = 4096) {
    this.capacity = maxTableSize;
  }

  /** Current dynamic table contents and size, for tests. */
  get dynamicTable(): { entries: readonly Header[]; size: number; capacity: number } {
    return { entries: this.entries, size: this.size, capacity: this.capacity };
  }

  decode(block: Uint8Array): Header[] {
    const headers: Header[] = [];
    let pos = 0;
    let fieldSeen = false;

    const readInt = (prefixBits: number): number => {
      if (pos >= block.length) throw new HpackError('truncated integer');
      const max = (1 << prefixBits) - 1;
      let value = block[pos++] & max;
      if (value < max) return value;
      let shift = 0;
      for (;;) {
        if (pos >= block.length) throw new HpackError('truncated integer');
        const byte = block[pos++];
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (value > 0xffffffff) throw new HpackError('integer overflow');
        if ((byte & 0x80) === 0) return value;
      }
    };
    const readString = (): string => {
      if (pos >= block.length) throw new HpackError('truncated string');
      const huffman = (block[pos] & 0x80) !== 0;
      const length = readInt(7);
      if (pos + length > block.length) throw new HpackError('truncated string');
      const raw = block.subarray(pos, pos + length);
      pos += length;
      let bytes: Uint8Array;
      try {
        bytes = huffman ? huffmanDecode(raw) : raw;
      } catch (e) {
        throw new HpackError((e as Error).message.replace(/^HPACK: /, ''));
      }
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    };

    while (pos < block.length) {
      const byte = block[pos];
      if (byte & 0x80) {
        // Indexed header field.
        const index = readInt(7);
        if (index === 0) throw new HpackError('index 0');
        headers.push(this.lookup(index));
        fieldSeen = true;
      } else if (byte & 0x40) {
        // Literal with incremental indexing.
        const index = readInt(6);
        const name = index === 0 ? readString() : this.lookup(index)[0];
        const header: Header = [name, readString()];
        headers.push(header);
        this.insert(header);
        fieldSeen = true;
      } else if (byte & 0x20) {
        // Dynamic table size update: only before the first field of a block.
        if (fieldSeen) throw new HpackError('table size update after a header field');
        const newSize = readInt(5);
        if (newSize > this.maxTableSize) throw new HpackError(`table size ${newSize} exceeds limit`);
        this.capacity = newSize;
        this.evict(0);
      } else {
        // Literal without indexing (0000) or never indexed (0001).
        const index = readInt(4);
        const name = index === 0 ? readString() : this.lookup(index)[0];
        headers.push([name, readString()]);
        fieldSeen = true;
      }
    }
    return headers;
  }

  private lookup(index: number): Header {
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1];
    const entry = this.entries[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`index ${index} out of range`);
    return entry;
  }

  private insert(header: Header): void {
    const entrySize = header[0].length + header[1].length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (RFC 7541 §4.4).
    this.evict(entrySize);
    if (entrySize <= this.capacity) {
      this.entries.unshift(header);
      this.size += entrySize;
    }
  }

  /** Evicts oldest entries until `room` more octets fit (or the table is empty). */
  private evict(room: number): void {
    while (this.entries.length > 0 && this.size + room > this.capacity) {
      const old = this.entries.pop()!;
      this.size -= old[0].length + old[1].length + ENTRY_OVERHEAD;
    }
  }
}

const staticFullIndex = new Map<string, number>();
const staticNameIndex = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  staticFullIndex.set(`${name}\0${value}`, i + 1);
  if (!staticNameIndex.has(name)) staticNameIndex.set(name, i + 1);
});

/** Writes an HPACK integer at `pos` of `buf`; returns the position after it. */
function writeInt(buf: Buffer, pos: number, value: number, prefixBits: number, firstByteFlags: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    buf[pos++] = firstByteFlags | value;
    return pos;
  }
  buf[pos++] = firstByteFlags | max;
  value -= max;
  while (value >= 0x80) {
    buf[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[pos++] = value;
  return pos;
}

/** A string literal without Huffman coding: length, then one byte per UTF-16 unit (low byte). */
function writeString(buf: Buffer, pos: number, s: string): number {
  pos = writeInt(buf, pos, s.length, 7, 0);
  return pos + buf.write(s, pos, s.length, 'latin1');
}

/** Encodes a header list without touching any dynamic table. */
export function encodeHeaders(headers: readonly Header[]): Buffer {
  // Each literal needs its bytes plus at most 6 bytes of length prefix, plus 1 byte of type.
  let room = 0;
  for (const [name, value] of headers) room += name.length + value.length + 13;
  const buf = Buffer.allocUnsafe(room);
  let pos = 0;
  for (const [name, value] of headers) {
    const full = staticFullIndex.get(`${name}\0${value}`);
    if (full !== undefined) {
      pos = writeInt(buf, pos, full, 7, 0x80);
      continue;
    }
    const nameIndex = staticNameIndex.get(name);
    if (nameIndex !== undefined) {
      pos = writeInt(buf, pos, nameIndex, 4, 0x00);
    } else {
      buf[pos++] = 0x00;
      pos = writeString(buf, pos, name);
    }
    pos = writeString(buf, pos, value);
  }
  return buf.subarray(0, pos);
}
