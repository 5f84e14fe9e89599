import { defineVerb } from '../../cli/types.js';

export default defineVerb({
  argsUsage: '[flags] CONTAINER',
  flags: [
    { name: 'exit', kind: 'bool', usage: 'stop the container after the checkpoint' },
    { name: 'image-path', kind: 'string', usage: 'path to criu image files' },
    { name: 'work-path', kind: 'string', usage: 'path to criu work files and logs' },
  ],
  options: (p) => ({ id: p.args[0] ?? '' }),
  async run({ id }) {
    if (id === '') throw new Error('container id must be provided');
    throw new Error('checkpoint: not implemented yet');
  },
});
