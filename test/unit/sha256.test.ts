// The plain-JavaScript SHA-256 used for chain IDs agrees with node:crypto.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../src/images/sha256.js';
import { chainID } from '../../src/images/unpack.js';

test('sha256Hex matches node:crypto on every length around the block boundaries, and on UTF-8', () => {
  for (let n = 0; n <= 200; n++) {
    const s = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 31 + n) % 90))).join('');
    assert.equal(sha256Hex(s), createHash('sha256').update(s).digest('hex'), `length ${n}`);
  }
  const utf8 = 'é€𝄞 layers';
  assert.equal(sha256Hex(utf8), createHash('sha256').update(utf8).digest('hex'));
});

test('chain IDs: the first diff ID alone, then sha256 of "<chain> <next>"', () => {
  const ids = ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64), 'sha256:' + 'c'.repeat(64)];
  let want = ids[0]!;
  for (const id of ids.slice(1)) want = `sha256:${createHash('sha256').update(`${want} ${id}`).digest('hex')}`;
  assert.equal(chainID(ids), want);
  assert.equal(chainID(ids.slice(0, 1)), ids[0]);
});
