import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { gcRootNow, showHelp, snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '<key> <active>',
  options: (p) => ({ args: p.args }),
  async run({ args }, deps) {
    if (args.length !== 2) return showHelp(deps, 'commit');
    const [key, active] = args as [string, string];
    const { sn, name } = await snapshotterOf(deps);
    await converted(sn.commit({ snapshotter: name, name: key, key: active, labels: gcRootNow() }));
  },
});
