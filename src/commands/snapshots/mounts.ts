import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { mountLines, showHelp, snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '<target> <key>',
  options: (p) => ({ args: p.args }),
  async run({ args }, deps) {
    if (args.length !== 2) return showHelp(deps, 'mounts');
    const [target, key] = args as [string, string];
    const { sn, name } = await snapshotterOf(deps);
    const { mounts } = await converted(sn.mounts({ snapshotter: name, key }));
    deps.stdout.write(mountLines(target, mounts));
  },
});
