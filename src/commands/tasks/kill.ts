import { defineVerb } from '../../cli/types.js';
import { loadContainer, loadTask } from '../../tasks/load.js';
import { parseSignal } from '../../tasks/signal.js';

const DEFAULT_SIGNAL = 'SIGTERM';
/** containerd's StopSignalLabel, set from the image's StopSignal when the container was made. */
const STOP_SIGNAL_LABEL = 'io.containerd.image.config.stop-signal';

export default defineVerb({
  argsUsage: '[flags] CONTAINER',
  flags: [
    { name: 'signal, s', kind: 'string', usage: 'signal to send to the container', value: '' },
    { name: 'exec-id', kind: 'string', usage: 'process ID to kill' },
    { name: 'all, a', kind: 'bool', usage: 'send signal to all processes inside the container' },
  ],
  options: (p) => ({
    id: p.args[0] ?? '',
    signal: p.values.signal as string,
    execId: p.values['exec-id'] as string,
    all: p.values.all as boolean,
  }),
  async run({ id, signal, execId, all }, deps) {
    if (id === '') throw new Error('container id must be provided');
    if (all && execId !== '') throw new Error('specify an exec-id or all; not both');
    const conn = await deps.connect();
    const container = await loadContainer(conn, id);
    // An explicit -s wins; otherwise the container's stop-signal label, else SIGTERM.
    const sig = parseSignal(signal !== '' ? signal : container.labels[STOP_SIGNAL_LABEL] ?? DEFAULT_SIGNAL);
    const task = await loadTask(conn, id);
    await task.kill(sig, all, execId);
  },
});
