import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { NARROW, table } from '../../format/presets.js';
import { kindName, snapshotterOf } from './common.js';

export default defineVerb({
  options: () => ({}),
  async run(_opts, deps) {
    const { sn, name } = await snapshotterOf(deps);
    const rows = ['KEY\tPARENT\tKIND\t'];
    try {
      for await (const batch of sn.list({ snapshotter: name, filters: [] })) {
        for (const info of batch.info) rows.push(`${info.name}\t${info.parent}\t${kindName(info.kind)}\t`);
      }
    } catch (e) {
      await converted(Promise.reject(e));
    }
    deps.stdout.write(table(rows, NARROW));
  },
});
