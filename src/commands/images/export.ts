import { ImagesDefinition } from '../../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import { converted } from '../../client/errdefs.js';
import { CommandError, defineVerb } from '../../cli/types.js';
import { defaultSpec, onlyStrict } from '../../images/platforms.js';
import { goOpenError } from '../../oci/opts.js';
import { formatBytes } from '../../format/units.js';
import type { ByteSink } from '../../archive/tar.js';
import type { Descriptor } from '../../images/types.js';
import { progressWanted, withProgress } from './progress.js';
import { orderedPlatforms, platformListFlags, targetOf } from './shared.js';

export default defineVerb({
  argsUsage: '[flags] <out> <image> ...',
  description: `Export images to an OCI tar archive.

Tar output is formatted as an OCI archive, a Docker manifest is provided for the platform.
Use '--skip-manifest-json' to avoid including the Docker manifest.json file.
Use '--platform' to define the output platform.
When '--all-platforms' is given all images in a manifest list must be available.`,
  flags: [
    { name: 'skip-manifest-json', kind: 'bool', usage: 'do not add Docker compatible manifest.json to archive' },
    { name: 'skip-non-distributable', kind: 'bool', usage: 'do not add non-distributable blobs such as Windows layers to archive' },
    ...platformListFlags,
  ],
  options: (p) => ({
    out: p.args[0] ?? '',
    images: p.args.slice(1),
    platforms: (p.values.platform as string[] | undefined) ?? [],
    allPlatforms: p.values['all-platforms'] as boolean,
    skipManifestJSON: p.values['skip-manifest-json'] as boolean,
    skipNonDistributable: p.values['skip-non-distributable'] as boolean,
  }),
  async run(o, deps) {
    if (o.out === '' || o.images.length === 0) {
      throw new CommandError('please provide both an output filename and an image reference to export');
    }
    const platform = o.platforms.length > 0 ? orderedPlatforms(o.platforms) : onlyStrict(defaultSpec());
    const conn = await deps.connect();
    const { exportArchive } = await import('../../archive/export.js');
    const { FileSink, StreamSink } = await import('../../archive/sink.js');
    // ctr creates the file before it looks up the images, so a failed export leaves it.
    let fh;
    if (o.out !== '-') {
      const { open } = await import('node:fs/promises');
      try {
        fh = await open(o.out, 'w', 0o666);
      } catch (e) {
        throw new Error(goOpenError(e, o.out));
      }
    }
    try {
      const images = conn.service(ImagesDefinition);
      const manifests: Array<{ name: string; target: Descriptor }> = [];
      for (const name of o.images) {
        const { image } = await converted(images.get({ name }));
        manifests.push({ name, target: targetOf(image) });
      }
      const sink = fh ? new FileSink(fh) : new StreamSink(deps.stdout);
      await withProgress(deps, 'exporting…', async (progress) => {
        let written = 0;
        const counted: ByteSink = {
          write: (chunk) => {
            written += chunk.length;
            progress.update(`exporting: ${formatBytes(written)} written`);
            return sink.write(chunk);
          },
        };
        try {
          await exportArchive(conn, progressWanted(deps) ? counted : sink, {
            manifests,
            platform,
            allPlatforms: o.allPlatforms,
            skipDockerManifest: o.skipManifestJSON,
            skipNonDistributable: o.skipNonDistributable,
          });
        } finally {
          if (sink instanceof FileSink) await sink.flush();
        }
      });
    } finally {
      await fh?.close();
    }
  },
});
