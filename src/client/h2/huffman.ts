// HPACK Huffman decoding (RFC 7541 §5.2, Appendix B).
//
// The Appendix B code is canonical: ordering symbols by (code length, symbol value)
// and counting upwards reproduces every code. So the whole table is just the code
// length of each of the 257 symbols (256 octets + EOS). Each character below is one
// length, 'a' = 5 bits ... 'z' = 30 bits, symbol 0 first and EOS last.
const CODE_LENGTHS =
  'isxxxxxxxtzxxzxxxxxxxxzxxxxxxxxxbffhibdgffdgdbbbaaabbbbbbbcdkbhfibccccccccccccccccccccccdcdioijbkabababbbaccbbbabcbaabccccckgjixprpprrrsrssssststtrstssssqrsrsstrqprrssqsrrtqrssqqrqsrssprrrsrrsvvporsruvvvwwvtuoqvwwvwtqqvvxwwwptpqrqqsrruuttvsvwvvwwwwwxwwwwwvz';

const EOS = 256;
const MAX_LEN = 30;

interface CanonicalTable {
  /** Smallest code of each length. */
  first: Int32Array;
  /** How many codes have each length. */
  count: Int32Array;
  /** Index into `symbols` of the first symbol of each length. */
  offset: Int32Array;
  /** Symbols ordered by (length, value). */
  symbols: Uint16Array;
}

let table: CanonicalTable | undefined;

/** Code length of a symbol, from CODE_LENGTHS. */
const codeLength = (symbol: number) => CODE_LENGTHS.charCodeAt(symbol) - 97 + 5;

function buildTable(): CanonicalTable {
  const count = new Int32Array(MAX_LEN + 1);
  for (let sym = 0; sym <= EOS; sym++) count[codeLength(sym)]++;
  const offset = new Int32Array(MAX_LEN + 1);
  const first = new Int32Array(MAX_LEN + 1);
  for (let len = 1, code = 0, index = 0; len <= MAX_LEN; len++) {
    first[len] = code;
    offset[len] = index;
    code = (code + count[len]) << 1;
    index += count[len];
  }
  // Symbols are visited in increasing order, so each length's run ends up sorted.
  const symbols = new Uint16Array(EOS + 1);
  const next = offset.slice();
  for (let sym = 0; sym <= EOS; sym++) symbols[next[codeLength(sym)]++] = sym;
  return { first, count, offset, symbols };
}

/** The code (as an integer) and bit length of a symbol; for tests and diagnostics. */
export function huffmanCode(symbol: number): { code: number; bits: number } {
  const t = (table ??= buildTable());
  for (let len = 1; len <= MAX_LEN; len++) {
    for (let i = 0; i < t.count[len]; i++) {
      if (t.symbols[t.offset[len] + i] === symbol) return { code: t.first[len] + i, bits: len };
    }
  }
  throw new RangeError(`no Huffman code for symbol ${symbol}`);
}

/** Decodes a Huffman-coded string literal; throws on EOS or invalid padding. */
export function huffmanDecode(input: Uint8Array): Buffer {
  const t = (table ??= buildTable());
  // Codes are at least 5 bits, so the output is never longer than 8/5 of the input.
  const out = Buffer.allocUnsafe(Math.ceil((input.length * 8) / 5));
  let n = 0;
  let code = 0;
  let len = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    for (let bit = 7; bit >= 0; bit--) {
      code = (code << 1) | ((byte >> bit) & 1);
      len++;
      const index = code - t.first[len];
      if (index >= 0 && index < t.count[len]) {
        const sym = t.symbols[t.offset[len] + index];
        if (sym === EOS) throw new Error('HPACK: Huffman string contains EOS');
        out[n++] = sym;
        code = 0;
        len = 0;
      } else if (len >= MAX_LEN) {
        throw new Error('HPACK: invalid Huffman code');
      }
    }
  }
  // Padding: fewer than 8 bits, all ones (a prefix of EOS).
  if (len > 7 || code !== (1 << len) - 1) throw new Error('HPACK: invalid Huffman padding');
  return out.subarray(0, n);
}
