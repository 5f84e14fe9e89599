import { defineVerb } from '../../cli/types.js';
import { labelArgs } from '../labels.js';
import { labelFlag, registryFlags, registryOptions } from '../flagsets/registry.js';

export default defineVerb({
  argsUsage: '[flags] <remote> <object>',
  description: `Fetch an image into containerd.
	
This command ensures that containerd has all the necessary resources to build
an image's rootfs and convert the configuration to a runtime format supported
by containerd.

This command uses the same syntax, of remote and object, as 'ctr fetch-object'.
We may want to make this nicer, but agnostism is preferred for the moment.

Right now, the responsibility of the daemon and the cli aren't quite clear. Do
not use this implementation as a guide. The end goal should be having metadata,
content and snapshots ready for a direct use via the 'ctr run'.

Most of this is experimental and there are few leaps to make this work.`,
  flags: [
    ...registryFlags,
    labelFlag,
    { name: 'platform', kind: 'stringSlice', usage: 'Pull content from a specific platform' },
    { name: 'all-platforms', kind: 'bool', usage: 'pull content from all platforms' },
    { name: 'all-metadata', kind: 'bool', usage: 'Pull metadata for all platforms' },
    { name: 'metadata-only', kind: 'bool', usage: 'Pull all metadata including manifests and configs' },
  ],
  options: (p) => ({
    ref: p.args[0] ?? '',
    registry: registryOptions(p),
    labels: (p.values.label as string[] | undefined) ?? [],
    platforms: (p.values.platform as string[] | undefined) ?? [],
    allPlatforms: Boolean(p.values['all-platforms']),
    allMetadata: Boolean(p.values['all-metadata']),
    metadataOnly: Boolean(p.values['metadata-only']),
  }),
  async run(o, deps) {
    const conn = await deps.connect();
    const [{ ctrFetch }, { getResolver, makeLogger }, { defaultString }] = await Promise.all([
      import('../../images/fetch.js'), import('../../registry/index.js'), import('../../images/platforms.js'),
    ]);
    const log = makeLogger(deps);
    const resolver = await getResolver(o.registry, deps, log);
    try {
      await ctrFetch(conn, o.ref, {
        resolver,
        labels: labelArgs(o.labels),
        platforms: o.allPlatforms ? undefined : (o.platforms.length ? o.platforms : [defaultString()]),
        metadataOnly: o.metadataOnly,
        allMetadata: o.allMetadata,
        maxConcurrentDownloads: 0,
        progress: deps.globals.debug ? undefined : { out: deps.stdout, stdin: deps.stdin as { isTTY?: boolean; fd?: number } },
        log,
      });
    } finally {
      resolver.close();
    }
  },
});
