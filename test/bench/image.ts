// The transfer benchmarks' image: five gzip layers of 40 MiB of incompressible bytes
// (~200 MiB), built the same way on every run and pushed to the test bed registry when
// it is not there yet. The bytes are an AES-CTR keystream under a fixed key, so the
// layers compress to nothing and no other image anywhere shares them (a blob another
// namespace holds would be taken from the daemon's shared store instead of downloaded).

import { createCipheriv, createHash } from 'node:crypto';
import { arch } from 'node:process';
import { constants, gzipSync } from 'node:zlib';
import { headerBlocks, TypeReg } from '../../src/archive/tar.js';

export const BENCH_REPOSITORY = 'ctr-ts-bench/big';
export const BENCH_TAG = 'v1';
const LAYERS = 5;
const LAYER_BYTES = 40 << 20;
// 2024-01-01T00:00:00Z: fixed, so that the tar headers and config never change.
const EPOCH = 1704067200;

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

interface Blob { digest: string; size: number; data: Buffer }

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = (data: Buffer): Blob => ({ digest: sha256(data), size: data.length, data });

/** Deterministic incompressible bytes: the keystream of AES-256-CTR with a per-layer key. */
function noise(layer: number, n: number): Buffer {
  const key = createHash('sha256').update(`ctr-ts bench layer ${layer}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
}

function layerTar(i: number): Buffer {
  const body = noise(i, LAYER_BYTES);
  const header = headerBlocks({ name: `bench/layer-${i}.bin`, typeflag: TypeReg, size: body.length, mode: 0o644, mtime: EPOCH, uname: 'root', gname: 'root' });
  // The body is a whole number of blocks: no padding before the end-of-archive blocks.
  return Buffer.concat([...header, body, Buffer.alloc(1024)]);
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export interface BenchImage { ref: string; layers: Array<{ digest: string; size: number }>; manifestDigest: string }

async function check(res: Response, wanted: number, what: string): Promise<void> {
  if (res.status !== wanted) throw new Error(`bench image: ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
}

async function pushBlob(base: string, b: Blob): Promise<void> {
  const head = await fetch(`${base}/blobs/${b.digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
  await check(start, 202, `start upload of ${b.digest}`);
  const location = new URL(start.headers.get('location')!, base);
  location.searchParams.set('digest', b.digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(b.data) });
  await check(put, 201, `upload of ${b.digest}`);
}

/** The image's reference, building and pushing it first if the registry lacks any part. */
export async function ensureBenchImage(registry: string): Promise<BenchImage> {
  const base = `http://${registry}/v2/${BENCH_REPOSITORY}`;
  const ref = `${registry}/${BENCH_REPOSITORY}:${BENCH_TAG}`;
  const existing = await fetch(`${base}/manifests/${BENCH_TAG}`, { headers: { accept: MEDIA.manifest } });
  if (existing.status === 200) {
    const body = Buffer.from(await existing.arrayBuffer());
    const m = JSON.parse(body.toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    const heads = await Promise.all([m.config, ...m.layers].map((d) => fetch(`${base}/blobs/${d.digest}`, { method: 'HEAD' })));
    if (heads.every((h) => h.status === 200)) return { ref, layers: m.layers, manifestDigest: sha256(body) };
  }
  process.stderr.write(`bench: building ${ref} (${LAYERS} × ${LAYER_BYTES >> 20} MiB layers)…\n`);
  const layers: Array<{ digest: string; size: number; diffId: string }> = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = layerTar(i);
    const gz = blob(gzipSync(tar, { level: constants.Z_BEST_SPEED }));
    await pushBlob(base, gz);
    layers.push({ digest: gz.digest, size: gz.size, diffId: sha256(tar) });
  }
  const created = new Date(EPOCH * 1000).toISOString();
  const config = blob(Buffer.from(JSON.stringify({
    created,
    architecture: GO_ARCH[arch] ?? arch,
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `ctr-ts bench layer ${i}` })),
  })));
  await pushBlob(base, config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.size })),
  }));
  const put = await fetch(`${base}/manifests/${BENCH_TAG}`, { method: 'PUT', headers: { 'content-type': MEDIA.manifest }, body: new Uint8Array(manifest) });
  await check(put, 201, `manifest ${ref}`);
  return { ref, layers: layers.map(({ digest, size }) => ({ digest, size })), manifestDigest: sha256(manifest) };
}
