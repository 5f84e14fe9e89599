// Reference rules of the archive code against containerd's own functions (the
// fixture was produced with containerd 1.6's images/archive and reference packages):
// normalised docker-save tags, familiar manifest.json tags, OCI ref names, and the
// --base-name prefix translators of `ctr images import`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { familiarizeReference, normalizeReference, ociReferenceName, refTranslator } from '../../src/archive/reference.js';

interface Row {
  in: string;
  normalized?: string; normalized_err?: string;
  familiar?: string; familiar_err?: string;
  object: string;
  add_prefix: string; filter_prefix: string; filter_prefix_testbed: string;
}

const rows = JSON.parse(readFileSync(new URL('./fixtures/archive-reference.json', import.meta.url), 'utf8')) as Row[];
const q = JSON.stringify;

for (const r of rows) {
  test(`reference ${q(r.in)}`, () => {
    if (r.normalized_err !== undefined) {
      assert.throws(() => normalizeReference(r.in), { message: `normalize image ref ${q(r.in)}: ${r.normalized_err}` });
    } else {
      assert.equal(normalizeReference(r.in), r.normalized);
    }
    if (r.familiar_err !== undefined) {
      assert.throws(() => familiarizeReference(r.in), { message: `failed to parse ${q(r.in)}: ${r.familiar_err}` });
    } else {
      assert.equal(familiarizeReference(r.in), r.familiar);
    }
    assert.equal(ociReferenceName(r.in), r.object);
    assert.equal(refTranslator('foo/bar', false)(r.in), r.add_prefix);
    assert.equal(refTranslator('foo/bar', true)(r.in), r.filter_prefix);
    assert.equal(refTranslator('127.0.0.1:5000/testbed/busybox', true)(r.in), r.filter_prefix_testbed);
  });
}
