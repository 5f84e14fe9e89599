import { CommandError, defineVerb } from '../../cli/types.js';
import { all, defaultSpec, onlyStrict, type MatchComparer } from '../../images/platforms.js';
import { orderedPlatforms, platformListFlags } from './shared.js';

export default defineVerb({
  argsUsage: '[flags] <source_ref> <target_ref>',
  description: `Convert an image format.

e.g., 'ctr convert --uncompress --oci example.com/foo:orig example.com/foo:converted'

Use '--platform' to define the output platform.
When '--all-platforms' is given all images in a manifest list must be available.`,
  flags: [
    { name: 'uncompress', kind: 'bool', usage: 'convert tar.gz layers to uncompressed tar layers' },
    { name: 'oci', kind: 'bool', usage: 'convert Docker media types to OCI media types' },
    ...platformListFlags,
  ],
  options: (p) => ({
    src: p.args[0] ?? '',
    dst: p.args[1] ?? '',
    uncompress: p.values.uncompress as boolean,
    oci: p.values.oci as boolean,
    platforms: (p.values.platform as string[] | undefined) ?? [],
    allPlatforms: p.values['all-platforms'] as boolean,
  }),
  async run(o, deps) {
    if (o.src === '' || o.dst === '') throw new CommandError('src and target image need to be specified');
    let platform: MatchComparer = all;
    if (!o.allPlatforms) {
      platform = o.platforms.length > 0 ? orderedPlatforms(o.platforms) : onlyStrict(defaultSpec());
    }
    const conn = await deps.connect();
    const { convertImage } = await import('./converter.js');
    const img = await convertImage(conn, o.dst, o.src, { uncompress: o.uncompress, docker2oci: o.oci, platform }, deps.stderr);
    deps.stdout.write(`${img?.target?.digest ?? ''}\n`);
  },
});
