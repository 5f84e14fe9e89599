import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { NARROW, table } from '../../format/presets.js';
import { kindName, snapshotterOf } from './common.js';
import { formatFlag, isoTime, outputFormat, writeJSON } from '../flagsets/format.js';
import type { Info } from '../../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';

export default defineVerb({
  flags: [formatFlag],
  options: (p) => ({ format: outputFormat(p.values.format) }),
  async run({ format }, deps) {
    const { sn, name } = await snapshotterOf(deps);
    const infos: Info[] = [];
    try {
      for await (const batch of sn.list({ snapshotter: name, filters: [] })) infos.push(...batch.info);
    } catch (e) {
      await converted(Promise.reject(e));
    }
    if (format === 'json') {
      writeJSON(deps.stdout, infos.map((i) => ({
        key: i.name,
        parent: i.parent,
        kind: kindName(i.kind),
        snapshotter: name,
        labels: i.labels,
        createdAt: isoTime(i.createdAt),
        updatedAt: isoTime(i.updatedAt),
      })));
      return;
    }
    const rows = ['KEY\tPARENT\tKIND\t', ...infos.map((i) => `${i.name}\t${i.parent}\t${kindName(i.kind)}\t`)];
    deps.stdout.write(table(rows, NARROW));
  },
});
