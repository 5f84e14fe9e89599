// Reading /etc/passwd and /etc/group straight from overlay layer directories: only when
// the answer is plain; everything else is left to a real mount (NeedsMount).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layeredRead, NeedsMount, unmountedLayers } from '../../src/oci/user.js';

function layers(spec: Record<string, Record<string, string | { link: string } | 'dir'>>): { dirs: string[]; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  const dirs = Object.entries(spec).map(([name, files]) => {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const [path, what] of Object.entries(files)) {
      const p = join(dir, path);
      mkdirSync(join(p, '..'), { recursive: true });
      if (what === 'dir') mkdirSync(p, { recursive: true });
      else if (typeof what === 'string') writeFileSync(p, what);
      else symlinkSync(what.link, p);
    }
    return dir;
  });
  return { dirs, done: () => rmSync(root, { recursive: true, force: true }) };
}

const needsMount = (read: () => unknown) => assert.throws(read, (e) => e instanceof NeedsMount);

test('the topmost layer with the first component answers when it holds a regular file', () => {
  const l = layers({ upper: {}, top: { 'data/x': 'y' }, mid: { 'etc/group': 'mid\n' }, base: { 'etc/group': 'base\n' } });
  try {
    assert.equal(layeredRead(l.dirs, '/etc/group'), 'mid\n');
    assert.equal(layeredRead(l.dirs, 'etc//group'), 'mid\n');
  } finally {
    l.done();
  }
});

test('a directory above without the file (maybe opaque), a symlink, a missing file: the mount decides', () => {
  const l = layers({ top: { etc: 'dir' }, base: { 'etc/group': 'base\n' } });
  const s = layers({ top: { 'etc/group': { link: '/usr/share/group' } } });
  const t = layers({ top: { etc: { link: 'usr/etc' } }, base: { 'usr/etc/group': 'g\n' } });
  try {
    needsMount(() => layeredRead(l.dirs, '/etc/group'));
    needsMount(() => layeredRead(s.dirs, '/etc/group'));
    needsMount(() => layeredRead(t.dirs, '/etc/group'));
    needsMount(() => layeredRead(l.dirs, '/etc/passwd'));
    needsMount(() => layeredRead(l.dirs, '/nothing/here'));
  } finally {
    l.done();
    s.done();
    t.done();
  }
});

test('only plain overlay and bind mounts are read unmounted', () => {
  const ov = (...options: string[]) => [{ type: 'overlay', source: 'overlay', options }];
  // The module default for metacopy comes from the host; with it on, nothing is read unmounted.
  const plain = unmountedLayers(ov('index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/a:/b', 'ro'));
  assert.ok(plain === undefined || JSON.stringify(plain) === JSON.stringify(['/u', '/a', '/b']));
  assert.equal(unmountedLayers(ov('lowerdir=/a\\:x:/b')), undefined);
  assert.equal(unmountedLayers(ov('lowerdir=/a', 'redirect_dir=on')), undefined);
  assert.equal(unmountedLayers(ov('upperdir=/u')), undefined);
  assert.equal(unmountedLayers([...ov('lowerdir=/a'), ...ov('lowerdir=/b')]), undefined);
  assert.deepEqual(unmountedLayers([{ type: 'bind', source: '/snap/fs', options: ['rbind', 'ro'] }]), ['/snap/fs']);
  assert.equal(unmountedLayers([{ type: 'tmpfs', source: 'tmpfs', options: [] }]), undefined);
});
