// Daemon look-ups for completion: each asks one service for names, within a small time
// budget, and answers [] on any failure (no daemon, wrong socket, slow daemon).

import { serviceClient, type ClientContext } from '../client/client.js';
import { dialH2 } from '../client/h2/index.js';
import type { Transport } from '../client/transport.js';

export type LiveKind =
  | 'namespaces' | 'images' | 'containers' | 'containers:idle' | 'tasks' | 'tasks:running' | 'tasks:paused'
  | 'snapshots' | 'snapshotters' | 'leases' | 'content';

export interface LiveOptions { address: string; namespace: string; budgetMs: number; snapshotter?: string }

// containerd.v1.types.Status values.
const RUNNING = 2;
const PAUSED = 4;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function query(t: Transport, kind: LiveKind, ctx: ClientContext, snapshotter: string): Promise<string[]> {
  switch (kind) {
    case 'namespaces': {
      const { NamespacesDefinition } = await import('../api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js');
      return (await serviceClient(t, NamespacesDefinition, ctx).list({})).namespaces.map((n) => n.name);
    }
    case 'images': {
      const { ImagesDefinition } = await import('../api/github.com/containerd/containerd/api/services/images/v1/images.js');
      return (await serviceClient(t, ImagesDefinition, ctx).list({})).images.map((i) => i.name);
    }
    case 'containers':
    case 'containers:idle': {
      const { ContainersDefinition } = await import('../api/github.com/containerd/containerd/api/services/containers/v1/containers.js');
      const ids = (await serviceClient(t, ContainersDefinition, ctx).list({})).containers.map((c) => c.id);
      if (kind === 'containers') return ids;
      const withTask = new Set(await query(t, 'tasks', ctx, snapshotter));
      return ids.filter((id) => !withTask.has(id));
    }
    case 'tasks':
    case 'tasks:running':
    case 'tasks:paused': {
      const { TasksDefinition } = await import('../api/github.com/containerd/containerd/api/services/tasks/v1/tasks.js');
      const tasks = (await serviceClient(t, TasksDefinition, ctx).list({})).tasks;
      const want = kind === 'tasks:running' ? RUNNING : kind === 'tasks:paused' ? PAUSED : undefined;
      return tasks.filter((x) => want === undefined || x.status === want).map((x) => x.containerId || x.id);
    }
    case 'snapshots': {
      const { SnapshotsDefinition } = await import('../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js');
      const batches = await collect(serviceClient(t, SnapshotsDefinition, ctx).list({ snapshotter: snapshotter || 'overlayfs' }));
      return batches.flatMap((b) => b.info.map((i) => i.name));
    }
    case 'snapshotters': {
      const { IntrospectionDefinition } = await import('../api/github.com/containerd/containerd/api/services/introspection/v1/introspection.js');
      const { plugins } = await serviceClient(t, IntrospectionDefinition, ctx).plugins({ filters: ['type==io.containerd.snapshotter.v1'] });
      return plugins.filter((p) => !p.initErr).map((p) => p.id);
    }
    case 'leases': {
      const { LeasesDefinition } = await import('../api/github.com/containerd/containerd/api/services/leases/v1/leases.js');
      return (await serviceClient(t, LeasesDefinition, ctx).list({})).leases.map((l) => l.id);
    }
    case 'content': {
      const { ContentDefinition } = await import('../api/github.com/containerd/containerd/api/services/content/v1/content.js');
      const batches = await collect(serviceClient(t, ContentDefinition, ctx).list({}));
      return batches.flatMap((b) => b.info.map((i) => i.digest));
    }
  }
  return [];
}

export async function live(kind: LiveKind, o: LiveOptions): Promise<string[]> {
  const deadline = Date.now() + o.budgetMs;
  let t: Transport | undefined;
  try {
    t = await dialH2({ address: o.address, connectTimeoutMs: o.budgetMs });
    const words = await query(t, kind, { namespace: kind === 'namespaces' ? '' : o.namespace, deadline }, o.snapshotter ?? '');
    return [...new Set(words)].sort();
  } catch {
    return [];
  } finally {
    t?.close();
  }
}
