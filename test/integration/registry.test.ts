// Registry transport against a private docker-registry with TLS (a self-signed
// certificate made by openssl) and htpasswd basic auth, compared with the real ctr:
// credentials, missing and wrong credentials, certificate checks, --skip-verify, and
// that failures leave no lease, image or content behind.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertParity, ctr, daemon, purgeNamespace, skipReason, uniqueName } from '../parity/harness.js';
import { pullNormalize, stripFrames } from '../parity/transfer-normalize.js';
import { canStartRegistry, startRegistry } from './registry-server.js';

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '';
const ready = d && OCI && canStartRegistry(true);

describe('registry with TLS and basic auth', { skip: ready ? false : skipReason + ' (or docker-registry/openssl/python3 crypt missing)' }, () => {
  let dir: string;
  let registry: ChildProcess | undefined;
  let host: string;
  let ref: string;
  let hostsOK: string; // hosts.toml trusting our CA
  let hostsNoCA: string; // https without the CA

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ctr-reg-'));
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    assert.equal(r.status, 0, String(r.stderr));
    const started = await startRegistry(dir, { u: 'p' }, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
    registry = started.process;
    host = started.host;
    const port = started.port;
    ref = `${host}/tp/busybox:oci`;
    const hostDir = (name: string, extra: string) => {
      const root = join(dir, name);
      mkdirSync(join(root, `127.0.0.1_${port}_`), { recursive: true });
      writeFileSync(join(root, `127.0.0.1_${port}_`, 'hosts.toml'), `server = "https://${host}"\n[host."https://${host}"]\n${extra}`);
      return root;
    };
    hostsOK = hostDir('ok', `  ca = "${join(dir, 'cert.pem')}"\n`);
    hostsNoCA = hostDir('noca', '  capabilities = ["pull", "resolve", "push"]\n');
    // seed the registry with the real ctr
    const ns = uniqueName('tp-seed');
    try {
      assert.equal(ctr(d!, ns, 'images', 'pull', OCI).code, 0);
      const push = ctr(d!, ns, 'images', 'push', '--hosts-dir', hostsOK, '-u', 'u:p', ref, OCI);
      assert.equal(push.code, 0, push.stderr);
    } finally {
      purgeNamespace(d!, ns);
    }
  });

  after(() => {
    registry?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const afterwards = () => [['images', 'ls'], ['content', 'ls'], ['leases', 'ls']];
  const norm = pullNormalize;

  it('pulls with credentials', () => {
    assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsOK, '-u', 'u:p', ref], then: afterwards, normalize: norm });
  });
  it('fails without credentials (401), leaving nothing', () => {
    // an empty Docker config: ours would otherwise look there for credentials (beyond ctr)
    const env = () => ({ DOCKER_CONFIG: join(dir, 'no-docker-config') });
    const pair = assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsOK, ref], then: afterwards, normalize: stripFrames, env });
    assert.equal(pair.ours[0]!.code, 1);
    assert.match(pair.ours[0]!.stderr, /401 Unauthorized/);
  });
  it('fails with a wrong password', () => {
    assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsOK, '-u', 'u:wrong', ref], then: afterwards, normalize: stripFrames });
  });
  it('refuses an unknown certificate authority', () => {
    const pair = assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsNoCA, '-u', 'u:p', ref], then: afterwards, normalize: stripFrames });
    assert.match(pair.ours[0]!.stderr, /x509: certificate signed by unknown authority/);
  });
  it('--skip-verify and --tlscacert accept it', () => {
    assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsNoCA, '-k', '-u', 'u:p', ref], then: afterwards, normalize: norm });
    assertParity(d!, { args: () => ['images', 'pull', '--hosts-dir', hostsNoCA, '--tlscacert', join(dir, 'cert.pem'), '-u', 'u:p', ref], then: afterwards, normalize: norm });
  });
  it('content fetch-object with credentials', () => {
    assertParity(d!, { args: () => ['content', 'fetch-object', '--hosts-dir', hostsOK, '-u', 'u:p', ref] });
  });
});
