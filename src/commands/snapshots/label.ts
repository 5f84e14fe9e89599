import { Kind } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { objectWithLabelArgs } from '../labels.js';
import { snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '<name> [<label>=<value> ...]',
  description: 'labels snapshots in the snapshotter',
  options: (p) => objectWithLabelArgs(p.args),
  async run({ name: key, labels }, deps) {
    const { sn, name } = await snapshotterOf(deps);
    const paths = Object.keys(labels).map((k) => `labels.${k}`);
    // An empty value clears the label: it is in the field paths but not in the labels.
    const set = Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
    const { info } = paths.length === 0
      ? await converted(sn.stat({ snapshotter: name, key }))
      : await converted(sn.update({ snapshotter: name, info: { name: key, labels: set, parent: '', kind: Kind.COMMITTED }, updateMask: paths }));
    deps.stdout.write(`${Object.entries(info?.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}\n`);
  },
});
