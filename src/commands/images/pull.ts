import { defineVerb, CommandError } from '../../cli/types.js';
import { labelArgs } from '../labels.js';
import { labelFlag, registryFlags, registryOptions } from '../flagsets/registry.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';

export default defineVerb({
  argsUsage: '[flags] <ref>',
  description: `Fetch and prepare an image for use in containerd.

After pulling an image, it should be ready to use the same reference in a run
command. As part of this process, we do the following:

1. Fetch all resources into containerd.
2. Prepare the snapshot filesystem with the pulled resources.
3. Register metadata for the image.
`,
  flags: [
    ...registryFlags,
    ...snapshotterFlags,
    labelFlag,
    { name: 'platform', kind: 'stringSlice', usage: 'Pull content from a specific platform', value: [] },
    { name: 'all-platforms', kind: 'bool', usage: 'pull content and metadata from all platforms' },
    { name: 'all-metadata', kind: 'bool', usage: 'Pull metadata for all platforms' },
    { name: 'print-chainid', kind: 'bool', usage: 'Print the resulting image\'s chain ID' },
    { name: 'max-concurrent-downloads', kind: 'int', usage: 'Set the max concurrent downloads for each pull', value: 0 },
    // Beyond ctr (containerd issue #9467): for CI logs, only the image name once it is ready.
    { name: 'quiet, q', kind: 'bool', usage: 'Print only the image name when the pull is done (no progress)' },
    // ctr 2.x's switch between the transfer service and the client-side flow; this is always the latter.
    { name: 'local', kind: 'bool', usage: 'Fetch content from local client rather than using transfer service', hidden: true },
  ],
  options: (p) => ({
    ref: p.args[0] ?? '',
    registry: registryOptions(p),
    snapshotter: (p.values.snapshotter as string | undefined) ?? '',
    labels: (p.values.label as string[] | undefined) ?? [],
    platforms: (p.values.platform as string[] | undefined) ?? [],
    allPlatforms: Boolean(p.values['all-platforms']),
    allMetadata: Boolean(p.values['all-metadata']),
    printChainID: Boolean(p.values['print-chainid']),
    maxConcurrentDownloads: p.set.has('max-concurrent-downloads') ? Number(p.values['max-concurrent-downloads']) : 0,
    quiet: Boolean(p.values.quiet),
  }),
  async run(o, deps) {
    if (o.ref === '') throw new CommandError('please provide an image reference to pull');
    const conn = await deps.connect();
    const [{ withLease }, { ctrFetch }, { getResolver, makeLogger }, platforms, { unpackImage }, image, { formatDuration }] = await Promise.all([
      import('../../images/lease.js'), import('../../images/fetch.js'), import('../../registry/index.js'),
      import('../../images/platforms.js'), import('../../images/unpack.js'), import('../../images/image.js'),
      import('../../format/duration.js'),
    ]);
    await withLease(conn, async (c) => {
      const log = makeLogger(deps);
      const resolver = await getResolver(o.registry, deps, log);
      try {
        const img = await ctrFetch(c, o.ref, {
          resolver,
          labels: labelArgs(o.labels),
          platforms: o.allPlatforms ? undefined : (o.platforms.length ? o.platforms : [platforms.defaultString()]),
          metadataOnly: false,
          allMetadata: o.allMetadata,
          maxConcurrentDownloads: o.maxConcurrentDownloads,
          progress: deps.globals.debug || o.quiet ? undefined : { out: deps.stdout, stdin: deps.stdin as { isTTY?: boolean; fd?: number } },
          log,
        });
        log.debug('unpacking', { image: o.ref });
        let ps: import('../../images/types.js').Platform[] = [];
        if (o.allPlatforms) {
          try {
            ps = await image.imagePlatforms(c, img.target);
          } catch (e) {
            throw new Error(`unable to resolve image platforms: ${(e as Error).message}`);
          }
        } else {
          for (const s of o.platforms) {
            try {
              ps.push(platforms.parsePlatform(s));
            } catch (e) {
              throw new Error(`unable to parse platform ${s}: ${(e as Error).message}`);
            }
          }
        }
        if (ps.length === 0) ps.push(platforms.defaultSpec());
        const start = process.hrtime.bigint();
        for (const p of ps) {
          if (!o.quiet) deps.stdout.write(`unpacking ${platforms.formatPlatform(p)} ${img.target.digest}...\n`);
          const r = await unpackImage(c, img.target, { snapshotter: o.snapshotter, platform: platforms.only(p) });
          if (o.printChainID) deps.stdout.write(`image chain ID: ${r.chainId}\n`);
        }
        // quiet: the name as stored (what `images ls` shows as REF)
        if (o.quiet) deps.stdout.write(`${img.name}\n`);
        else deps.stdout.write(`done: ${formatDuration(process.hrtime.bigint() - start)}\t\n`);
      } finally {
        resolver.close();
      }
    });
  },
});
