// Mounting snapshot mounts with the system's mount(8) and taking them down with
// umount(8), reporting failures with the errno texts ctr's mount package gives
// (it calls mount(2) itself).

import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { Mount } from '../../api/github.com/containerd/containerd/api/types/mount.js';
import { errnoText } from '../../util/errno.js';

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

/** What mount(8) said, as the errno text mount(2) would have given ctr. */
function mountErrorText(stderr: string): string {
  const s = stderr.toLowerCase();
  const code = s.includes('does not exist') || s.includes('no such file') ? 'ENOENT'
    : s.includes('not a directory') ? 'ENOTDIR'
      : s.includes('permission denied') || s.includes('must be superuser') || s.includes('operation not permitted') ? 'EPERM'
        : s.includes('busy') ? 'EBUSY'
          : s.includes('unknown filesystem type') ? 'ENODEV'
            : 'EINVAL';
  return errnoText(code)!;
}

/** mount.All: each mount on the target in turn. */
export async function mountAll(mounts: Mount[], target: string): Promise<void> {
  for (const m of mounts) {
    // mount(2) reports a missing or wrong target before anything else.
    try {
      if (!(await stat(target)).isDirectory() && m.type !== 'bind') throw Object.assign(new Error(), { code: 'ENOTDIR' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new Error(errnoText(code) ?? (e as Error).message);
    }
    const args: string[] = [];
    // Bind mounts are flags to mount(2); mount(8) wants them as options, without a type.
    if (m.type && m.type !== 'bind') args.push('-t', m.type);
    if (m.options.length) args.push('-o', m.options.join(','));
    args.push(m.source, target);
    const r = await run('mount', args);
    if (r.code !== 0) throw new Error(mountErrorText(r.stderr));
  }
}

/** Whether `path` is a mount point now (/proc/self/mountinfo, octal escapes decoded). */
async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return info.split('\n').some((line) => unescape(line.split(' ')[4] ?? '') === path);
}

/**
 * mount.UnmountAll: nothing when the target does not exist; otherwise unmount until it
 * is no mount point any more, retrying a busy target (50 × 50 ms) as ctr does.
 */
export async function unmountAll(target: string): Promise<void> {
  if (target === '') return;
  let path: string;
  try {
    path = await realpath(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  while (await isMountPoint(path)) {
    let busy = 0;
    for (;;) {
      const r = await run('umount', [path]);
      if (r.code === 0) break;
      const text = mountErrorText(r.stderr);
      if (text !== 'device or resource busy') throw new Error(text);
      if (++busy >= 50) throw new Error(`failed to unmount target ${target}: device or resource busy`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
