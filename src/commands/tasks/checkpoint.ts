import { defineVerb } from '../../cli/types.js';
import { checkpointTask } from '../../tasks/checkpoint.js';
import { loadContainerTask } from '../../tasks/load.js';

export default defineVerb({
  argsUsage: '[flags] CONTAINER',
  flags: [
    { name: 'exit', kind: 'bool', usage: 'stop the container after the checkpoint' },
    { name: 'image-path', kind: 'string', usage: 'path to criu image files' },
    { name: 'work-path', kind: 'string', usage: 'path to criu work files and logs' },
  ],
  options: (p) => ({
    id: p.args[0] ?? '',
    exit: p.values.exit as boolean,
    imagePath: p.values['image-path'] as string,
    workPath: p.values['work-path'] as string,
  }),
  async run({ id, ...flags }, deps) {
    if (id === '') throw new Error('container id must be provided');
    const task = await loadContainerTask(await deps.connect(), id);
    const name = await checkpointTask(await deps.connect(), task, flags);
    if (flags.imagePath === '') deps.stdout.write(`${name}\n`);
  },
});
