// containerd's mount.WithTempMount over the system mount(8): the snapshot's mounts are
// mounted on a fresh temp dir (named as Go's os.MkdirTemp names it, since the path shows
// up in error texts), the callback runs, then everything is unmounted and the dir removed.
// Needs root, like ctr.

import { readFileSync, realpathSync } from 'node:fs';
import { mkdir, rmdir } from '../util/fs.js';
import { os } from '../util/os.js';
import { randomUint32 } from '../util/random.js';
import type { Mount } from '../api/github.com/containerd/containerd/api/types/mount.js';

// node:child_process is loaded when first needed: it costs `run` several ms to load.
async function run(cmd: string, args: string[]): Promise<void> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, _stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().replace(/^(u?mount): /, '')));
      else resolve();
    });
  });
}

/** Go's os.MkdirTemp(dir, "containerd-mount"): the pattern plus a random uint32. */
async function makeTempDir(): Promise<string> {
  const base = (process.env.XDG_RUNTIME_DIR || os().tmpdir()).replace(/\/+$/, '') || '/';
  for (;;) {
    const dir = `${base}/containerd-mount${randomUint32()}`;
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`failed to create temp dir: ${(e as Error).message}`);
    }
  }
}

/** mount.All: each mount in turn on `target`. */
export async function mountAll(mounts: readonly Mount[], target: string): Promise<void> {
  for (const m of mounts) {
    const args = ['-t', m.type || 'none'];
    if (m.options.length > 0) args.push('-o', m.options.join(','));
    await run('mount', [...args, m.source || 'none', target]);
  }
}

/** Whether something is mounted on `path` (an absolute, clean path), per /proc/self/mountinfo. */
export function isMountPoint(path: string): boolean | undefined {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
    path = realpathSync(path);
  } catch {
    return undefined;
  }
  // Field 5 is the mount point, with space, tab, newline and backslash octal-escaped.
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/**
 * mount.UnmountAll: unmount until nothing is mounted on `target`. (Go loops until
 * umount fails; mountinfo tells the same without one more umount process.)
 */
export async function unmountAll(target: string): Promise<void> {
  for (let i = 0; i < 64; i++) {
    try {
      await run('umount', [target]);
    } catch {
      return;
    }
    if (isMountPoint(target) === false) return;
  }
}

/** oci's tryReadonlyMounts: a single overlay mount is mounted read-only. */
export function tryReadonlyMounts(mounts: Mount[]): Mount[] {
  if (mounts.length === 1 && mounts[0]!.type === 'overlay') return [{ ...mounts[0]!, options: [...mounts[0]!.options, 'ro'] }];
  return mounts;
}

export async function withTempMount<T>(mounts: readonly Mount[], fn: (root: string) => Promise<T>): Promise<T> {
  const root = await makeTempDir();
  try {
    try {
      await mountAll(mounts, root);
    } catch (e) {
      throw new Error(`failed to mount ${root}: ${(e as Error).message}`);
    }
    try {
      return await fn(root);
    } catch (e) {
      throw new Error(`mount callback failed on ${root}: ${(e as Error).message}`);
    }
  } finally {
    await unmountAll(root);
    await rmdir(root).catch(() => {});
  }
}
