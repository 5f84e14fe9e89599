// Host device nodes as containerd's oci package reads them (DeviceFromPath, getDevices,
// HostDevices): for --device and --privileged.

import { lstatSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
import { errnoText } from '../util/errno.js';
import type { LinuxDevice, Spec } from './spec.js';
import type { SpecOpt } from './opts.js';

const S_IFMT = 0o170000n;
const S_IFBLK = 0o060000n;
const S_IFCHR = 0o020000n;
const S_IFIFO = 0o010000n;

class NotADeviceError extends Error {
  constructor() {
    super('not a device node');
  }
}

/** unix.Major / unix.Minor of a Linux dev_t. */
export const devMajor = (dev: bigint): number => Number(((dev & 0xfff00n) >> 8n) | ((dev & 0xfffff00000000000n) >> 32n));
export const devMinor = (dev: bigint): number => Number((dev & 0xffn) | ((dev & 0xffffff00000n) >> 12n));

/** oci.DeviceFromPath: the node at `path` (not following a final symlink). */
export function deviceFromPath(path: string): LinuxDevice {
  let st: BigIntStats;
  try {
    st = lstatSync(path, { bigint: true });
  } catch (e) {
    // unix.Lstat returns a bare errno.
    throw new Error(errnoText((e as NodeJS.ErrnoException).code) ?? (e as Error).message, { cause: e });
  }
  const kind = st.mode & S_IFMT;
  const type = kind === S_IFBLK ? 'b' : kind === S_IFCHR ? 'c' : kind === S_IFIFO ? 'p' : undefined;
  if (!type) throw new NotADeviceError();
  return {
    type,
    path,
    major: devMajor(st.rdev),
    minor: devMinor(st.rdev),
    fileMode: Number(st.mode & ~S_IFMT),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

const skippedDirs = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** oci.getDevices: a device node, or every device under a directory. */
export function getDevices(path: string, containerPath: string): LinuxDevice[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new Error(`error stating device path: stat ${path}: ${errnoText((e as NodeJS.ErrnoException).code) ?? (e as Error).message}`);
  }
  if (!st.isDirectory()) {
    const dev = deviceFromPath(path);
    if (containerPath !== '') dev.path = containerPath;
    return [dev];
  }
  const out: LinuxDevice[] = [];
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name));
  for (const f of entries) {
    const full = `${path.replace(/\/+$/, '')}/${f.name}`;
    if (f.isDirectory()) {
      if (skippedDirs.has(f.name)) continue;
      out.push(...getDevices(full, containerPath !== '' ? `${containerPath}/${f.name}` : ''));
      continue;
    }
    if (f.name === 'console') continue;
    let dev: LinuxDevice;
    try {
      dev = deviceFromPath(full);
    } catch (e) {
      if (e instanceof NotADeviceError) continue;
      if ((e as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') continue;
      throw e;
    }
    if (dev.type === 'p') continue;
    if (containerPath !== '') dev.path = `${containerPath}/${f.name}`;
    out.push(dev);
  }
  return out;
}

/** oci.WithHostDevices: every device under /dev. */
export const withHostDevices: SpecOpt = (_ctx, s: Spec) => {
  const l = (s.linux ??= {});
  l.devices = [...(l.devices ?? []), ...getDevices('/dev', '')];
};

/** oci.WithDevices (Linux): the devices, and a cgroup rule allowing each. */
export const withDevices = (devicePath: string, containerPath: string, permissions: string): SpecOpt => (_ctx, s: Spec) => {
  const devs = getDevices(devicePath, containerPath);
  // Go dereferences s.Linux and its Resources here; a spec from ctr always has both.
  const l = (s.linux ??= {});
  const r = (l.resources ??= {});
  for (const d of devs) {
    l.devices = [...(l.devices ?? []), d];
    r.devices = [...(r.devices ?? []), { allow: true, type: d.type, major: d.major, minor: d.minor, access: permissions }];
  }
};
