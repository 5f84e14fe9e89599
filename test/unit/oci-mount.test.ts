// The temp mount used to read a container's rootfs: mounted, read, unmounted once (the
// mount table says when nothing is left), and the directory removed. Needs root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMountPoint, withTempMount } from '../../src/oci/mount.js';

const root = process.getuid?.() === 0;

test('isMountPoint reads the mount table, escapes included', { skip: !root && 'needs root to mount' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oci mount '));
  const src = mkdtempSync(join(tmpdir(), 'oci-src-'));
  try {
    writeFileSync(join(src, 'group'), 'root:x:0:\n');
    assert.equal(isMountPoint(dir), false);
    execFileSync('mount', ['-t', 'tmpfs', 'none', dir]);
    try {
      assert.equal(isMountPoint(dir), true, 'a mount point whose name has spaces');
    } finally {
      execFileSync('umount', [dir]);
    }
    assert.equal(isMountPoint(dir), false);
    assert.equal(isMountPoint('/proc'), true);
    let seen: string[] = [];
    let mounted: boolean | undefined;
    await withTempMount([{ type: 'bind', source: src, target: '', options: ['rbind', 'ro'] }], async (r) => {
      seen = readdirSync(r);
      mounted = isMountPoint(r);
    });
    assert.deepEqual(seen, ['group']);
    assert.equal(mounted, true);
    // Nothing of the temp mount is left: no containerd-mount* directory stays mounted.
    const left = readdirSync(process.env.XDG_RUNTIME_DIR || tmpdir()).filter((n) => n.startsWith('containerd-mount'))
      .filter((n) => isMountPoint(join(process.env.XDG_RUNTIME_DIR || tmpdir(), n)));
    assert.deepEqual(left, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(src, { recursive: true, force: true });
  }
  assert.equal(existsSync(dir), false);
});
