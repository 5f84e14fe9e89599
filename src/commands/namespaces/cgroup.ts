// ctr's --cgroup on `namespaces rm` removes the cgroup containerd made for the
// namespace (named after it) before deleting the namespace: one directory under a
// unified hierarchy, or one per v1 controller hierarchy. A missing cgroup is fine.

import { existsSync, readdirSync, rmdirSync } from 'node:fs';

const ROOT = '/sys/fs/cgroup';

export async function deleteNamespaceCgroup(name: string, root = ROOT): Promise<void> {
  const dirs = existsSync(`${root}/cgroup.controllers`)
    ? [`${root}/${name}`]
    : readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${root}/${d.name}/${name}`);
  for (const dir of dirs) {
    if (existsSync(dir)) rmdirSync(dir);
  }
}
