// What the snapshots verbs share: the snapshotter they talk to (the group's
// --snapshotter, else the namespace's default, else overlayfs, as client.SnapshotService
// resolves it), and the ways ctr prints snapshot infos and mounts.

import { SnapshotsDefinition, Kind, type Info } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Mount } from '../../api/github.com/containerd/containerd/api/types/mount.js';
import type { ServiceClient } from '../../client/client.js';
import type { Connection, Deps } from '../../cli/types.js';
import { marshalIndent } from '../../format/json.js';
import { formatRFC3339, formatRFC3339Nano, UTC } from '../../format/time.js';

export interface Snapshotter {
  conn: Connection;
  name: string;
  sn: ServiceClient<typeof SnapshotsDefinition>;
}

/**
 * client.SnapshotService(name): an empty name resolves without the command's namespace
 * (context.Background), so it always falls back to overlayfs; only `unpack`, which
 * resolves inside the namespace, honours the namespace's default-snapshotter label.
 */
export async function snapshotterOf(deps: Deps): Promise<Snapshotter> {
  const conn = await deps.connect();
  const name = ((deps.groupFlags?.snapshotter as string | undefined) ?? '') || 'overlayfs';
  return { conn, name, sn: conn.service(SnapshotsDefinition) };
}

/** snapshots.Kind.String() after KindFromProto (unknown kinds read as committed). */
export function kindName(k: Kind): string {
  if (k === Kind.VIEW) return 'View';
  if (k === Kind.ACTIVE) return 'Active';
  return 'Committed';
}

const time = (t: { seconds: number | bigint; nanos: number } | undefined) =>
  formatRFC3339Nano(t ?? { seconds: -62135596800, nanos: 0 }, UTC);

/** ctr's PrintAsJSON of a snapshots.Info. */
export function infoJSON(info: Info): string {
  const out: Record<string, unknown> = { Kind: kindName(info.kind), Name: info.name };
  if (info.parent !== '') out.Parent = info.parent;
  if (Object.keys(info.labels ?? {}).length > 0) out.Labels = new Map(Object.entries(info.labels));
  out.Created = time(info.createdAt);
  out.Updated = time(info.updatedAt);
  return marshalIndent(out, '', '    ');
}

/** ctr's printMounts: one mount(8) command line per mount. */
export function mountLines(target: string, mounts: Mount[]): string {
  return mounts.map((m) => `mount -t ${m.type} ${m.source} ${target} -o ${m.options.join(',')}\n`).join('');
}

/** PrintAsJSON of []mount.Mount (no json tags: Go field names; nil options are null). */
export function mountsJSON(mounts: Mount[]): string {
  const list = mounts.map((m) => ({ Type: m.type, Source: m.source, Options: m.options.length > 0 ? m.options : null }));
  return marshalIndent(list.length > 0 ? list : null, '', '    ');
}

/** The gc.root label ctr puts on snapshots it prepares and commits: now, RFC 3339 in UTC. */
export const gcRootNow = (): Record<string, string> => ({
  'containerd.io/gc.root': formatRFC3339({ seconds: Math.floor(Date.now() / 1000), nanos: 0 }, UTC),
});

/** urfave's ShowSubcommandHelp, which ctr returns (exit 0) on a wrong argument count. */
export async function showHelp(deps: Deps, verb: string): Promise<void> {
  const { renderHelp } = await import('../../cli/help.js');
  const { commands, lookup, isGroup } = await import('../../cli/registry.js');
  const group = lookup(commands, 'snapshots')!;
  const entry = isGroup(group) ? lookup(group.verbs, verb) : undefined;
  deps.stdout.write(renderHelp('verb', ['snapshots', verb], entry, (await entry!.load()).default));
}
