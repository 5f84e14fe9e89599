import { defineVerb } from '../../cli/types.js';
import { registryFlags, registryOptions } from '../flagsets/registry.js';

export default defineVerb({
  argsUsage: '[flags] <remote> <object> [<hint>, ...]',
  description: 'Fetch objects by identifier from a remote.',
  flags: registryFlags,
  options: (p) => ({ ref: p.args[0] ?? '', registry: registryOptions(p) }),
  async run(o, deps) {
    const { getResolver, makeLogger } = await import('../../registry/index.js');
    const log = makeLogger(deps).with({ ref: o.ref });
    const resolver = await getResolver(o.registry, deps, log);
    try {
      log.debug('resolving');
      const { name, desc } = await resolver.resolve(o.ref);
      const fetcher = resolver.fetcher(name);
      log.debug('fetching');
      for await (const chunk of fetcher.fetch(desc)) {
        if (deps.stdout.write(chunk) === false) {
          const out = deps.stdout as unknown as NodeJS.WritableStream;
          if (typeof out.once === 'function') await new Promise((r) => out.once('drain', r));
        }
      }
    } finally {
      resolver.close();
    }
  },
});
