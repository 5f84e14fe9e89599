// Registry credentials from the Docker config file (beyond ctr): the file format as
// docker reads it (base64 checked against Go's encoding/base64), the keys a host is
// looked up under, and against a docker-registry with htpasswd basic auth on 127.0.0.1:
// pulls without a config (ctr's 401), with `auths` entries in their forms, through
// credential helper scripts (credHelpers, credsStore), --user winning over a wrong
// entry, push and fetch-object, broken files and helpers — and never a credential in
// the output.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  convertToHostname, credentialKeys, decodeStdBase64, dockerCredentials, DOCKER_HUB_KEY, fileStoreEntry, parseDockerConfig,
} from '../../src/registry/dockerconfig.js';
import { assertParity, ctr, daemon, errorLines, OURS, purgeNamespace, run, skipReason, uniqueName, type Result } from '../parity/harness.js';
import { stripFrames } from '../parity/transfer-normalize.js';
import { canStartRegistry, startRegistry, type TestRegistry } from './registry-server.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Writes an executable shell script. */
function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}`);
  chmodSync(path, 0o755);
}

describe('docker config file', () => {
  it('decodes base64 as Go does, errors naming the same input byte', () => {
    // from Go 1.19's base64.StdEncoding.DecodeString
    const cases: Array<[string, string]> = [
      ['YWJ', 'illegal base64 data at input byte 0'],
      ['YWJjZA', 'illegal base64 data at input byte 4'],
      ['=', 'illegal base64 data at input byte 0'],
      ['YQ==YQ==', 'illegal base64 data at input byte 4'],
      ['YQ=', 'illegal base64 data at input byte 3'],
      ['YQ=x', 'illegal base64 data at input byte 2'],
      ['YWJj=', 'illegal base64 data at input byte 4'],
      ['YW*j', 'illegal base64 data at input byte 2'],
    ];
    for (const [input, err] of cases) assert.throws(() => decodeStdBase64(input), { message: err }, input);
    assert.equal(decodeStdBase64('YWJ=').toString(), 'ab');
    assert.equal(decodeStdBase64('YQ\n==').toString(), 'a');
  });

  it('reads auths entries: auth over username/password, identity tokens, Go-style field names', () => {
    const cfg = parseDockerConfig('/c.json', JSON.stringify({
      Auths: {
        'a:5000': { auth: b64('u:p\0\0'), username: 'ignored', password: 'ignored' },
        'https://b.example/v2/': { Username: 'bu', PASSWORD: 'bp' },
        [DOCKER_HUB_KEY]: { identitytoken: 'tok' },
        'c.example': null,
      },
      credsStore: 'store',
      credHelpers: { 'h.example': 'helper' },
    }));
    assert.deepEqual(cfg.auths.get('a:5000'), { username: 'u', password: 'p', identityToken: '' });
    assert.deepEqual(fileStoreEntry(cfg, 'b.example'), { username: 'bu', password: 'bp', identityToken: '' });
    assert.deepEqual(fileStoreEntry(cfg, DOCKER_HUB_KEY), { username: '', password: '', identityToken: 'tok' });
    assert.equal(cfg.credsStore, 'store');
    assert.equal(cfg.credHelpers.get('h.example'), 'helper');
    assert.equal(parseDockerConfig('/c.json', ' \n').auths.size, 0, 'an empty file is an empty config');
  });

  it('refuses a broken file with the file name and without its text', () => {
    const secret = 'hunter2-secret';
    const bad: Array<[string, string]> = [
      [`{"auths": {"x": {"auth": "${b64(`u:${secret}`)}"`, '/d/config.json: invalid JSON'],
      [JSON.stringify({ auths: { x: { auth: b64(`nocolon${secret}`) } } }), '/d/config.json: Invalid auth configuration file'],
      [JSON.stringify({ auths: { x: { auth: b64(`:${secret}`) } } }), '/d/config.json: Invalid auth configuration file'],
      [JSON.stringify({ auths: { x: { auth: 'YW*j' } } }), '/d/config.json: illegal base64 data at input byte 2'],
      [JSON.stringify({ auths: { x: { password: 7 } } }), '/d/config.json: auths["x"].password: expected a string'],
      [JSON.stringify({ auths: [] }), '/d/config.json: auths: expected an object'],
    ];
    for (const [text, message] of bad) {
      assert.throws(() => parseDockerConfig('/d/config.json', text), (e: Error) => {
        assert.equal(e.message, message);
        assert.ok(!e.message.includes(secret));
        return true;
      });
    }
  });

  it('looks a host up under docker\'s keys', () => {
    assert.equal(convertToHostname('https://reg.example:5000/v2/'), 'reg.example:5000');
    assert.equal(convertToHostname('http://reg.example'), 'reg.example');
    assert.equal(convertToHostname('reg.example/path'), 'reg.example');
    assert.deepEqual(credentialKeys('127.0.0.1:5000'), ['127.0.0.1:5000', 'https://127.0.0.1:5000', 'http://127.0.0.1:5000']);
    assert.equal(credentialKeys('registry-1.docker.io')[0], DOCKER_HUB_KEY);
    assert.deepEqual(credentialKeys('reg.example:443').slice(3), ['reg.example', 'https://reg.example', 'http://reg.example']);
  });

  it('finds credentials in a real file and through real helper scripts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctr-dcfg-unit-'));
    try {
      mkdirSync(join(dir, 'bin'));
      // a helper that knows one server and answers with an identity token for another
      script(join(dir, 'bin', 'docker-credential-unit'), `read -r server
case "$server" in
  h.example) echo '{"ServerURL":"h.example","Username":"hu","Secret":"hs"}' ;;
  t.example) echo '{"ServerURL":"t.example","Username":"<token>","Secret":"tt"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`);
      writeFileSync(join(dir, 'config.json'), JSON.stringify({
        auths: { [DOCKER_HUB_KEY]: { identitytoken: 'hub-token' }, 'f.example': { auth: b64('fu:fp') }, 'h.example': { auth: b64('not:used') } },
        credHelpers: { 'h.example': 'unit', 't.example': 'unit', 'n.example': 'unit' },
      }));
      const creds = dockerCredentials({ env: { DOCKER_CONFIG: dir, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
      assert.deepEqual(await creds('registry-1.docker.io'), { username: '', secret: 'hub-token' });
      assert.deepEqual(await creds('f.example'), { username: 'fu', secret: 'fp' });
      assert.deepEqual(await creds('h.example'), { username: 'hu', secret: 'hs' }, 'a credHelpers entry wins over auths');
      assert.deepEqual(await creds('t.example'), { username: '', secret: 'tt' }, '"<token>" means an identity token');
      assert.deepEqual(await creds('n.example'), { username: '', secret: '' }, '"credentials not found" is no credentials');
      assert.deepEqual(await creds('other.example'), { username: '', secret: '' });
      const none = dockerCredentials({ env: { DOCKER_CONFIG: join(dir, 'missing') } });
      assert.deepEqual(await none('f.example'), { username: '', secret: '' }, 'no file, no credentials');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '';
const ready = d && OCI && canStartRegistry();

describe('registry credentials from the Docker config', { skip: ready ? false : `${skipReason} (or docker-registry/python3 crypt missing)` }, () => {
  const password = `pw-${randomBytes(6).toString('hex')}`;
  let dir: string;
  let registry: TestRegistry | undefined;
  let host: string;
  let ref: string;
  let bin: string;
  let helperLog: string;
  let expectedImages: string; // images ls after the real ctr's pull with --user

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ctr-dcfg-'));
    registry = await startRegistry(dir, { u: password });
    host = registry.host;
    ref = `${host}/tp/busybox:oci`;
    bin = join(dir, 'bin');
    helperLog = join(dir, 'helper.log');
    mkdirSync(bin);
    // docker-credential-test knows our registry; -none knows nothing; -broken fails
    script(join(bin, 'docker-credential-test'), `read -r server
echo "$1 $server" >> '${helperLog}'
if [ "$server" = '${host}' ]; then
  printf '{"ServerURL":"%s","Username":"u","Secret":"%s"}\\n' "$server" '${password}'
  exit 0
fi
echo "credentials not found in native keychain"
exit 1
`);
    script(join(bin, 'docker-credential-none'), `read -r server
echo "$1 $server" >> '${helperLog}'
echo "credentials not found in native keychain"
exit 1
`);
    script(join(bin, 'docker-credential-broken'), 'cat >/dev/null\necho boom\nexit 2\n');
    const ns = uniqueName('dcfg-seed');
    try {
      assert.equal(ctr(d!, ns, 'images', 'pull', OCI).code, 0);
      const push = ctr(d!, ns, 'images', 'push', '-u', `u:${password}`, ref, OCI);
      assert.equal(push.code, 0, push.stderr);
      const pulled = ctr(d!, `${ns}-pull`, 'images', 'pull', '-u', `u:${password}`, ref);
      assert.equal(pulled.code, 0, pulled.stderr);
      expectedImages = ctr(d!, `${ns}-pull`, 'images', 'ls').stdout;
    } finally {
      purgeNamespace(d!, ns);
    }
  });

  after(() => {
    registry?.process.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A Docker config directory holding `config` (none when undefined). */
  const configDir = (config?: unknown): string => {
    const cd = mkdtempSync(join(dir, 'docker-'));
    if (config !== undefined) writeFileSync(join(cd, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return cd;
  };
  const envFor = (cd: string) => ({ DOCKER_CONFIG: cd, PATH: `${bin}:${process.env.PATH}` });

  const noSecret = (r: Result) => {
    for (const s of [password, b64(`u:${password}`)]) {
      assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'a credential was printed');
    }
  };

  /** Runs ours in a fresh namespace with the given config, then `images ls` there. */
  const ours = (config: unknown, args: string[], setup?: (ns: string) => void): { r: Result; images: string; cd: string } => {
    const ns = uniqueName('dcfg');
    const cd = configDir(config);
    ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      setup?.(ns);
      const r = run(OURS, ['-a', d!.address, '-n', ns, ...args], { env: envFor(cd) });
      noSecret(r);
      return { r, images: ctr(d!, ns, 'images', 'ls').stdout, cd };
    } finally {
      purgeNamespace(d!, ns);
    }
  };

  /** The real ctr's result in a namespace of its own. */
  const reference = (...args: string[]): Result => {
    const ns = uniqueName('dcfg-ref');
    try {
      return ctr(d!, ns, ...args);
    } finally {
      purgeNamespace(d!, ns);
    }
  };

  const pullsLikeCtr = (config: unknown, extra: string[] = []) => {
    const { r, images } = ours(config, ['images', 'pull', ...extra, ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(images, expectedImages);
  };

  it('without a config: 401 with ctr\'s message, as the real ctr', () => {
    const cd = configDir();
    const pair = assertParity(d!, { args: () => ['images', 'pull', ref], then: () => [['images', 'ls'], ['leases', 'ls']], normalize: stripFrames, env: () => envFor(cd) });
    assert.equal(pair.ours[0]!.code, 1);
    assert.match(pair.ours[0]!.stderr, /^ctr: failed to resolve reference ".*": pulling from host 127\.0\.0\.1:\d+ failed with status code \[manifests oci\]: 401 Unauthorized$/m);
  });

  it('pulls with an auths entry (auth, username/password, scheme and path forms of the key)', () => {
    pullsLikeCtr({ auths: { [host]: { auth: b64(`u:${password}`) } } });
    pullsLikeCtr({ auths: { [`http://${host}`]: { username: 'u', password } } });
    pullsLikeCtr({ auths: { [`https://${host}/v2/`]: { auth: b64(`u:${password}`) } } });
  });

  it('pulls through a credHelpers helper and the default credsStore', () => {
    writeFileSync(helperLog, '');
    pullsLikeCtr({ auths: { [host]: {} }, credHelpers: { [host]: 'test' } });
    assert.equal(readFileSync(helperLog, 'utf8'), `get ${host}\n`);
    pullsLikeCtr({ credsStore: 'test', credHelpers: { 'elsewhere.example': 'broken' } });
  });

  it('a helper without credentials is no credentials: ctr\'s 401', () => {
    const anonymous = reference('images', 'pull', ref);
    writeFileSync(helperLog, '');
    const { r } = ours({ credsStore: 'none' }, ['images', 'pull', ref]);
    assert.equal(r.code, 1);
    assert.deepEqual(errorLines(r.stderr), errorLines(anonymous.stderr));
    // every key the credentials may be stored under was asked for, most specific first
    assert.equal(readFileSync(helperLog, 'utf8'), `get ${host}\nget https://${host}\nget http://${host}\n`);
  });

  it('--user wins over a wrong config entry; the wrong entry alone fails like ctr with a wrong password', () => {
    const wrong = { auths: { [host]: { auth: b64('u:wrong') } } };
    pullsLikeCtr(wrong, ['--user', `u:${password}`]);
    const refused = reference('images', 'pull', '-u', 'u:wrong', ref);
    const { r, images } = ours(wrong, ['images', 'pull', ref]);
    assert.equal(r.code, refused.code);
    assert.deepEqual(errorLines(r.stderr), errorLines(refused.stderr));
    assert.equal(images.split('\n').filter(Boolean).length, 1, 'no image left behind');
  });

  it('push and content fetch-object use the config too', () => {
    const config = { auths: { [host]: { auth: b64(`u:${password}`) } } };
    const target = `${host}/tp/${uniqueName('pushed')}:v1`;
    const pushed = ours(config, ['images', 'push', target, OCI], (ns) => { ctr(d!, ns, 'images', 'pull', OCI); });
    assert.equal(pushed.r.code, 0, pushed.r.stderr);
    const back = ours(undefined, ['images', 'pull', '-u', `u:${password}`, target]);
    assert.equal(back.r.code, 0, back.r.stderr);
    const fetched = ours(config, ['content', 'fetch-object', ref]);
    assert.equal(fetched.r.code, 0, fetched.r.stderr);
    assert.equal(JSON.parse(fetched.r.stdout).mediaType, 'application/vnd.oci.image.manifest.v1+json');
  });

  it('--http-dump and --debug show no credential', () => {
    const { r } = ours({ credHelpers: { [host]: 'test' } }, ['--debug', 'images', 'pull', '--http-dump', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Authorization: Basic <redacted>/);
    assert.match(r.stderr, /level=debug msg="using credentials from docker config"/);
  });

  it('a broken file or helper fails with one ctr: line naming it, and no credential', () => {
    const { r, cd } = ours(`{"auths": {"${host}": {"auth": "${b64(`u:${password}`)}"}`, ['images', 'pull', ref]);
    assert.equal(r.code, 1);
    assert.deepEqual(errorLines(r.stderr), [`ctr: failed to resolve reference "${ref}": ${join(cd, 'config.json')}: invalid JSON`]);
    const { r: helper } = ours({ credHelpers: { [host]: 'broken' } }, ['images', 'pull', ref]);
    assert.equal(helper.code, 1);
    assert.deepEqual(errorLines(helper.stderr), [`ctr: failed to resolve reference "${ref}": error getting credentials - err: exit status 2, out: \`boom\``]);
    const { r: missing } = ours({ credsStore: 'absent' }, ['images', 'pull', ref]);
    assert.deepEqual(errorLines(missing.stderr), [`ctr: failed to resolve reference "${ref}": error getting credentials - err: exec: "docker-credential-absent": executable file not found in $PATH, out: \`\``]);
  });

  it('a broken file is not read when the registry asks for no credentials', () => {
    const { r } = ours('{not json', ['content', 'fetch-object', OCI]);
    assert.equal(r.code, 0, r.stderr);
  });
});
