// Registry authorization: challenge parsing, and the bearer/basic flows of the
// resolver against small fake registry and token servers on loopback.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BASIC, BEARER, parseAuthHeader, tokenScopes } from '../../src/registry/auth.js';
import { configureHosts } from '../../src/registry/hosts.js';
import { Logger } from '../../src/registry/log.js';
import { Resolver } from '../../src/registry/resolver.js';

describe('challenges', () => {
  it('parses WWW-Authenticate, bearer first', () => {
    const c = parseAuthHeader(['Basic realm="r"', 'Bearer realm="https://auth/token",service="reg",scope="repository:a:pull repository:b:pull",error="insufficient_scope"', 'Negotiate x']);
    assert.deepEqual(c.map((x) => x.scheme), [BEARER, BASIC]);
    assert.equal(c[0]!.parameters.realm, 'https://auth/token');
    assert.equal(c[0]!.parameters.scope, 'repository:a:pull repository:b:pull');
    assert.equal(c[0]!.parameters.error, 'insufficient_scope');
    assert.deepEqual(parseAuthHeader(['bearer realm="a\\"b" , Service=s'])[0]!.parameters, { realm: 'a"b', service: 's' });
  });
  it('sorts and de-duplicates scopes', () => {
    assert.deepEqual(tokenScopes(['repository:b:pull', 'repository:a:pull'], ['repository:b:pull']), ['repository:a:pull', 'repository:b:pull']);
  });
});

const DIGEST = `sha256:${'1'.repeat(64)}`;
type Seen = { method: string; url: string; auth: string; body: string };

function listen(handler: http.RequestListener): Promise<http.Server> {
  const s = http.createServer(handler);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}
const port = (s: http.Server) => (s.address() as AddressInfo).port;

describe('auth flows', () => {
  let registry: http.Server;
  let tokens: http.Server;
  const seen: Seen[] = [];
  let mode: 'bearer' | 'basic' = 'bearer';

  before(async () => {
    tokens = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body });
        const form = new URLSearchParams(body);
        const ok = (form.get('grant_type') === 'password' && form.get('username') === 'u' && form.get('password') === 'p')
          || (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'rt')
          || (req.method === 'GET');
        if (req.method === 'POST' && form.get('username') === 'getonly') {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(ok ? (req.method === 'GET' ? { token: 'tok' } : { access_token: 'tok' }) : {}));
      });
    });
    registry = await listen((req, res) => {
      const auth = req.headers.authorization ?? '';
      const good = mode === 'bearer' ? auth === 'Bearer tok' : auth === `Basic ${Buffer.from('u:p').toString('base64')}`;
      if (!good) {
        res.writeHead(401, {
          'WWW-Authenticate': mode === 'bearer'
            ? `Bearer realm="http://127.0.0.1:${port(tokens)}/token",service="reg",scope="repository:repo:pull"`
            : 'Basic realm="reg"',
        }).end();
        return;
      }
      res.writeHead(200, { 'Docker-Content-Digest': DIGEST, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': '10' }).end();
    });
  });
  after(() => {
    registry.close();
    tokens.close();
  });

  const resolver = (username: string, secret: string) => new Resolver({
    hosts: (h) => configureHosts({ credentials: () => ({ username, secret }), defaultTLS: {}, headers: { 'User-Agent': ['containerd/1.6.20~ds1'] }, log: new Logger(undefined) }, h),
    headers: { 'User-Agent': ['containerd/1.6.20~ds1'] },
    log: new Logger(undefined),
  });
  const ref = () => `127.0.0.1:${port(registry)}/repo:tag`;

  it('bearer with a password: OAuth POST with the scopes', async () => {
    mode = 'bearer';
    seen.length = 0;
    const { desc } = await resolver('u', 'p').resolve(ref());
    assert.equal(desc.digest, DIGEST);
    assert.equal(desc.size, 10);
    assert.equal(seen.length, 1);
    const form = new URLSearchParams(seen[0]!.body);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(form.get('scope'), 'repository:repo:pull');
    assert.equal(form.get('service'), 'reg');
    assert.equal(form.get('client_id'), 'containerd-client');
  });
  it('bearer with a refresh token, and anonymous GET', async () => {
    mode = 'bearer';
    seen.length = 0;
    await resolver('', 'rt').resolve(ref());
    assert.equal(new URLSearchParams(seen[0]!.body).get('grant_type'), 'refresh_token');
    seen.length = 0;
    await resolver('', '').resolve(ref());
    assert.equal(seen[0]!.method, 'GET');
    assert.match(seen[0]!.url, /^\/token\?scope=repository%3Arepo%3Apull&service=reg$/);
  });
  it('falls back to GET with basic credentials when OAuth is not there', async () => {
    mode = 'bearer';
    seen.length = 0;
    await resolver('getonly', 'x').resolve(ref());
    assert.deepEqual(seen.map((s) => s.method), ['POST', 'GET']);
    assert.equal(seen[1]!.auth, `Basic ${Buffer.from('getonly:x').toString('base64')}`);
  });
  it('basic auth with credentials, and the 401 text without', async () => {
    mode = 'basic';
    assert.equal((await resolver('u', 'p').resolve(ref())).desc.digest, DIGEST);
    await assert.rejects(resolver('', '').resolve(ref()), {
      message: `pulling from host 127.0.0.1:${port(registry)} failed with status code [manifests tag]: 401 Unauthorized`,
    });
  });
});
