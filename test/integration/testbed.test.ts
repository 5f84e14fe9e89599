// The test bed itself: its containerd answers the real ctr, its registry serves the three
// busybox images with the right media types and digests, the image builder is
// reproducible and idempotent, and the real ctr pulls and runs the images.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseEnvLines, testbedEnv } from '../testbed.js';

const env = testbedEnv();
// CI always brings the test bed up, so there its absence is a failure, not a skip.
const skip = env || process.env.CI ? false : 'no test bed: run `scripts/testbed.sh up`';
const IMAGES_SCRIPT = fileURLToPath(new URL('../../scripts/testbed/images.mjs', import.meta.url));
const TESTBED_SCRIPT = fileURLToPath(new URL('../../scripts/testbed.sh', import.meta.url));

const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};
const ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');
const HOST_ARCH = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;

interface Descriptor { mediaType: string; digest: string; size: number; platform?: { architecture: string; os: string; variant?: string } }
interface Manifest { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[] }
interface Index { schemaVersion: number; mediaType: string; manifests: Descriptor[] }

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function need(key: string): string {
  const value = env?.[key];
  assert.ok(value, `${key} missing from the test bed environment`);
  return value;
}

function repoAndTag(ref: string): { repo: string; tag: string } {
  const withoutHost = ref.slice(ref.indexOf('/') + 1);
  const colon = withoutHost.lastIndexOf(':');
  return { repo: withoutHost.slice(0, colon), tag: withoutHost.slice(colon + 1) };
}

async function get(path: string, accept?: string): Promise<{ status: number; type: string; digest: string; body: Buffer }> {
  const res = await fetch(`http://${need('CTR_TESTBED_REGISTRY')}${path}`, { headers: accept ? { Accept: accept } : {} });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    digest: res.headers.get('docker-content-digest') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function manifestOf(ref: string) {
  const { repo, tag } = repoAndTag(ref);
  const res = await get(`/v2/${repo}/manifests/${tag}`, ACCEPT);
  assert.equal(res.status, 200, `GET manifest ${ref}`);
  assert.equal(res.digest, sha256(res.body), `Docker-Content-Digest of ${ref}`);
  return { ...res, repo, json: JSON.parse(res.body.toString()) as unknown };
}

async function blobOf(repo: string, desc: Descriptor): Promise<Buffer> {
  const res = await get(`/v2/${repo}/blobs/${desc.digest}`);
  assert.equal(res.status, 200, `GET blob ${desc.digest}`);
  assert.equal(sha256(res.body), desc.digest, `content of blob ${desc.digest}`);
  assert.equal(res.body.length, desc.size, `size of blob ${desc.digest}`);
  return res.body;
}

/** Names, types and link targets of a tar stream's entries (ustar, as the builder writes). */
function tarEntries(tar: Buffer): Map<string, { type: string; link: string; mode: number; uid: number; data: Buffer }> {
  const entries = new Map<string, { type: string; link: string; mode: number; uid: number; data: Buffer }>();
  const field = (h: Buffer, start: number, len: number) => h.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12), 8);
    const name = field(header, 0, 100);
    entries.set(name, {
      type: field(header, 156, 1),
      link: field(header, 157, 100),
      mode: parseInt(field(header, 100, 8), 8),
      uid: parseInt(field(header, 108, 8), 8),
      data: tar.subarray(off + 512, off + 512 + size),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Checks an image manifest, its config and its layers; returns the layer tar streams. */
async function checkImage(repo: string, manifest: Manifest, kind: 'oci' | 'docker', arch: string): Promise<Buffer[]> {
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.mediaType, kind === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest);
  assert.equal(manifest.config.mediaType, kind === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig);
  assert.equal(manifest.layers.length, 2, 'two layers');
  for (const layer of manifest.layers) assert.equal(layer.mediaType, kind === 'oci' ? MEDIA.ociLayer : MEDIA.dockerLayer);
  const config = JSON.parse((await blobOf(repo, manifest.config)).toString()) as {
    architecture: string; os: string;
    config: { Env: string[]; Cmd: string[]; WorkingDir: string; Labels: Record<string, string> };
    rootfs: { type: string; diff_ids: string[] };
  };
  assert.equal(config.os, 'linux');
  assert.equal(config.architecture, arch);
  assert.deepEqual(config.config.Cmd, ['sh']);
  assert.equal(config.config.WorkingDir, '/');
  assert.ok(config.config.Env.some((e) => e.startsWith('PATH=')), 'PATH in Env');
  assert.ok(Object.keys(config.config.Labels).length > 0, 'a label');
  const tars: Buffer[] = [];
  for (const layer of manifest.layers) tars.push(gunzipSync(await blobOf(repo, layer)));
  assert.equal(config.rootfs.type, 'layers');
  assert.deepEqual(config.rootfs.diff_ids, tars.map(sha256), 'diff_ids are the uncompressed layer digests');
  return tars;
}

/** The real ctr for the daemon; `ctr` on PATH when the tests were pointed at another daemon. */
const reference = () => env?.CTR_REFERENCE ?? 'ctr';

function realCtr(ns: string, ...args: string[]) {
  const r = spawnSync(reference(), ['-a', need('CONTAINERD_ADDRESS'), '-n', ns, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('test bed', { skip }, () => {
  const ns = `testbed-it-${randomBytes(4).toString('hex')}`;
  let images: string[] = [];

  before(() => {
    assert.ok(env, 'the test bed is up (CI runs scripts/testbed.sh up first)');
    images = [need('CTR_TESTBED_IMAGE_OCI'), need('CTR_TESTBED_IMAGE_DOCKER'), need('CTR_TESTBED_IMAGE_MULTI')];
  });

  after(() => {
    if (!env) return;
    for (const id of realCtr(ns, 'containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
      realCtr(ns, 'tasks', 'rm', '-f', id);
      realCtr(ns, 'containers', 'rm', id);
    }
    for (const ref of realCtr(ns, 'images', 'ls', '-q').stdout.split('\n').filter(Boolean)) realCtr(ns, 'images', 'rm', '--sync', ref);
    realCtr(ns, 'namespaces', 'rm', ns);
  });

  test('the daemon answers the real ctr with the version the test bed reports', () => {
    const r = spawnSync(reference(), ['-a', need('CONTAINERD_ADDRESS'), 'version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const server = r.stdout.slice(r.stdout.indexOf('Server:'));
    assert.match(server, /^Server:\n {2}Version: {2}\S+\n {2}Revision: /);
    const version = env?.CTR_TESTBED_CONTAINERD_VERSION;
    if (version) assert.equal(/Version: {2}(\S+)/.exec(server)![1], version);
  });

  test('`testbed.sh env` prints what the tests were given', () => {
    const r = spawnSync('bash', [TESTBED_SCRIPT, 'env'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    const printed = parseEnvLines(r.stdout);
    const keys = ['CTR_TESTBED_REGISTRY', 'CTR_TESTBED_IMAGE_OCI', 'CTR_TESTBED_IMAGE_DOCKER', 'CTR_TESTBED_IMAGE_MULTI'];
    // A developer may point the tests at another daemon; the registry is shared regardless.
    if (!process.env.CONTAINERD_ADDRESS || process.env.CONTAINERD_ADDRESS === printed.CONTAINERD_ADDRESS) {
      keys.push('CONTAINERD_ADDRESS', 'CTR_REFERENCE', 'CTR_TESTBED_CONTAINERD_VERSION');
    }
    for (const key of keys) assert.equal(printed[key], env![key], key);
  });

  test('registry: testbed/busybox:oci is an OCI image with two gzip layers', async () => {
    const m = await manifestOf(need('CTR_TESTBED_IMAGE_OCI'));
    assert.equal(m.type, MEDIA.ociManifest);
    const [base, extra] = await checkImage(m.repo, m.json as Manifest, 'oci', HOST_ARCH);
    const baseEntries = tarEntries(base!);
    const busybox = baseEntries.get('bin/busybox');
    assert.equal(busybox?.type, '0');
    assert.equal(busybox?.mode, 0o755);
    for (const applet of ['sh', 'ls', 'cat', 'echo', 'true', 'false', 'sleep', 'id', 'env', 'pwd', 'hostname', 'ps', 'mount', 'wc']) {
      assert.deepEqual([baseEntries.get(`bin/${applet}`)?.type, baseEntries.get(`bin/${applet}`)?.link], ['2', 'busybox'], applet);
    }
    const passwd = baseEntries.get('etc/passwd')!.data.toString();
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    assert.match(passwd, /^tester:x:1000:1000:/m);
    assert.match(baseEntries.get('etc/group')!.data.toString(), /^testers:x:1000:/m);
    assert.equal(baseEntries.get('tmp/')?.mode, 0o1777);
    const extraEntries = tarEntries(extra!);
    assert.equal(extraEntries.get('hello.txt')?.data.toString(), 'hello from the ctr test bed\n');
    assert.equal(extraEntries.get('data/')?.type, '5');
  });

  test('registry: testbed/busybox:docker has Docker schema 2 media types and the same layers', async () => {
    const docker = await manifestOf(need('CTR_TESTBED_IMAGE_DOCKER'));
    assert.equal(docker.type, MEDIA.dockerManifest);
    await checkImage(docker.repo, docker.json as Manifest, 'docker', HOST_ARCH);
    const oci = (await manifestOf(need('CTR_TESTBED_IMAGE_OCI'))).json as Manifest;
    assert.deepEqual((docker.json as Manifest).layers.map((l) => l.digest), oci.layers.map((l) => l.digest));
  });

  test('registry: testbed/busybox:multi is an OCI index for linux/amd64 and linux/arm64', async () => {
    const multi = await manifestOf(need('CTR_TESTBED_IMAGE_MULTI'));
    assert.equal(multi.type, MEDIA.ociIndex);
    const index = multi.json as Index;
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MEDIA.ociIndex);
    assert.deepEqual(index.manifests.map((d) => `${d.platform?.os}/${d.platform?.architecture}`).sort(), ['linux/amd64', 'linux/arm64']);
    const oci = await manifestOf(need('CTR_TESTBED_IMAGE_OCI'));
    for (const desc of index.manifests) {
      assert.equal(desc.mediaType, MEDIA.ociManifest);
      const child = await get(`/v2/${multi.repo}/manifests/${desc.digest}`, ACCEPT);
      assert.equal(child.status, 200);
      assert.equal(sha256(child.body), desc.digest);
      assert.equal(child.body.length, desc.size);
      await checkImage(multi.repo, JSON.parse(child.body.toString()) as Manifest, 'oci', desc.platform!.architecture);
      if (desc.platform!.architecture === HOST_ARCH) assert.equal(desc.digest, oci.digest, 'the host entry is the :oci image');
    }
  });

  test('the image builder is reproducible and pushes nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'testbed-images-'));
    try {
      const out = join(dir, 'images.json');
      const r = spawnSync(process.execPath, [IMAGES_SCRIPT, '--registry', need('CTR_TESTBED_REGISTRY'), '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /^images: 0 object\(s\) uploaded/m);
      const summary = JSON.parse(readFileSync(out, 'utf8')) as { images: Record<string, { digest: string; mediaType: string }> };
      for (const [tag, key] of [['oci', 'CTR_TESTBED_IMAGE_OCI'], ['docker', 'CTR_TESTBED_IMAGE_DOCKER'], ['multi', 'CTR_TESTBED_IMAGE_MULTI']] as const) {
        const served = await manifestOf(need(key));
        assert.equal(summary.images[tag]?.digest, served.digest, `${tag} digest is stable`);
        assert.equal(summary.images[tag]?.mediaType, served.type);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the real ctr pulls all three images and lists them', () => {
    for (const ref of images) {
      const r = realCtr(ns, 'images', 'pull', '--plain-http', ref);
      assert.equal(r.code, 0, `pull ${ref}: ${r.stderr}`);
    }
    const listed = realCtr(ns, 'images', 'ls');
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((cols) => cols[0]).sort(), [...images].sort());
    const row = (ref: string) => rows.find((cols) => cols[0] === ref)!;
    assert.equal(row(need('CTR_TESTBED_IMAGE_OCI'))[1], MEDIA.ociManifest);
    assert.equal(row(need('CTR_TESTBED_IMAGE_DOCKER'))[1], MEDIA.dockerManifest);
    assert.equal(row(need('CTR_TESTBED_IMAGE_MULTI'))[1], MEDIA.ociIndex);
    assert.match(listed.stdout, /linux\/amd64,linux\/arm64\/v8/);
  });

  test('the real ctr runs each image', () => {
    for (const ref of images) {
      const ok = realCtr(ns, 'run', '--rm', ref, `${ns}-true`, 'true');
      assert.equal(ok.code, 0, `run ${ref} true: ${ok.stderr}`);
    }
    const r = realCtr(ns, 'run', '--rm', need('CTR_TESTBED_IMAGE_OCI'), `${ns}-id`, 'sh', '-c', 'cat /hello.txt; id tester; pwd');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello from the ctr test bed\nuid=1000(tester) gid=1000(testers) groups=1000(testers)\n/\n');
    const failing = realCtr(ns, 'run', '--rm', need('CTR_TESTBED_IMAGE_DOCKER'), `${ns}-false`, 'false');
    assert.equal(failing.code, 1, 'the exit status of the container comes back');
  });
});
