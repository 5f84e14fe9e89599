// ctr's commands.SnapshotterFlags and commands.SnapshotterLabels. Kept apart from the
// container flags because the command registry (loaded on every start) uses it for the
// snapshots group's own --snapshotter.

import type { FlagSpec } from '../../cli/flags.js';

export const snapshotterFlags: FlagSpec[] = [
  { name: 'snapshotter', kind: 'string', usage: 'snapshotter name. Empty value stands for the default value.', envVar: 'CONTAINERD_SNAPSHOTTER' },
];

export const snapshotterLabelFlag: FlagSpec = {
  name: 'snapshotter-label', kind: 'stringSlice', usage: 'labels added to the new snapshot for this container.',
};
