// Which snapshotter a namespace uses when none is named (client.resolveSnapshotterName).

import { NamespacesDefinition } from '../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';
import type { Connection } from '../cli/types.js';
import { converted } from '../client/errdefs.js';

export const DEFAULT_SNAPSHOTTER = 'overlayfs';
const DEFAULT_SNAPSHOTTER_LABEL = 'containerd.io/defaults/snapshotter';

/** client.resolveSnapshotterName: `name`, else the namespace's default label, else overlayfs. */
export async function resolveSnapshotterName(conn: Connection, name: string): Promise<string> {
  if (name) return name;
  const { namespace } = await converted(conn.service(NamespacesDefinition).get({ name: conn.namespace }));
  return namespace?.labels?.[DEFAULT_SNAPSHOTTER_LABEL] || DEFAULT_SNAPSHOTTER;
}
