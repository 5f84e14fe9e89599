import { defineVerb } from '../../cli/types.js';
import { containerSpec, loadContainer } from '../../tasks/load.js';
import { runTaskSession } from '../../tasks/session.js';

export default defineVerb({
  argsUsage: 'CONTAINER',
  flags: [
    { name: 'null-io', kind: 'bool', usage: 'send all IO to /dev/null' },
    { name: 'log-uri', kind: 'string', usage: 'log uri' },
    { name: 'fifo-dir', kind: 'string', usage: 'directory used for storing IO FIFOs' },
    { name: 'pid-file', kind: 'string', usage: "file path to write the task's pid" },
    { name: 'detach, d', kind: 'bool', usage: 'detach from the task after it has started execution' },
  ],
  options: (p) => ({
    id: p.args[0] ?? '',
    nullIO: p.values['null-io'] as boolean,
    logURI: p.values['log-uri'] as string,
    fifoDir: p.values['fifo-dir'] as string,
    pidFile: p.set.has('pid-file') ? (p.values['pid-file'] as string) : undefined,
    detach: p.values.detach as boolean,
  }),
  async run(o, deps) {
    if (o.id === '') throw new Error('container id must be provided');
    const conn = await deps.connect();
    const container = await loadContainer(conn, o.id);
    const tty = containerSpec(container).process?.terminal ?? false;
    await runTaskSession(conn, container, { ...o, tty }, deps);
  },
});
