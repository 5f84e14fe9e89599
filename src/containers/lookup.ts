// The first calls of container creation: the image record and the snapshotter to use.
// A module of its own, light to load, so run can send them as soon as the connection
// is up and set up the (much larger) container code while the daemon answers.

import { ImagesDefinition } from '../api/github.com/containerd/containerd/api/services/images/v1/images.js';
import type { Connection } from '../cli/types.js';
import { converted } from '../client/errdefs.js';
import { defaultMatcher, only, parsePlatform, type MatchComparer } from '../images/platforms.js';
import { resolveSnapshotterName } from '../images/snapshotter.js';
import type { Descriptor } from '../images/types.js';

/** An image record with the platform it is used for (client.NewImageWithPlatform). */
export interface Image {
  name: string;
  labels: Record<string, string>;
  target: Descriptor;
  platform: MatchComparer;
}

/** ImageService().Get(ref), then the platform matcher ctr's --platform asks for. */
export async function getImage(conn: Connection, ref: string, platform = ''): Promise<Image> {
  const { image } = await converted(conn.service(ImagesDefinition).get({ name: ref }));
  const t = image!.target!;
  const target: Descriptor = { mediaType: t.mediaType, digest: t.digest, size: Number(t.size), annotations: t.annotations };
  return {
    name: image!.name,
    labels: image!.labels ?? {},
    target,
    platform: platform ? only(parsePlatform(platform)) : defaultMatcher(),
  };
}

/** Both answers, asked for at once; their failures reach whoever awaits them. */
export interface ImageLookup {
  image: Promise<Image>;
  snapshotter: Promise<string>;
}

export function startLookup(conn: Connection, ref: string, platform: string, snapshotter: string): ImageLookup {
  // ctr resolves the default snapshotter (a namespace label) each time it needs it; once
  // is enough, asked while the image is looked up.
  const lookup = { snapshotter: resolveSnapshotterName(conn, snapshotter), image: getImage(conn, ref, platform) };
  lookup.snapshotter.catch(() => {});
  lookup.image.catch(() => {});
  return lookup;
}
