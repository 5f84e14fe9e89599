// ctr 1.6's global flags (urfave app flags; parsed before the command name).

import type { FlagSpec } from './flags.js';

export const DEFAULT_ADDRESS = '/run/containerd/containerd.sock';

export const globalFlags: FlagSpec[] = [
  { name: 'debug', kind: 'bool', usage: 'enable debug output in logs' },
  { name: 'address, a', kind: 'string', usage: "address for containerd's GRPC server", value: DEFAULT_ADDRESS, envVar: 'CONTAINERD_ADDRESS' },
  { name: 'timeout', kind: 'duration', usage: 'total timeout for ctr commands', value: 0 },
  { name: 'connect-timeout', kind: 'duration', usage: 'timeout for connecting to containerd', value: 0 },
  { name: 'namespace, n', kind: 'string', usage: 'namespace to use with commands', value: 'default', envVar: 'CONTAINERD_NAMESPACE' },
  // urfave adds these to every app that has a Version.
  { name: 'help, h', kind: 'bool', usage: 'show help' },
  { name: 'version, v', kind: 'bool', usage: 'print the version' },
];
