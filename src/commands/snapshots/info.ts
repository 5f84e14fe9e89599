import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { infoJSON, showHelp, snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '<key>',
  options: (p) => ({ args: p.args }),
  async run({ args }, deps) {
    if (args.length !== 1) return showHelp(deps, 'info');
    const { sn, name } = await snapshotterOf(deps);
    const { info } = await converted(sn.stat({ snapshotter: name, key: args[0]! }));
    deps.stdout.write(`${infoJSON(info!)}\n`);
  },
});
