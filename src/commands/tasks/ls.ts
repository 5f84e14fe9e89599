import { Status } from '../../api/github.com/containerd/containerd/api/types/task/task.js';
import { fromGRPC } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { table, WIDE } from '../../format/presets.js';
import { tasksClient } from '../../tasks/process.js';

export default defineVerb({
  argsUsage: '[flags]',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the task id' }],
  options: (p) => ({ quiet: p.values.quiet as boolean }),
  async run({ quiet }, deps) {
    let tasks;
    try {
      ({ tasks } = await tasksClient(await deps.connect()).list({}));
    } catch (e) {
      throw fromGRPC(e);
    }
    if (quiet) {
      deps.stdout.write(tasks.map((t) => `${t.id}\n`).join(''));
      return;
    }
    // The header ends in a tab, the rows do not (ctr's Fprintln/Fprintf pair).
    const rows = tasks.map((t) => `${t.id}\t${t.pid}\t${Status[t.status] ?? t.status}`);
    deps.stdout.write(table(['TASK\tPID\tSTATUS\t', ...rows], WIDE));
  },
});
