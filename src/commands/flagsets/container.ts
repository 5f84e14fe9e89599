// ctr 1.6's container flag sets, defined once: commands.SnapshotterFlags and
// SnapshotterLabels, commands.ContainerFlags (with the unix additions), run's own flags
// and its platform (runc, user namespace, cpu) flags. `containers create` takes
// snapshotter + container flags; `run` takes all of them, in ctr's order.

import { UsageError, type FlagSpec, type ParsedArgs } from '../../cli/flags.js';
import type { ContainerOptions } from '../../containers/create.js';
import { snapshotterFlags, snapshotterLabelFlag } from './snapshotter.js';

export { snapshotterFlags, snapshotterLabelFlag };

export const containerFlags: FlagSpec[] = [
  { name: 'config, c', kind: 'string', usage: 'path to the runtime-specific spec config file' },
  { name: 'cwd', kind: 'string', usage: 'specify the working directory of the process' },
  { name: 'env', kind: 'stringSlice', usage: 'specify additional container environment variables (e.g. FOO=bar)' },
  { name: 'env-file', kind: 'string', usage: 'specify additional container environment variables in a file(e.g. FOO=bar, one per line)' },
  { name: 'label', kind: 'stringSlice', usage: 'specify additional labels (e.g. foo=bar)' },
  { name: 'annotation', kind: 'stringSlice', usage: 'specify additional OCI annotations (e.g. foo=bar)' },
  { name: 'mount', kind: 'stringSlice', usage: 'specify additional container mount (e.g. type=bind,src=/tmp,dst=/host,options=rbind:ro)' },
  { name: 'net-host', kind: 'bool', usage: 'enable host networking for the container' },
  { name: 'privileged', kind: 'bool', usage: 'run privileged container' },
  { name: 'read-only', kind: 'bool', usage: 'set the containers filesystem as readonly' },
  { name: 'runtime', kind: 'string', usage: 'runtime name', value: 'io.containerd.runc.v2' },
  { name: 'runtime-config-path', kind: 'string', usage: 'optional runtime config path' },
  { name: 'tty, t', kind: 'bool', usage: 'allocate a TTY for the container' },
  { name: 'with-ns', kind: 'stringSlice', usage: "specify existing Linux namespaces to join at container runtime (format '<nstype>:<path>')" },
  { name: 'pid-file', kind: 'string', usage: "file path to write the task's pid" },
  // An IntSliceFlag in ctr; its values are checked in containerOptions.
  { name: 'gpus', kind: 'stringSlice', usage: 'add gpus to the container' },
  { name: 'allow-new-privs', kind: 'bool', usage: "turn off OCI spec's NoNewPrivileges feature flag" },
  { name: 'memory-limit', kind: 'uint64', usage: 'memory limit (in bytes) for the container' },
  { name: 'device', kind: 'stringSlice', usage: 'file path to a device to add to the container; or a path to a directory tree of devices to add to the container' },
  { name: 'cap-add', kind: 'stringSlice', usage: "add Linux capabilities (Set capabilities with 'CAP_' prefix)" },
  { name: 'cap-drop', kind: 'stringSlice', usage: "drop Linux capabilities (Set capabilities with 'CAP_' prefix)" },
  { name: 'seccomp', kind: 'bool', usage: 'enable the default seccomp profile' },
  { name: 'seccomp-profile', kind: 'string', usage: 'file path to custom seccomp profile. seccomp must be set to true, before using seccomp-profile' },
  { name: 'apparmor-default-profile', kind: 'string', usage: 'enable AppArmor with the default profile with the specified name, e.g. "cri-containerd.apparmor.d"' },
  { name: 'apparmor-profile', kind: 'string', usage: 'enable AppArmor with an existing custom profile' },
  { name: 'rdt-class', kind: 'string', usage: 'name of the RDT class to associate the container with. Specifies a Class of Service (CLOS) for cache and memory bandwidth management.' },
  // commands_unix.go
  { name: 'rootfs', kind: 'bool', usage: 'use custom rootfs that is not managed by containerd snapshotter' },
  { name: 'no-pivot', kind: 'bool', usage: 'disable use of pivot-root (linux only)' },
  { name: 'cpu-quota', kind: 'int64', usage: 'Limit CPU CFS quota', value: -1 },
  { name: 'cpu-period', kind: 'uint64', usage: 'Limit CPU CFS period' },
  { name: 'rootfs-propagation', kind: 'string', usage: 'set the propagation of the container rootfs' },
];

/** run_unix.go's platformRunFlags. */
export const platformRunFlags: FlagSpec[] = [
  { name: 'runc-binary', kind: 'string', usage: 'specify runc-compatible binary' },
  { name: 'runc-root', kind: 'string', usage: 'specify runc-compatible root' },
  { name: 'runc-systemd-cgroup', kind: 'bool', usage: 'start runc with systemd cgroup manager' },
  { name: 'uidmap', kind: 'string', usage: 'run inside a user namespace with the specified UID mapping range; specified with the format `container-uid:host-uid:length`' },
  { name: 'gidmap', kind: 'string', usage: 'run inside a user namespace with the specified GID mapping range; specified with the format `container-gid:host-gid:length`' },
  { name: 'remap-labels', kind: 'bool', usage: 'provide the user namespace ID remapping to the snapshotter via label options; requires snapshotter support' },
  { name: 'cpus', kind: 'float64', usage: 'set the CFS cpu quota', value: 0 },
  { name: 'cpu-shares', kind: 'int', usage: 'set the cpu shares', value: 1024 },
];

/** `ctr containers create`. */
export const createFlags: FlagSpec[] = [...snapshotterFlags, snapshotterLabelFlag, ...containerFlags];

/** `ctr run`: its own flags, then the platform, snapshotter and container flags. */
export const runFlags: FlagSpec[] = [
  { name: 'rm', kind: 'bool', usage: 'remove the container after running, cannot be used with --detach' },
  { name: 'null-io', kind: 'bool', usage: 'send all IO to /dev/null' },
  { name: 'log-uri', kind: 'string', usage: 'log uri' },
  { name: 'detach, d', kind: 'bool', usage: 'detach from the task after it has started execution, cannot be used with --rm' },
  { name: 'fifo-dir', kind: 'string', usage: 'directory used for storing IO FIFOs' },
  { name: 'cgroup', kind: 'string', usage: 'cgroup path (To disable use of cgroup, set to "" explicitly)' },
  { name: 'platform', kind: 'string', usage: 'run image for specific platform' },
  { name: 'cni', kind: 'bool', usage: 'enable cni networking for the container' },
  ...platformRunFlags,
  ...snapshotterFlags,
  snapshotterLabelFlag,
  ...containerFlags,
];

/** Go's strconv.Atoi error text for an IntSliceFlag value. */
function parseGPU(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`invalid value "${v}" for flag -gpus: strconv.Atoi: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UsageError(`invalid value "${v}" for flag -gpus: strconv.Atoi: parsing "${v}": value out of range`);
  return n;
}

/**
 * The container options of a create or run command line. Positional arguments follow
 * ctr: with --config only the id; otherwise image (or rootfs dir), id, then the
 * process args. Flags the verb lacks (create has no --cgroup, --cpus…) read as zero.
 */
export function containerOptions(p: ParsedArgs): ContainerOptions {
  const v = p.values;
  const str = (k: string) => (v[k] as string | undefined) ?? '';
  const strs = (k: string) => (v[k] as string[] | undefined) ?? [];
  const num = (k: string, zero = 0) => (v[k] as number | undefined) ?? zero;
  const int64 = (k: string, zero = 0) => (v[k] as number | bigint | undefined) ?? zero;
  const bool = (k: string) => (v[k] as boolean | undefined) ?? false;
  const config = p.set.has('config');
  const [first = '', second = '', ...rest] = p.args;
  return {
    id: config ? first : second,
    ref: config ? '' : first,
    args: config ? [] : rest,
    argCount: p.args.length,
    config: config ? str('config') : undefined,
    cwd: str('cwd'),
    env: strs('env'),
    envFile: str('env-file'),
    labels: strs('label'),
    annotations: strs('annotation'),
    mounts: strs('mount'),
    netHost: bool('net-host'),
    privileged: bool('privileged'),
    readOnly: bool('read-only'),
    runtime: str('runtime'),
    runtimeConfigPath: str('runtime-config-path'),
    tty: bool('tty'),
    withNs: strs('with-ns'),
    pidFile: p.set.has('pid-file') ? str('pid-file') : undefined,
    gpus: p.set.has('gpus') ? strs('gpus').map(parseGPU) : undefined,
    allowNewPrivs: p.set.has('allow-new-privs'),
    memoryLimit: int64('memory-limit'),
    devices: strs('device'),
    capAdd: strs('cap-add'),
    capDrop: strs('cap-drop'),
    seccomp: bool('seccomp'),
    seccompProfile: str('seccomp-profile'),
    apparmorDefaultProfile: str('apparmor-default-profile'),
    apparmorProfile: str('apparmor-profile'),
    rdtClass: str('rdt-class'),
    rootfs: bool('rootfs'),
    noPivot: bool('no-pivot'),
    cpuQuota: int64('cpu-quota', -1),
    cpuPeriod: int64('cpu-period'),
    rootfsPropagation: str('rootfs-propagation'),
    snapshotter: str('snapshotter'),
    snapshotterLabels: strs('snapshotter-label'),
    cgroup: p.set.has('cgroup') ? str('cgroup') : undefined,
    platform: str('platform'),
    runcBinary: str('runc-binary'),
    runcRoot: str('runc-root'),
    runcSystemdCgroup: bool('runc-systemd-cgroup'),
    uidmap: str('uidmap'),
    gidmap: str('gidmap'),
    remapLabels: bool('remap-labels'),
    cpus: num('cpus'),
    cpuShares: num('cpu-shares'),
  };
}
