// containerd's contrib/nvidia.WithGPUs as ctr's --gpus uses it: a prestart hook that runs
// nvidia-container-cli through `containerd oci-hook`, for the listed devices and every
// driver capability.

import { accessSync, constants, statSync } from 'node:fs';
import type { SpecOpt } from './opts.js';

const allCapabilities = ['compute', 'compat32', 'graphics', 'utility', 'video', 'display'];

/** Go's exec.LookPath over $PATH. */
export function lookPath(file: string, pathEnv = process.env.PATH ?? ''): string {
  const isExec = (p: string) => {
    try {
      if (statSync(p).isDirectory()) return false;
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (file.includes('/')) {
    if (isExec(file)) return file;
    throw new Error(`exec: "${file}": permission denied`);
  }
  for (const dir of pathEnv.split(':')) {
    const p = `${dir === '' ? '.' : dir}/${file}`;
    if (isExec(p)) return p;
  }
  throw new Error(`exec: "${file}": executable file not found in $PATH`);
}

export const withGPUs = (devices: number[]): SpecOpt => (ctx, s) => {
  const hookPath = lookPath('containerd');
  const cli = lookPath('nvidia-container-cli');
  const args = ['configure'];
  if (devices.length > 0) args.push(`--device=${devices.join(',')}`);
  args.push(...allCapabilities.map((c) => `--${c}`), '--pid={{pid}}', '{{rootfs}}');
  const hooks = (s.hooks ??= {});
  hooks.prestart = [...(hooks.prestart ?? []), {
    path: hookPath,
    args: ['containerd', 'oci-hook', '--', cli, '--load-kmods', ...args],
    env: ctx.environ ?? Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`),
  }];
};
