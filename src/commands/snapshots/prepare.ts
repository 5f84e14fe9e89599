import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { gcRootNow, mountLines, mountsJSON, showHelp, snapshotterOf } from './common.js';

/** `snapshots prepare` and `snapshots view`: a new snapshot, its mounts printed on request. */
export function newSnapshotVerb(kind: 'prepare' | 'view') {
  return defineVerb({
    argsUsage: '[flags] <key> [<parent>]',
    flags: [
      { name: 'target, t', kind: 'string', usage: 'mount target path, will print mount, if provided' },
      { name: 'mounts', kind: 'bool', usage: 'Print out snapshot mounts as JSON' },
    ],
    options: (p) => ({ args: p.args, target: p.values.target as string, json: p.values.mounts as boolean }),
    async run({ args, target, json }, deps) {
      if (args.length < 1 || args.length > 2) return showHelp(deps, kind);
      const { sn, name } = await snapshotterOf(deps);
      const req = { snapshotter: name, key: args[0]!, parent: args[1] ?? '' };
      // Only prepare marks its snapshot as a gc root.
      const { mounts } = kind === 'prepare'
        ? await converted(sn.prepare({ ...req, labels: gcRootNow() }))
        : await converted(sn.view({ ...req, labels: {} }));
      if (target !== '') deps.stdout.write(mountLines(target, mounts));
      if (json) deps.stdout.write(`${mountsJSON(mounts)}\n`);
    },
  });
}

export default newSnapshotVerb('prepare');
