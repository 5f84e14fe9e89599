import { Status } from '../../api/github.com/containerd/containerd/api/types/task/task.js';
import { fromGRPC } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { table, WIDE } from '../../format/presets.js';
import { tasksClient } from '../../tasks/process.js';
import { formatFlag, isoTime, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  argsUsage: '[flags]',
  flags: [{ name: 'quiet, q', kind: 'bool', usage: 'print only the task id' }, formatFlag],
  options: (p) => ({ quiet: p.values.quiet as boolean, format: outputFormat(p.values.format) }),
  async run({ quiet, format }, deps) {
    let tasks;
    try {
      ({ tasks } = await tasksClient(await deps.connect()).list({}));
    } catch (e) {
      throw fromGRPC(e);
    }
    if (format === 'json') {
      writeJSON(deps.stdout, tasks.map((t) => ({
        id: t.id,
        pid: t.pid,
        status: Status[t.status] ?? String(t.status),
        exitStatus: t.exitStatus,
        exitedAt: t.exitedAt && Number(t.exitedAt.seconds) > 0 ? isoTime(t.exitedAt) : null,
      })));
      return;
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
