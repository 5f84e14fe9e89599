import { converted, isNotFound } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { loadContainerTask } from '../../tasks/load.js';
import { decodeMetrics, metricsJSON, metricsTable } from '../../tasks/metrics.js';

export default defineVerb({
  argsUsage: 'CONTAINER',
  flags: [{ name: 'format', kind: 'string', usage: '"table" or "json"', value: 'table' }],
  options: (p) => ({ id: p.args[0] ?? '', format: p.values.format as string }),
  async run({ id, format }, deps) {
    const task = await loadContainerTask(await deps.connect(), id);
    const { metrics } = await converted(task.tasks.metrics({ filters: [`id==${task.containerId}`] }));
    const metric = metrics[0];
    if (!metric) {
      // task.Metrics: a vanished task reports not found, anything else this.
      await task.status().catch((e) => {
        if (isNotFound(e)) throw e;
      });
      throw new Error('no metrics received');
    }
    const data = decodeMetrics(metric);
    if (format === 'table') deps.stdout.write(metricsTable(metric, data));
    else if (format === 'json') deps.stdout.write(metricsJSON(data));
    else throw new Error('format must be table or json');
  },
});
