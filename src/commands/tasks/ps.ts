import { fromGRPC } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { PS, table } from '../../format/presets.js';
import { processInfoString } from '../../tasks/anytypes.js';
import { loadContainerTask } from '../../tasks/load.js';

export default defineVerb({
  argsUsage: 'CONTAINER',
  options: (p) => ({ id: p.args[0] ?? '' }),
  async run({ id }, deps) {
    if (id === '') throw new Error('container id must be provided');
    const task = await loadContainerTask(await deps.connect(), id);
    let processes;
    try {
      ({ processes } = await task.tasks.listPids({ containerId: task.containerId }));
    } catch (e) {
      throw fromGRPC(e);
    }
    const rows = processes.map((p) => `${p.pid}\t${p.info ? processInfoString(p.info) : '-'}`);
    deps.stdout.write(table(['PID\tINFO', ...rows], PS));
  },
});
