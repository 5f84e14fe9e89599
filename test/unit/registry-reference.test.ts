// Reference parsing: containerd's reference.Parse (texts checked against ctr 1.6's
// `images pull` errors) and docker's normalising grammar.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { familiarString, parseDockerRef, parseRef, refString } from '../../src/registry/reference.js';

const err = (ref: string) => {
  try {
    parseRef(ref);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
};

describe('reference.Parse', () => {
  it('splits locator and object', () => {
    const s = parseRef('127.0.0.1:5000/testbed/busybox:oci@sha256:abc');
    assert.equal(s.locator, '127.0.0.1:5000/testbed/busybox');
    assert.equal(s.object, 'oci@sha256:abc');
    assert.equal(s.digest(), 'sha256:abc');
    assert.equal(s.hostname(), '127.0.0.1:5000');
    assert.equal(parseRef('h/a@sha256:1').object, '@sha256:1');
    assert.equal(parseRef('h/a@sha256:1').toString(), 'h/a@sha256:1');
    assert.equal(parseRef('a//b').locator, 'a/b');
    assert.equal(parseRef('busybox').object, '');
  });
  it('fails with Go url.Parse texts', () => {
    assert.equal(err('Bad:ref'), 'parse "dummy://Bad:ref": invalid port ":ref" after host');
    assert.equal(err('busybox:latest'), 'parse "dummy://busybox:latest": invalid port ":latest" after host');
    assert.equal(err(' x'), 'parse "dummy:// x": invalid character " " in host name');
    assert.equal(err('http://127.0.0.1:5000/x:y'), 'invalid reference');
    assert.equal(err(''), 'hostname required');
    assert.equal(err('h/x%zz:t'), 'parse "dummy://h/x%zz:t": invalid URL escape "%zz"');
  });
});

describe('docker references', () => {
  it('normalises', () => {
    assert.equal(refString(parseDockerRef('busybox')), 'docker.io/library/busybox:latest');
    assert.equal(refString(parseDockerRef('localhost:5000/x')), 'localhost:5000/x:latest');
    assert.equal(refString(parseDockerRef(`busybox:1@sha256:${'a'.repeat(64)}`)), `docker.io/library/busybox@sha256:${'a'.repeat(64)}`);
    assert.equal(familiarString(parseDockerRef('docker.io/library/busybox:1')), 'busybox:1');
    assert.equal(familiarString(parseDockerRef('docker.io/foo/bar')), 'foo/bar:latest');
  });
  it('rejects', () => {
    assert.throws(() => parseDockerRef('Foo/bar'), /invalid reference format: repository name must be lowercase/);
    assert.throws(() => parseDockerRef('a'.repeat(64)), /cannot specify 64-byte hexadecimal strings/);
    assert.throws(() => parseDockerRef('x@sha256:zz'), /^ReferenceError: invalid reference format$|invalid reference format/);
  });
});
