// hosts.toml reading (our TOML subset reader and containerd's host ordering/defaults)
// and the default host rules of config.ConfigureHosts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToml } from '../../src/registry/toml.js';
import { CAP_PULL, CAP_PUSH, CAP_RESOLVE, configureHosts, isLocalhost, parseHostsFile } from '../../src/registry/hosts.js';
import { Logger } from '../../src/registry/log.js';

const opts = (extra: object = {}) => ({
  credentials: () => ({ username: '', secret: '' }), defaultTLS: {}, headers: {}, log: new Logger(undefined), ...extra,
});

describe('toml', () => {
  it('reads the hosts.toml subset', () => {
    const t = parseToml(`# comment
server = "https://registry.example"  # trailing
skip_verify = false
[host."https://mirror-b:5000"]
  capabilities = ["pull", 'resolve']
  ca = ["a.crt",
        "b.crt",]
[host."https://mirror-a".header]
  x-custom = "v"
  multi = """two
lines"""
[host."https://mirror-a"]
  client = [["c.cert", "c.key"]]
  inline = { a = 1, b = true }
`);
    assert.equal(t.server, 'https://registry.example');
    assert.equal(t.skip_verify, false);
    const hosts = t.host as Record<string, Record<string, unknown>>;
    assert.deepEqual(hosts['https://mirror-b:5000']!.capabilities, ['pull', 'resolve']);
    assert.deepEqual(hosts['https://mirror-a']!.header, { 'x-custom': 'v', multi: 'two\nlines' });
    assert.deepEqual(hosts['https://mirror-a']!.inline, { a: 1, b: true });
  });
  it('rejects broken input', () => {
    assert.throws(() => parseToml('a = '), /expected a value/);
    assert.throws(() => parseToml('a = "x'), /unclosed string/);
    assert.throws(() => parseToml('a = 1\na = 2'), /duplicate key/);
  });
});

describe('hosts', () => {
  it('orders mirrors by position, then the server', () => {
    const hosts = parseHostsFile('/etc/certs', `server = "https://reg.example"
[host."http://second.example"]
  capabilities = ["pull"]
[host."first.example:5000/sub"]
  ca = "ca.pem"
  skip_verify = true
`);
    assert.deepEqual(hosts.map((h) => [h.scheme, h.host, h.path, h.capabilities]), [
      ['http', 'second.example', '/v2', CAP_PULL],
      ['https', 'first.example:5000', '/sub/v2', CAP_PULL | CAP_RESOLVE | CAP_PUSH],
      ['https', 'reg.example', '/v2', CAP_PULL | CAP_RESOLVE | CAP_PUSH],
    ]);
    assert.deepEqual(hosts[1]!.caCerts, ['/etc/certs/ca.pem']);
    assert.equal(hosts[1]!.skipVerify, true);
    assert.throws(() => parseHostsFile('/', '[host."x"]\ncapabilities = ["fly"]'), /unknown capability fly/);
  });
  it('applies the default host rules', () => {
    assert.ok(isLocalhost('127.0.0.1:5000') && isLocalhost('localhost') && isLocalhost('[::1]:5000') && !isLocalhost('example.com'));
    const [local] = configureHosts(opts(), '127.0.0.1:5000');
    assert.equal(`${local!.scheme}://${local!.host}${local!.path}`, 'http://127.0.0.1:5000/v2');
    const [hub] = configureHosts(opts(), 'docker.io');
    assert.equal(`${hub!.scheme}://${hub!.host}`, 'https://registry-1.docker.io');
    const [plain] = configureHosts(opts({ defaultScheme: 'http' }), 'example.com');
    assert.equal(plain!.scheme, 'http');
    const [tls] = configureHosts(opts(), 'example.com');
    assert.equal(tls!.scheme, 'https');
  });
  it('finds host_port_ directories under --hosts-dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hosts-'));
    try {
      const hd = join(dir, '127.0.0.1_5000_');
      mkdirSync(hd);
      writeFileSync(join(hd, 'hosts.toml'), 'server = "https://127.0.0.1:5000"\n[host."http://127.0.0.1:6000"]\n  capabilities = ["pull", "resolve"]\n');
      const hosts = configureHosts(opts({ hostDir: dir }), '127.0.0.1:5000');
      assert.deepEqual(hosts.map((h) => `${h.scheme}://${h.host}`), ['http://127.0.0.1:6000', 'https://127.0.0.1:5000']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
