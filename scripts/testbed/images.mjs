#!/usr/bin/env node
// Builds the test bed's busybox images without docker and pushes them to a registry
// over the OCI distribution HTTP API. Only node built-ins, so it runs before `npm ci`.
//
// Usage: node scripts/testbed/images.mjs --registry 127.0.0.1:5000 [--busybox /bin/busybox]
//          [--out images.json]
//
// Every byte is a function of the busybox binary alone (fixed mtimes, owners, key order,
// gzip level), so digests stay the same from run to run, and pushes are skipped when
// the registry already holds a blob or a manifest.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { arch } from 'node:process';
import { parseArgs } from 'node:util';
import { gzipSync, constants as zlibConstants } from 'node:zlib';

const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

const REPOSITORY = 'testbed/busybox';
// 2024-01-01T00:00:00Z: any fixed instant works; it only has to never change.
const FIXED_EPOCH = 1704067200;
const FIXED_CREATED = new Date(FIXED_EPOCH * 1000).toISOString();

const BUSYBOX_APPLETS = [
  '[', 'awk', 'basename', 'cat', 'chmod', 'chown', 'cp', 'cut', 'date', 'df', 'dirname', 'du',
  'echo', 'env', 'expr', 'false', 'find', 'free', 'grep', 'head', 'hostname', 'id', 'kill',
  'ln', 'ls', 'mkdir', 'mount', 'mv', 'nproc', 'printf', 'ps', 'pwd', 'readlink', 'rm',
  'rmdir', 'sed', 'seq', 'sh', 'sleep', 'sort', 'stat', 'sync', 'tail', 'tee', 'test',
  'top', 'touch', 'tr', 'true', 'umount', 'uname', 'uniq', 'wc', 'which', 'whoami', 'xargs',
  'yes',
];

// ---------------------------------------------------------------------------------------
// A minimal ustar writer: directories, regular files and symlinks are all the images need.

function octal(value, width) {
  // width includes the trailing NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader({ name, mode, uid = 0, gid = 0, size = 0, type, linkname = '', uname = 'root', gname = 'root' }) {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const header = Buffer.alloc(512);
  const put = (text, offset, width) => header.write(text, offset, width, 'utf8');
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(uid, 8), 108, 8);
  put(octal(gid, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(FIXED_EPOCH, 12), 136, 12);
  put('        ', 148, 8); // checksum is computed with its own field read as spaces
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(uname, 265, 32);
  put(gname, 297, 32);
  put(octal(0, 8), 329, 8);
  put(octal(0, 8), 337, 8);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return header;
}

/** entries: { path, kind: 'dir'|'file'|'symlink', mode, uid?, gid?, data?, target? } */
function tarArchive(entries) {
  const blocks = [];
  for (const entry of entries) {
    const owner = { uid: entry.uid ?? 0, gid: entry.gid ?? 0, uname: entry.uname ?? 'root', gname: entry.gname ?? 'root' };
    if (entry.kind === 'dir') {
      blocks.push(tarHeader({ name: `${entry.path}/`, mode: entry.mode, type: '5', ...owner }));
    } else if (entry.kind === 'symlink') {
      blocks.push(tarHeader({ name: entry.path, mode: 0o777, type: '2', linkname: entry.target, ...owner }));
    } else {
      const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data);
      blocks.push(tarHeader({ name: entry.path, mode: entry.mode, type: '0', size: data.length, ...owner }));
      blocks.push(data);
      const padding = (512 - (data.length % 512)) % 512;
      if (padding) blocks.push(Buffer.alloc(padding));
    }
  }
  blocks.push(Buffer.alloc(1024)); // end-of-archive marker
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------------------------------
// Image content

function baseLayerEntries(busybox) {
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    'tester:x:1000:1000:tester:/home/tester:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
    '',
  ].join('\n');
  const group = ['root:x:0:', 'testers:x:1000:tester', 'nogroup:x:65534:', ''].join('\n');
  const tester = { uid: 1000, gid: 1000, uname: 'tester', gname: 'testers' };
  return [
    { path: 'bin', kind: 'dir', mode: 0o755 },
    { path: 'bin/busybox', kind: 'file', mode: 0o755, data: busybox },
    ...BUSYBOX_APPLETS.map((applet) => ({ path: `bin/${applet}`, kind: 'symlink', target: 'busybox' })),
    // Mount points that runc would otherwise have to create inside the rootfs.
    { path: 'dev', kind: 'dir', mode: 0o755 },
    { path: 'etc', kind: 'dir', mode: 0o755 },
    { path: 'etc/group', kind: 'file', mode: 0o644, data: group },
    { path: 'etc/passwd', kind: 'file', mode: 0o644, data: passwd },
    { path: 'home', kind: 'dir', mode: 0o755 },
    { path: 'home/tester', kind: 'dir', mode: 0o755, ...tester },
    { path: 'proc', kind: 'dir', mode: 0o555 },
    { path: 'root', kind: 'dir', mode: 0o700 },
    { path: 'sys', kind: 'dir', mode: 0o555 },
    { path: 'tmp', kind: 'dir', mode: 0o1777 },
  ];
}

function extraLayerEntries() {
  return [
    { path: 'data', kind: 'dir', mode: 0o755 },
    { path: 'data/notes.txt', kind: 'file', mode: 0o644, data: 'a second layer\n' },
    { path: 'hello.txt', kind: 'file', mode: 0o644, data: 'hello from the ctr test bed\n' },
  ];
}

function sha256(data) {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function blob(mediaType, data) {
  return { mediaType, data, digest: sha256(data), size: data.length };
}

function descriptor(item, extra = {}) {
  return { mediaType: item.mediaType, digest: item.digest, size: item.size, ...extra };
}

function layer(entries) {
  const tar = tarArchive(entries);
  const gz = gzipSync(tar, { level: zlibConstants.Z_BEST_COMPRESSION });
  return { tar, gz, diffId: sha256(tar), digest: sha256(gz), size: gz.length };
}

function imageConfig(mediaType, platform, layers) {
  const config = {
    created: FIXED_CREATED,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['sh'],
      WorkingDir: '/',
      Labels: { 'org.example.ctr-testbed': 'busybox' },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [
      { created: FIXED_CREATED, created_by: 'testbed: busybox, applet links, /etc/passwd and /etc/group' },
      { created: FIXED_CREATED, created_by: 'testbed: /hello.txt and /data' },
    ],
  };
  return blob(mediaType, Buffer.from(JSON.stringify(config)));
}

function manifest(kind, config, layers) {
  const layerMedia = kind === 'docker' ? MEDIA.dockerLayerGzip : MEDIA.ociLayerGzip;
  const mediaType = kind === 'docker' ? MEDIA.dockerManifest : MEDIA.ociManifest;
  const body = {
    schemaVersion: 2,
    mediaType,
    config: descriptor(config),
    layers: layers.map((l) => ({ mediaType: layerMedia, digest: l.digest, size: l.size })),
  };
  return blob(mediaType, Buffer.from(JSON.stringify(body)));
}

function goArch(nodeArch) {
  const map = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const found = map[nodeArch];
  if (!found) throw new Error(`unsupported architecture ${nodeArch}`);
  return found;
}

function platformOf(architecture) {
  return architecture === 'arm64' ? { architecture, os: 'linux', variant: 'v8' } : { architecture, os: 'linux' };
}

function buildImages(busybox) {
  const layers = [layer(baseLayerEntries(busybox)), layer(extraLayerEntries())];
  const host = platformOf(goArch(arch));
  const ociConfig = imageConfig(MEDIA.ociConfig, host, layers);
  const dockerConfig = imageConfig(MEDIA.dockerConfig, host, layers);
  const oci = manifest('oci', ociConfig, layers);
  const docker = manifest('docker', dockerConfig, layers);

  // The index's second platform carries the same (host-arch) busybox layers under a
  // config that claims the other architecture: it is never run, it only has to be a
  // well-formed second entry so that platform selection has something to choose from.
  const other = platformOf(host.architecture === 'arm64' ? 'amd64' : 'arm64');
  const otherConfig = imageConfig(MEDIA.ociConfig, other, layers);
  const otherManifest = manifest('oci', otherConfig, layers);
  const entries = [
    { manifest: oci, platform: host },
    { manifest: otherManifest, platform: other },
  ].sort((a, b) => (a.platform.architecture < b.platform.architecture ? -1 : 1));
  const index = blob(
    MEDIA.ociIndex,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociIndex,
        manifests: entries.map((e) => descriptor(e.manifest, { platform: e.platform })),
      }),
    ),
  );

  const layerBlobs = layers.map((l) => ({ mediaType: MEDIA.ociLayerGzip, data: l.gz, digest: l.digest, size: l.size }));
  return {
    tags: {
      oci: { manifest: oci, blobs: [...layerBlobs, ociConfig] },
      docker: { manifest: docker, blobs: [...layerBlobs, dockerConfig] },
      multi: { manifest: index, blobs: [...layerBlobs, ociConfig, otherConfig], children: [oci, otherManifest] },
    },
    layers,
  };
}

// ---------------------------------------------------------------------------------------
// OCI distribution client (plain HTTP, loopback only)

function request(registry, method, path, { headers = {}, body } = {}) {
  const [host, port] = registry.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port: Number(port), method, path, headers: { ...headers, ...(body ? { 'Content-Length': body.length } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function expectStatus(res, wanted, what) {
  if (!wanted.includes(res.status)) {
    throw new Error(`${what}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
  }
}

async function pushBlob(registry, item) {
  const blobPath = `/v2/${REPOSITORY}/blobs/${item.digest}`;
  const head = await request(registry, 'HEAD', blobPath);
  if (head.status === 200) return false;
  const start = await request(registry, 'POST', `/v2/${REPOSITORY}/blobs/uploads/`);
  expectStatus(start, [202], `start upload of ${item.digest}`);
  const location = new URL(start.headers.location, `http://${registry}`);
  location.searchParams.set('digest', item.digest);
  const put = await request(registry, 'PUT', location.pathname + location.search, {
    headers: { 'Content-Type': 'application/octet-stream' },
    body: item.data,
  });
  expectStatus(put, [201], `upload of ${item.digest}`);
  return true;
}

async function pushManifest(registry, reference, item) {
  const manifestPath = `/v2/${REPOSITORY}/manifests/${reference}`;
  const head = await request(registry, 'HEAD', manifestPath, { headers: { Accept: item.mediaType } });
  if (head.status === 200 && head.headers['docker-content-digest'] === item.digest) return false;
  const put = await request(registry, 'PUT', manifestPath, {
    headers: { 'Content-Type': item.mediaType },
    body: item.data,
  });
  expectStatus(put, [201], `manifest ${REPOSITORY}:${reference}`);
  if (put.headers['docker-content-digest'] && put.headers['docker-content-digest'] !== item.digest) {
    throw new Error(`registry stored ${REPOSITORY}:${reference} as ${put.headers['docker-content-digest']}, expected ${item.digest}`);
  }
  return true;
}

async function pushAll(registry, images) {
  let uploaded = 0;
  for (const [tag, image] of Object.entries(images.tags)) {
    for (const item of image.blobs) if (await pushBlob(registry, item)) uploaded++;
    // An index may only reference manifests the registry already has.
    for (const child of image.children ?? []) if (await pushManifest(registry, child.digest, child)) uploaded++;
    if (await pushManifest(registry, tag, image.manifest)) uploaded++;
  }
  return uploaded;
}

async function main() {
  const { values } = parseArgs({
    options: {
      registry: { type: 'string' },
      busybox: { type: 'string', default: '/bin/busybox' },
      out: { type: 'string' },
    },
  });
  if (!values.registry) throw new Error('--registry host:port is required');
  const images = buildImages(readFileSync(values.busybox));
  const uploaded = await pushAll(values.registry, images);
  const summary = {
    registry: values.registry,
    repository: REPOSITORY,
    images: Object.fromEntries(
      Object.entries(images.tags).map(([tag, image]) => [
        tag,
        {
          ref: `${values.registry}/${REPOSITORY}:${tag}`,
          mediaType: image.manifest.mediaType,
          digest: image.manifest.digest,
          size: image.manifest.size,
        },
      ]),
    ),
    layers: images.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size })),
  };
  if (values.out) writeFileSync(values.out, JSON.stringify(summary, null, 2) + '\n');
  process.stderr.write(`images: ${uploaded} object(s) uploaded, the rest already present\n`);
}

main().catch((err) => {
  process.stderr.write(`testbed images: ${err.message}\n`);
  process.exit(1);
});
