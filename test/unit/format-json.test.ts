import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marshal, marshalIndent, indent, RawJSON, quoteString } from '../../src/format/json.js';

// Each case is a TypeScript value shaped like a Go value, with
// [json.Marshal, json.MarshalIndent(v, "", "    "), json.MarshalIndent(v, "> ", "\t")]
// as Go 1.19 printed them for that Go value.
const CASES: [string, unknown, [string, string, string]][] = [
  [
    'struct with maps, byte slices, nil and empty values, time and raw JSON',
    {
      Name: 'busybox',
      Size: 2048n,
      Labels: new Map([
        ['b', '2'],
        ['a', '1'],
      ]),
      Data: new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]),
      NilBytes: null,
      Empty: new Uint8Array(0),
      Nil: null,
      EmptyS: [],
      EmptyMap: new Map(),
      NilMap: null,
      Ptr: null,
      F: 2.5,
      B: true,
      Inner: { z: 7 },
      omit: undefined,
      When: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 60)),
      Raw: new RawJSON(' { "a" : [ 1 , 2 ] , "h":"<>&\u2028" , "e" : { } , "l":[ ] } '),
    },
    [
    "{\"Name\":\"busybox\",\"Size\":2048,\"Labels\":{\"a\":\"1\",\"b\":\"2\"},\"Data\":\"AAEC+vv8/f7/\",\"NilBytes\":null,\"Empty\":\"\",\"Nil\":null,\"EmptyS\":[],\"EmptyMap\":{},\"NilMap\":null,\"Ptr\":null,\"F\":2.5,\"B\":true,\"Inner\":{\"z\":7},\"When\":\"2024-01-02T03:04:05.06Z\",\"Raw\":{\"a\":[1,2],\"h\":\"\\u003c\\u003e\\u0026\\u2028\",\"e\":{},\"l\":[]}}",
    "{\n    \"Name\": \"busybox\",\n    \"Size\": 2048,\n    \"Labels\": {\n        \"a\": \"1\",\n        \"b\": \"2\"\n    },\n    \"Data\": \"AAEC+vv8/f7/\",\n    \"NilBytes\": null,\n    \"Empty\": \"\",\n    \"Nil\": null,\n    \"EmptyS\": [],\n    \"EmptyMap\": {},\n    \"NilMap\": null,\n    \"Ptr\": null,\n    \"F\": 2.5,\n    \"B\": true,\n    \"Inner\": {\n        \"z\": 7\n    },\n    \"When\": \"2024-01-02T03:04:05.06Z\",\n    \"Raw\": {\n        \"a\": [\n            1,\n            2\n        ],\n        \"h\": \"\\u003c\\u003e\\u0026\\u2028\",\n        \"e\": {},\n        \"l\": []\n    }\n}",
    "{\n> \t\"Name\": \"busybox\",\n> \t\"Size\": 2048,\n> \t\"Labels\": {\n> \t\t\"a\": \"1\",\n> \t\t\"b\": \"2\"\n> \t},\n> \t\"Data\": \"AAEC+vv8/f7/\",\n> \t\"NilBytes\": null,\n> \t\"Empty\": \"\",\n> \t\"Nil\": null,\n> \t\"EmptyS\": [],\n> \t\"EmptyMap\": {},\n> \t\"NilMap\": null,\n> \t\"Ptr\": null,\n> \t\"F\": 2.5,\n> \t\"B\": true,\n> \t\"Inner\": {\n> \t\t\"z\": 7\n> \t},\n> \t\"When\": \"2024-01-02T03:04:05.06Z\",\n> \t\"Raw\": {\n> \t\t\"a\": [\n> \t\t\t1,\n> \t\t\t2\n> \t\t],\n> \t\t\"h\": \"\\u003c\\u003e\\u0026\\u2028\",\n> \t\t\"e\": {},\n> \t\t\"l\": []\n> \t}\n> }"
  ],
  ],
  [
    'string escaping',
    ['<a href="x">&</a>', 'line\nbreak\ttab\rcr', '\x00\x01\x08\x0c\x1f\x7f', '\u2028\u2029', '日本語🙂', 'back\\slash "quote"', 'é', ''],
    [
    "[\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\",\"line\\nbreak\\ttab\\rcr\",\"\\u0000\\u0001\\u0008\\u000c\\u001f\",\"\\u2028\\u2029\",\"日本語🙂\",\"back\\\\slash \\\"quote\\\"\",\"é\",\"\"]",
    "[\n    \"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\",\n    \"line\\nbreak\\ttab\\rcr\",\n    \"\\u0000\\u0001\\u0008\\u000c\\u001f\",\n    \"\\u2028\\u2029\",\n    \"日本語🙂\",\n    \"back\\\\slash \\\"quote\\\"\",\n    \"é\",\n    \"\"\n]",
    "[\n> \t\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\",\n> \t\"line\\nbreak\\ttab\\rcr\",\n> \t\"\\u0000\\u0001\\u0008\\u000c\\u001f\",\n> \t\"\\u2028\\u2029\",\n> \t\"日本語🙂\",\n> \t\"back\\\\slash \\\"quote\\\"\",\n> \t\"é\",\n> \t\"\"\n> ]"
  ],
  ],
  [
    'float64 values',
    [0, -0, 1, 1.5, 1e20, 1e21, 1e-6, 1e-7, 1.5e-7, 123456789.123, 5e-324, 1.7976931348623157e308, 0.1, 100, -2.5e-10, 1e100, 12345678901234567890, 0.000001234],
    [
    "[0,-0,1,1.5,100000000000000000000,1e+21,0.000001,1e-7,1.5e-7,123456789.123,5e-324,1.7976931348623157e+308,0.1,100,-2.5e-10,1e+100,12345678901234567000,0.000001234]",
    "[\n    0,\n    -0,\n    1,\n    1.5,\n    100000000000000000000,\n    1e+21,\n    0.000001,\n    1e-7,\n    1.5e-7,\n    123456789.123,\n    5e-324,\n    1.7976931348623157e+308,\n    0.1,\n    100,\n    -2.5e-10,\n    1e+100,\n    12345678901234567000,\n    0.000001234\n]",
    "[\n> \t0,\n> \t-0,\n> \t1,\n> \t1.5,\n> \t100000000000000000000,\n> \t1e+21,\n> \t0.000001,\n> \t1e-7,\n> \t1.5e-7,\n> \t123456789.123,\n> \t5e-324,\n> \t1.7976931348623157e+308,\n> \t0.1,\n> \t100,\n> \t-2.5e-10,\n> \t1e+100,\n> \t12345678901234567000,\n> \t0.000001234\n> ]"
  ],
  ],
  [
    'int64 and uint64 extremes',
    [9223372036854775807n, -9223372036854775808n, 18446744073709551615n, 0n],
    [
    "[9223372036854775807,-9223372036854775808,18446744073709551615,0]",
    "[\n    9223372036854775807,\n    -9223372036854775808,\n    18446744073709551615,\n    0\n]",
    "[\n> \t9223372036854775807,\n> \t-9223372036854775808,\n> \t18446744073709551615,\n> \t0\n> ]"
  ],
  ],
  [
    'nested maps (sorted) and empty containers',
    new Map<string, unknown>([
      ['b', []],
      ['a', new Map()],
      ['c', [1n, 'x', null, true, new Map<string, unknown>([['z', 1n], ['y', [[]]]])]],
    ]),
    [
    "{\"a\":{},\"b\":[],\"c\":[1,\"x\",null,true,{\"y\":[[]],\"z\":1}]}",
    "{\n    \"a\": {},\n    \"b\": [],\n    \"c\": [\n        1,\n        \"x\",\n        null,\n        true,\n        {\n            \"y\": [\n                []\n            ],\n            \"z\": 1\n        }\n    ]\n}",
    "{\n> \t\"a\": {},\n> \t\"b\": [],\n> \t\"c\": [\n> \t\t1,\n> \t\t\"x\",\n> \t\tnull,\n> \t\ttrue,\n> \t\t{\n> \t\t\t\"y\": [\n> \t\t\t\t[]\n> \t\t\t],\n> \t\t\t\"z\": 1\n> \t\t}\n> \t]\n> }"
  ],
  ],
  [
    'map keys sort by UTF-8 bytes',
    new Map([
      ['b', 1],
      ['a', 2],
      ['B', 3],
      ['é', 4],
      ['z', 5],
      ['\uffff', 6],
      ['🙂', 7],
      ['', 8],
      ['aa', 9],
    ]),
    [
    "{\"\":8,\"B\":3,\"a\":2,\"aa\":9,\"b\":1,\"z\":5,\"é\":4,\"￿\":6,\"🙂\":7}",
    "{\n    \"\": 8,\n    \"B\": 3,\n    \"a\": 2,\n    \"aa\": 9,\n    \"b\": 1,\n    \"z\": 5,\n    \"é\": 4,\n    \"￿\": 6,\n    \"🙂\": 7\n}",
    "{\n> \t\"\": 8,\n> \t\"B\": 3,\n> \t\"a\": 2,\n> \t\"aa\": 9,\n> \t\"b\": 1,\n> \t\"z\": 5,\n> \t\"é\": 4,\n> \t\"￿\": 6,\n> \t\"🙂\": 7\n> }"
  ],
  ],
  ['nil', null, [
    "null",
    "null",
    "null"
  ]],
  ['a bare string', 'just <text>', [
    "\"just \\u003ctext\\u003e\"",
    "\"just \\u003ctext\\u003e\"",
    "\"just \\u003ctext\\u003e\""
  ]],
  ['empty struct', {}, [
    "{}",
    "{}",
    "{}"
  ]],
  ['slice of an empty slice', [[]], [
    "[[]]",
    "[\n    []\n]",
    "[\n> \t[]\n> ]"
  ]],
];

test('json.Marshal and json.MarshalIndent layouts', () => {
  for (const [name, value, [compact, four, prefixed]] of CASES) {
    assert.equal(marshal(value), compact, name);
    assert.equal(marshalIndent(value, '', '    '), four, name);
    assert.equal(marshalIndent(value, '> ', '\t'), prefixed, name);
    assert.equal(indent(compact, '', '    '), four, name);
  }
});

test('unsupported values fail with Go\'s message', () => {
  assert.throws(() => marshal(NaN), { message: 'json: unsupported value: NaN' });
  assert.throws(() => marshal([-Infinity]), { message: 'json: unsupported value: -Inf' });
  assert.throws(() => marshal(new RawJSON('{bad')));
});

test('lone surrogates become \\ufffd, as Go does for invalid UTF-8', () => {
  assert.equal(quoteString('a\ud800b\udc00'), '"a\\ufffdb\\ufffd"');
  assert.equal(quoteString('🙂'), '"🙂"');
});
