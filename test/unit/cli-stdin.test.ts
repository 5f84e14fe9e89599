// fdReadable: the CLI's stdin when fd 0 is a file or a device (see src/cli/stdin.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fdReadable } from '../../src/cli/stdin.js';

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('a file is read from its current offset to the end, in several reads, and its fd stays open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-stdin-'));
  try {
    const data = Buffer.alloc(200_000, 'x');
    data.write('head', 0);
    data.write('tail', data.length - 4);
    writeFileSync(join(dir, 'f'), data);
    const fd = openSync(join(dir, 'f'), 'r');
    try {
      readSync(fd, Buffer.alloc(4)); // like a shell that read a line before us
      assert.deepEqual(await readAll(fdReadable(fd)), data.subarray(4));
      assert.ok(fstatSync(fd).isFile());
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/dev/null ends at once', async () => {
  const fd = openSync('/dev/null', 'r');
  try {
    assert.equal((await readAll(fdReadable(fd))).length, 0);
  } finally {
    closeSync(fd);
  }
});
