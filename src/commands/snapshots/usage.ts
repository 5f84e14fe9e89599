import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { NARROW, table } from '../../format/presets.js';
import { formatBytes } from '../../format/units.js';
import { snapshotterOf } from './common.js';

export default defineVerb({
  argsUsage: '[flags] [<key>, ...]',
  flags: [{ name: 'b', kind: 'bool', usage: 'display size in bytes' }],
  options: (p) => ({ keys: p.args, bytes: p.values.b as boolean }),
  async run({ keys, bytes }, deps) {
    const size = (n: number) => (bytes ? String(n) : formatBytes(n));
    const { sn, name } = await snapshotterOf(deps);
    const rows = ['KEY\tSIZE\tINODES\t'];
    const usage = async (key: string) => {
      const u = await converted(sn.usage({ snapshotter: name, key }));
      rows.push(`${key}\t${size(Number(u.size))}\t${Number(u.inodes)}\t`);
    };
    // ctr flushes the table only when every key succeeded.
    if (keys.length === 0) {
      const all: string[] = [];
      try {
        for await (const batch of sn.list({ snapshotter: name, filters: [] })) {
          for (const info of batch.info) all.push(info.name);
        }
      } catch (e) {
        await converted(Promise.reject(e));
      }
      for (const key of all) await usage(key);
    } else {
      for (const key of keys) await usage(key);
    }
    deps.stdout.write(table(rows, NARROW));
  },
});
