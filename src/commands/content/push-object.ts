import { defineVerb } from '../../cli/types.js';
import { registryFlags, registryOptions } from '../flagsets/registry.js';

export default defineVerb({
  argsUsage: '[flags] <remote> <object> <type>',
  description: 'Push objects by identifier to a remote.',
  flags: registryFlags,
  options: (p) => ({ ref: p.args[0] ?? '', object: p.args[1] ?? '', media: p.args[2] ?? '', registry: registryOptions(p) }),
  async run(o, deps) {
    const [{ parseDigest }, { contentInfo, readContent }, { getResolver, makeLogger }, { makeRefKey }] = await Promise.all([
      import('../../images/digest.js'), import('../../images/content.js'), import('../../registry/index.js'), import('../../images/fetch.js'),
    ]);
    const dgst = parseDigest(o.object);
    const conn = await deps.connect();
    const log = makeLogger(deps).with({ ref: o.ref });
    const resolver = await getResolver(o.registry, deps, log);
    try {
      log.debug('resolving');
      const pusher = await resolver.pusher(o.ref);
      const info = await contentInfo(conn, dgst);
      const desc = { mediaType: o.media, digest: dgst, size: info.size };
      await pusher.push(desc, makeRefKey(desc), () => readContent(conn, dgst));
      deps.stdout.write(`Pushed ${desc.digest} ${desc.mediaType}\n`);
    } finally {
      resolver.close();
    }
  },
});
