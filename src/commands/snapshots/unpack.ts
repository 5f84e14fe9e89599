import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { parseDigest } from '../../images/digest.js';
import { defaultMatcher } from '../../images/platforms.js';
import { unpackImage } from '../../images/unpack.js';
import { snapshotterFlags } from '../flagsets/snapshotter.js';

export default defineVerb({
  argsUsage: '[flags] <digest>',
  flags: snapshotterFlags,
  options: (p) => ({ digest: p.args[0] ?? '', snapshotter: p.values.snapshotter as string }),
  async run({ digest, snapshotter }, deps) {
    try {
      parseDigest(digest);
    } catch (e) {
      throw new CommandError((e as Error).message);
    }
    const conn = await deps.connect();
    const { images } = await converted(conn.service(ImagesDefinition).list({ filters: [] }));
    const image = images.find((i) => i.target?.digest === digest);
    if (!image) throw new CommandError('manifest not found');
    const t = image.target!;
    deps.stdout.write(`unpacking ${digest} (${t.mediaType})...`);
    try {
      await unpackImage(conn, { mediaType: t.mediaType, digest: t.digest, size: Number(t.size), annotations: t.annotations }, { snapshotter, platform: defaultMatcher() });
    } catch (e) {
      deps.stdout.write('\n');
      throw e;
    }
    deps.stdout.write('done\n');
  },
});
