// --log-uri goes through Go's url.Parse and URL.String() before the shim sees it; the
// expected texts were produced by Go 1.19.8 (the toolchain of Debian's ctr 1.6.20).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { normalizeLogURI } from '../../src/taskio/loguri.js';

interface Fixture { in: string; out?: string; err?: string }
const fixtures: Fixture[] = JSON.parse(readFileSync(new URL('./fixtures/taskio-url.json', import.meta.url), 'utf8'));

for (const f of fixtures) {
  test(`url ${JSON.stringify(f.in)}`, () => {
    if (f.err) assert.throws(() => normalizeLogURI(f.in), { message: f.err });
    else assert.equal(normalizeLogURI(f.in), f.out ?? '');
  });
}
