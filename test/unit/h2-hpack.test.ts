// HPACK decoder/encoder and Huffman table, checked against RFC 7541 Appendix C
// vectors and Appendix B codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackError, STATIC_TABLE, encodeHeaders, type Header } from '../../src/client/h2/hpack.js';
import { huffmanCode, huffmanDecode } from '../../src/client/h2/huffman.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

interface Step {
  block: string;
  headers: Header[];
  table: Header[]; // dynamic table afterwards, newest first
  size: number;
}

function runSeries(tableSize: number, steps: Step[]): void {
  const decoder = new HpackDecoder(tableSize);
  // The RFC's examples assume SETTINGS_HEADER_TABLE_SIZE=tableSize from the start.
  for (const step of steps) {
    assert.deepEqual(decoder.decode(hex(step.block)), step.headers);
    assert.deepEqual(decoder.dynamicTable.entries, step.table);
    assert.equal(decoder.dynamicTable.size, step.size);
  }
}

test('C.2 literal field representations', () => {
  const d = new HpackDecoder();
  // C.2.1 literal with indexing, new name
  assert.deepEqual(d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), [
    ['custom-key', 'custom-header'],
  ]);
  assert.equal(d.dynamicTable.size, 55);
  // C.2.2 literal without indexing, indexed name
  const d2 = new HpackDecoder();
  assert.deepEqual(d2.decode(hex('040c 2f73 616d 706c 652f 7061 7468')), [[':path', '/sample/path']]);
  assert.equal(d2.dynamicTable.entries.length, 0);
  // C.2.3 never indexed
  assert.deepEqual(d2.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), [['password', 'secret']]);
  assert.equal(d2.dynamicTable.entries.length, 0);
  // C.2.4 indexed
  assert.deepEqual(d2.decode(hex('82')), [[':method', 'GET']]);
});

const requestSteps = (blocks: [string, string, string]): Step[] => [
  {
    block: blocks[0],
    headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
    table: [[':authority', 'www.example.com']],
    size: 57,
  },
  {
    block: blocks[1],
    headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
    table: [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
    size: 110,
  },
  {
    block: blocks[2],
    headers: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
    table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
    size: 164,
  },
];

test('C.3 requests without Huffman', () => {
  runSeries(4096, requestSteps([
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ]));
});

test('C.4 requests with Huffman', () => {
  runSeries(4096, requestSteps([
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ]));
});

test('C.6 responses with Huffman and a 256-octet table: eviction', () => {
  const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
  const loc = 'https://www.example.com';
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  runSeries(256, [
    {
      block: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
              2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
      headers: [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', loc]],
      table: [['location', loc], ['date', date1], ['cache-control', 'private'], [':status', '302']],
      size: 222,
    },
    {
      // ':status: 307' is inserted and evicts ':status: 302'.
      block: '4883 640e ffc1 c0bf',
      headers: [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', loc]],
      table: [[':status', '307'], ['location', loc], ['date', date1], ['cache-control', 'private']],
      size: 222,
    },
    {
      block: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
              77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
              9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
      headers: [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', loc],
        ['content-encoding', 'gzip'], ['set-cookie', cookie]],
      table: [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]],
      size: 215,
    },
  ]);
});

test('dynamic table size updates', () => {
  const d = new HpackDecoder(4096);
  d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.equal(d.dynamicTable.entries.length, 1);
  // Size update to 0 (0x20) empties the table, then back to 4096 (0x3f e1 1f).
  d.decode(hex('20'));
  assert.deepEqual(d.dynamicTable, { entries: [], size: 0, capacity: 0 });
  d.decode(hex('3fe11f'));
  assert.equal(d.dynamicTable.capacity, 4096);
  // Index 62 no longer exists.
  assert.throws(() => d.decode(hex('be')), HpackError);
  // Above the SETTINGS_HEADER_TABLE_SIZE limit, or after a field: errors.
  assert.throws(() => new HpackDecoder(4096).decode(hex('3fe21f')), /exceeds limit/);
  assert.throws(() => new HpackDecoder().decode(hex('82 20')), /after a header field/);
  // An entry larger than the table empties it and is not inserted.
  const small = new HpackDecoder(40);
  small.decode(hex('20')); // capacity 0 ...
  small.decode(hex('3f09')); // ... then 40
  small.decode(hex('4001 61 0161')); // a: a = 34 octets
  assert.equal(small.dynamicTable.size, 34);
  small.decode(hex('4001 62 0462626262')); // b: bbbb = 37 octets: evicts a
  assert.deepEqual(small.dynamicTable.entries, [['b', 'bbbb']]);
  small.decode(hex('4001 63 0863636363636363 63')); // 41 octets: too large
  assert.deepEqual(small.dynamicTable.entries, []);
});

test('malformed blocks are errors', () => {
  const d = new HpackDecoder();
  assert.throws(() => d.decode(hex('80')), /index 0/);
  assert.throws(() => d.decode(hex('ff')), /truncated integer/);
  assert.throws(() => d.decode(hex('0005 6162')), /truncated string/);
  assert.throws(() => d.decode(hex('ffffffffff0f')), /overflow/);
});

test('Huffman: RFC example strings', () => {
  const cases: Array<[string, string]> = [
    ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
    ['a8eb 1064 9cbf', 'no-cache'],
    ['25a8 49e9 5ba9 7d7f', 'custom-key'],
    ['25a8 49e9 5bb8 e8b4 bf', 'custom-value'],
    ['6402', '302'],
    ['aec3 771a 4b', 'private'],
    ['9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3', 'https://www.example.com'],
  ];
  for (const [code, text] of cases) assert.equal(huffmanDecode(hex(code)).toString('latin1'), text);
});

test('Huffman: code table spot checks against RFC 7541 Appendix B', () => {
  const expected: Array<[number, number, number]> = [
    [0, 0x1ff8, 13], [1, 0x7fffd8, 23], [10, 0x3ffffffc, 30], [13, 0x3ffffffd, 30], [22, 0x3ffffffe, 30],
    [32, 0x14, 6], [48, 0x0, 5], [97, 0x3, 5], [101, 0x5, 5], [116, 0x9, 5], [122, 0x7b, 7],
    [255, 0x3ffffee, 26], [256, 0x3fffffff, 30],
  ];
  for (const [sym, code, bits] of expected) assert.deepEqual(huffmanCode(sym), { code, bits }, `symbol ${sym}`);
});

test('Huffman: every symbol round-trips through its code', () => {
  // Encode each symbol followed by EOS-prefix padding, then decode.
  for (let sym = 0; sym < 256; sym++) {
    const { code, bits } = huffmanCode(sym);
    const totalBits = Math.ceil(bits / 8) * 8;
    let value = BigInt(code) << BigInt(totalBits - bits);
    value |= (1n << BigInt(totalBits - bits)) - 1n;
    const bytes = Buffer.from(value.toString(16).padStart(totalBits / 4, '0'), 'hex');
    assert.deepEqual([...huffmanDecode(bytes)], [sym]);
  }
});

test('Huffman: invalid input', () => {
  assert.throws(() => huffmanDecode(hex('ffffffff')), /EOS/); // 30 ones = EOS
  assert.throws(() => huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff ff')), /padding/); // 8+ bits of padding
  assert.throws(() => huffmanDecode(hex('00')), /padding/); // '0' then 3 zero bits
  assert.equal(huffmanDecode(hex('')).length, 0);
});

test('encoder output decodes to the same list and never indexes', () => {
  const headers: Header[] = [
    [':method', 'POST'], [':scheme', 'http'], [':path', '/containerd.services.version.v1.Version/Version'],
    [':authority', 'localhost'], ['content-type', 'application/grpc'], ['te', 'trailers'],
    ['grpc-timeout', '1234m'], ['containerd-namespace', 'default'], ['x-long', 'v'.repeat(1337)],
  ];
  const block = encodeHeaders(headers);
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(block), headers);
  assert.equal(d.dynamicTable.entries.length, 0);
  // Fully indexed static entries use one octet.
  assert.deepEqual([...block.subarray(0, 2)], [0x83, 0x86]);
  // Integer continuation (RFC 7541 C.1.2 shape): length 1337 with a 7-bit prefix.
  const i = block.indexOf(Buffer.from([0x7f, 0xba, 0x09]));
  assert.ok(i > 0, 'length 1337 encoded as 7f ba 09');
});

test('static table has the 61 RFC entries', () => {
  assert.equal(STATIC_TABLE.length, 61);
  assert.deepEqual(STATIC_TABLE[0], [':authority', '']);
  assert.deepEqual(STATIC_TABLE[15], ['accept-encoding', 'gzip, deflate']);
  assert.deepEqual(STATIC_TABLE[60], ['www-authenticate', '']);
});
