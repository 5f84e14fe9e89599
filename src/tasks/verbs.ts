// The shape shared by ctr's one-call task verbs (pause, resume): load the container and
// its task, make the call.

import { defineVerb, type Verb } from '../cli/types.js';
import { loadContainerTask } from './load.js';
import type { TaskProcess } from './process.js';

export function taskCallVerb(call: (task: TaskProcess) => Promise<unknown>): Verb<{ id: string }> {
  return defineVerb({
    argsUsage: 'CONTAINER',
    options: (p) => ({ id: p.args[0] ?? '' }),
    async run({ id }, deps) {
      await call(await loadContainerTask(await deps.connect(), id));
    },
  });
}
