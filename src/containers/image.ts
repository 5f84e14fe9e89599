// The image side of container creation (containerd's client image type): the image
// record, its config for the chosen platform read from the content store, the rootfs
// chain ID, and whether that chain is unpacked in a snapshotter.

import { SnapshotsDefinition } from '../api/github.com/containerd/containerd/api/services/snapshots/v1/snapshots.js';
import type { Connection } from '../cli/types.js';
import { converted, isNotFound } from '../client/errdefs.js';
import { readBlob } from '../images/content.js';
import { resolveManifest } from '../images/image.js';
import type { Descriptor } from '../images/types.js';
import { resolveSnapshotterName } from '../images/snapshotter.js';
import { chainID, unpackImage } from '../images/unpack.js';
import { parseImageConfig, type OCIImage } from '../oci/image-config.js';
import type { Image } from './lookup.js';

const CONFIG_TYPES = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'];

const configCache = new WeakMap<Image, Promise<{ desc: Descriptor; raw: Buffer }>>();

/** Image.Config: the config descriptor of the platform's manifest, and its bytes. */
function configBlob(conn: Connection, img: Image): Promise<{ desc: Descriptor; raw: Buffer }> {
  let p = configCache.get(img);
  if (!p) {
    p = (async () => {
      const desc = (await resolveManifest(conn, img.target, img.platform)).config;
      return { desc, raw: await readBlob(conn, desc) };
    })();
    configCache.set(img, p);
  }
  return p;
}

/** The decoded image config, checked to be a config media type as containerd's options do. */
export async function imageConfig(conn: Connection, img: Image): Promise<OCIImage> {
  const { desc, raw } = await configBlob(conn, img);
  if (!CONFIG_TYPES.includes(desc.mediaType)) throw new Error(`unknown image config media type ${desc.mediaType}`);
  return parseImageConfig(raw);
}

/** Image.RootFS: the diff IDs of the image config. */
export async function imageRootFS(conn: Connection, img: Image): Promise<string[]> {
  const { raw } = await configBlob(conn, img);
  return parseImageConfig(raw).rootfs?.diff_ids ?? [];
}

const chainIDCache = new WeakMap<Image, Promise<string>>();

/** The rootfs chain ID (asked for twice by run: is it unpacked, and as the snapshot's parent). */
export function imageChainID(conn: Connection, img: Image): Promise<string> {
  let p = chainIDCache.get(img);
  if (!p) {
    p = imageRootFS(conn, img).then(chainID);
    chainIDCache.set(img, p);
  }
  return p;
}

/** Image.IsUnpacked: the rootfs chain exists in the snapshotter. */
export async function isUnpacked(conn: Connection, img: Image, snapshotter: string): Promise<boolean> {
  const name = await resolveSnapshotterName(conn, snapshotter);
  const key = await imageChainID(conn, img);
  try {
    await converted(conn.service(SnapshotsDefinition).stat({ snapshotter: name, key }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Image.Unpack into the snapshotter (silent, as ctr's create and run do it). */
export async function unpack(conn: Connection, img: Image, snapshotter: string): Promise<void> {
  await unpackImage(conn, img.target, { snapshotter, platform: img.platform });
}
