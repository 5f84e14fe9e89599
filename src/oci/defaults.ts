// containerd's default Linux container spec (oci.populateDefaultUnixSpec and the lists
// it uses): what `ctr oci spec` prints and what every container created from an image
// starts from.

import { posix } from 'node:path';
import { goQuote } from '../cli/flags.js';
import { SPEC_VERSION, type LinuxDeviceCgroup, type Mount, type Spec } from './spec.js';

export const DEFAULT_UNIX_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

export const defaultUnixCaps = (): string[] => [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const devTmpfs = ['nosuid', 'strictatime', 'mode=755', 'size=65536k'];

export function defaultMounts(): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: [...devTmpfs] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: [...devTmpfs] },
  ];
}

/** Go's filepath.Join("/", ns, id): cleaned, empty parts dropped. */
export function cgroupsPath(namespace: string, id: string): string {
  return cleanPath(['/', namespace, id].filter((p) => p !== '').join('/'));
}

/** Go's path.Clean: posix normalisation without a trailing slash. */
export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** populateDefaultUnixSpec for a container `id` in `namespace`. */
export function defaultUnixSpec(namespace: string, id: string): Spec {
  return {
    ociVersion: SPEC_VERSION,
    root: { path: 'rootfs' },
    process: {
      cwd: '/',
      noNewPrivileges: true,
      user: { uid: 0, gid: 0 },
      capabilities: { bounding: defaultUnixCaps(), permitted: defaultUnixCaps(), effective: defaultUnixCaps() },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
    },
    linux: {
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      cgroupsPath: cgroupsPath(namespace, id),
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })),
    },
    mounts: defaultMounts(),
  };
}

/** The character devices oci.WithDefaultUnixDevices allows: [major, minor] (minor omitted = all). */
const unixDevices: Array<[number, number?]> = [[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [5, 1], [136], [5, 2]];

export function defaultUnixDeviceRules(): LinuxDeviceCgroup[] {
  return unixDevices.map(([major, minor]) => ({ allow: true, type: 'c', major, ...(minor === undefined ? {} : { minor }), access: 'rwm' }));
}

const IDENTIFIER_RE = /^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$/;

/** containerd's namespaces.NamespaceRequired: the namespace, or its error text. */
export function namespaceRequired(namespace: string): string {
  if (namespace === '') throw new Error('namespace is required: failed precondition');
  const quoted = goQuote(namespace);
  if (Buffer.byteLength(namespace) > 76) {
    throw new Error(`namespace validation: identifier ${quoted} greater than maximum length (76 characters): invalid argument`);
  }
  if (!IDENTIFIER_RE.test(namespace)) {
    throw new Error(`namespace validation: identifier ${quoted} must match ${IDENTIFIER_RE.source}: invalid argument`);
  }
  return namespace;
}
