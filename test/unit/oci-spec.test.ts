// The runtime spec codec against Go's encoding/json as ctr shows it: field order and
// omitempty on output, key matching and error texts on input (expected texts were
// taken from the real ctr reading the same documents with --config).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultUnixSpec, namespaceRequired, cgroupsPath, cleanPath } from '../../src/oci/defaults.js';
import { indentSpec, marshalSpec, parseSpec, specType } from '../../src/oci/spec.js';
import { marshal } from '../../src/format/json.js';
import { toGoJSON } from '../../src/oci/gojson.js';

const fixture = readFileSync(new URL('./fixtures/oci-spec-default.json', import.meta.url), 'utf8');

test('the default spec is byte for byte what `ctr oci spec` prints', () => {
  assert.equal(`${indentSpec(defaultUnixSpec('default', ''))}\n`, fixture);
});

test('a spec read back and written again is unchanged', () => {
  assert.equal(`${indentSpec(parseSpec(fixture))}\n`, fixture);
});

test('json.Marshal of a spec: compact, Go field order, zero values kept where not omitempty', () => {
  assert.equal(marshalSpec({ ociVersion: '', process: { user: { uid: 0, gid: 0 }, cwd: '' }, root: { path: '' } }),
    '{"ociVersion":"","process":{"user":{"uid":0,"gid":0},"cwd":""},"root":{"path":""}}');
  assert.equal(marshalSpec({ ociVersion: 'x', annotations: { b: '1', a: '<&>' } }),
    '{"ociVersion":"x","annotations":{"a":"\\u003c\\u0026\\u003e","b":"1"}}');
});

test('keys match without regard to case, unknown keys are dropped, null leaves values alone', () => {
  const s = parseSpec('{"OCIVERSION":"1.0.2","Process":{"CWD":"/x","user":{"UID":5},"terminal":true},"unknown":[1,{"a":null}],"root":null}');
  assert.equal(marshalSpec(s), '{"ociVersion":"1.0.2","process":{"terminal":true,"user":{"uid":5,"gid":0},"cwd":"/x"}}');
});

test('the one-pass marshal writes what marshal(toGoJSON(...)) writes', () => {
  const specs = [
    parseSpec(fixture),
    parseSpec('{"ociVersion":"1","process":{"user":{"uid":7,"additionalGids":null},"env":[],"rlimits":[{"type":"X","hard":18446744073709551615,"soft":1}]},'
      + '"annotations":{"\u00e9":"1","z":"","a\u2028":"<>"},"linux":{"sysctl":{},"resources":{"devices":[{"allow":false}]},"seccomp":{"defaultAction":"","architectures":null}}}'),
    // Values no decoded spec holds, only through the number formatting both share.
    { ociVersion: '', process: { user: { uid: -0, gid: 1e21 }, cwd: '', oomScoreAdj: -1 } } as unknown as Parameters<typeof marshalSpec>[0],
    { ociVersion: '', hooks: { prestart: [{ path: '/x', args: ['a"b\\'], timeout: 0 }] }, mounts: [] },
  ];
  for (const s of specs) assert.equal(marshalSpec(s), marshal(toGoJSON(specType, s)));
});

test('64-bit numbers keep every digit', () => {
  const s = parseSpec('{"process":{"user":{"uid":4294967295},"rlimits":[{"type":"X","hard":18446744073709551615,"soft":0}]}}');
  assert.match(marshalSpec(s), /"hard":18446744073709551615,"soft":0/);
  assert.match(marshalSpec(s), /"uid":4294967295/);
});

const decodeErrors: Array<[string, string]> = [
  ['{"ociVersion": 1}', 'json: cannot unmarshal number into Go struct field Spec.ociVersion of type string'],
  ['[1,2]', 'json: cannot unmarshal array into Go value of type specs.Spec'],
  ['"abc"', 'json: cannot unmarshal string into Go value of type specs.Spec'],
  ['{"process": {"args": "x"}}', 'json: cannot unmarshal string into Go struct field Process.process.args of type []string'],
  ['{"process": {"args": [1]}}', 'json: cannot unmarshal number into Go struct field Process.process.args of type string'],
  ['{"process": {"user": {"uid": -1}}}', 'json: cannot unmarshal number -1 into Go struct field User.process.user.uid of type uint32'],
  ['{"process": {"user": {"uid": 1.5}}}', 'json: cannot unmarshal number 1.5 into Go struct field User.process.user.uid of type uint32'],
  ['{"process": {"user": {"uid": 1e3}}}', 'json: cannot unmarshal number 1e3 into Go struct field User.process.user.uid of type uint32'],
  ['{"linux": {"resources": {"memory": {"limit": "x"}}}}', 'json: cannot unmarshal string into Go struct field LinuxMemory.linux.resources.memory.limit of type int64'],
  ['{"annotations": {"a": 1}}', 'json: cannot unmarshal number into Go struct field Spec.annotations of type string'],
  ['{"mounts": [{"destination": true}]}', 'json: cannot unmarshal bool into Go struct field Mount.mounts.destination of type string'],
  ['{"linux": {"namespaces": [{"type": 5}]}}', 'json: cannot unmarshal number into Go struct field LinuxNamespace.linux.namespaces.type of type specs.LinuxNamespaceType'],
  ['{"linux": {"resources": {"cpu": {"shares": 18446744073709551616}}}}', 'json: cannot unmarshal number 18446744073709551616 into Go struct field LinuxCPU.linux.resources.cpu.shares of type uint64'],
  ['{"linux": {"seccomp": {"syscalls": [{"args": [{"index": -1}]}]}}}', 'json: cannot unmarshal number -1 into Go struct field LinuxSeccompArg.linux.seccomp.syscalls.args.index of type uint'],
  ['{"ociVersion": "1", }', "invalid character '}' looking for beginning of object key string"],
  ['{"ociVersion": "1"} x', "invalid character 'x' after top-level value"],
  ["{'a': 1}", "invalid character '\\'' looking for beginning of object key string"],
  ['{"a" 1}', "invalid character '1' after object key"],
  ['{"a": tru}', "invalid character '}' in literal true (expecting 'e')"],
  ['{"a": "\\x"}', "invalid character 'x' in string escape code"],
  ['{"a": 01}', "invalid character '1' after object key:value pair"],
  ['{"a": -}', "invalid character '}' in numeric literal"],
  ['{"a": 1.}', "invalid character '}' after decimal point in numeric literal"],
  ['{"a": 1e}', "invalid character '}' in exponent of numeric literal"],
  ['{"a": "b', 'unexpected end of JSON input'],
  ['', 'unexpected end of JSON input'],
];

test("decoding errors carry Go's texts", () => {
  for (const [doc, message] of decodeErrors) {
    assert.throws(() => parseSpec(doc), (e: unknown) => (e as Error).message === message, `${doc} → ${message}`);
  }
});

test('namespace checks and cgroup paths as containerd makes them', () => {
  assert.equal(cgroupsPath('default', ''), '/default');
  assert.equal(cgroupsPath('ns', 'c1'), '/ns/c1');
  assert.equal(cleanPath('//a/./b/../c/'), '/a/c');
  assert.throws(() => namespaceRequired(''), /^Error: namespace is required: failed precondition$/);
  assert.throws(() => namespaceRequired('a/b'), {
    message: 'namespace validation: identifier "a/b" must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$: invalid argument',
  });
  assert.throws(() => namespaceRequired('n'.repeat(77)), { message: `namespace validation: identifier "${'n'.repeat(77)}" greater than maximum length (76 characters): invalid argument` });
});
