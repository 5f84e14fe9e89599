import { CommandError, defineVerb } from '../../cli/types.js';
import { newContainer } from '../../containers/create.js';
import { containerOptions, createFlags } from '../flagsets/container.js';

export default defineVerb({
  argsUsage: '[flags] Image|RootFS CONTAINER [COMMAND] [ARG...]',
  flags: createFlags,
  options: containerOptions,
  async run(opts, deps) {
    if (opts.config !== undefined) {
      if (opts.argCount > 1) throw new CommandError('with spec config file, only container id should be provided: invalid argument');
    } else if (opts.ref === '') {
      throw new CommandError('image ref must be provided: invalid argument');
    }
    if (opts.id === '') throw new CommandError('container id must be provided: invalid argument');
    await newContainer(await deps.connect(), opts, { stderr: deps.stderr });
  },
});
