// containerd's spec options and ctr's flag parsing helpers, on plain values. Expected
// results are what ctr 1.6 produced for the same inputs (--mount, --uidmap, env
// merging, capabilities, user and group files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMountFlag, readCSVRecord } from '../../src/containers/mountflag.js';
import { parseIDMapping, validateLabel } from '../../src/containers/create.js';
import { defaultUnixSpec } from '../../src/oci/defaults.js';
import { applyOpts, replaceOrAppendEnvValues, withAddedCapabilities, withDroppedCapabilities, withEnv, withMemoryLimit, withTTY, type SpecContext } from '../../src/oci/opts.js';
import { parseGroup, parsePasswd, rootPath, withAdditionalGIDs, withUser } from '../../src/oci/user.js';
import { marshalSpec } from '../../src/oci/spec.js';
import { capsFromBitmap } from '../../src/oci/caps.js';

test('--mount: key=value fields of one CSV record', () => {
  assert.deepEqual(parseMountFlag('type=bind,src=/tmp,dst=/host,options=rbind:ro'),
    { destination: '/host', type: 'bind', source: '/tmp', options: ['rbind', 'ro'] });
  assert.deepEqual(parseMountFlag('type=tmpfs,"destination=/a,b",source=tmpfs'), { destination: '/a,b', type: 'tmpfs', source: 'tmpfs' });
  assert.deepEqual(readCSVRecord('\n\na,"b""c",d\nnext'), ['a', 'b"c', 'd']);
  const errors: Array<[string, string]> = [
    ['type=bind,rbind', 'invalid mount specification: expected key=val'],
    ['type=bind,from=/a', 'mount option "from" not supported'],
    ['type="bind', 'parse error on line 1, column 6: bare " in non-quoted-field'],
    ['"type=bind', 'parse error on line 1, column 11: extraneous or missing " in quoted-field'],
    ['"abc"x', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'],
    ['"a\nb"x', 'record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field'],
    ['\n\ntype=bind,src=/a"', 'parse error on line 3, column 17: bare " in non-quoted-field'],
    ['', 'EOF'],
  ];
  for (const [input, message] of errors) assert.throws(() => parseMountFlag(input), { message }, JSON.stringify(input));
});

test('--uidmap/--gidmap: container-id:host-id:size', () => {
  assert.deepEqual(parseIDMapping('0:1000:65536'), { containerID: 0, hostID: 1000, size: 65536 });
  assert.deepEqual(parseIDMapping('0x10:0o17:0b11'), { containerID: 16, hostID: 15, size: 3 });
  assert.throws(() => parseIDMapping('0:1'), { message: 'user namespace mappings require the format `container-id:host-id:size`' });
  assert.throws(() => parseIDMapping('x:1:2'), { message: 'invalid container id for user namespace remapping: strconv.ParseUint: parsing "x": invalid syntax' });
  assert.throws(() => parseIDMapping('0:4294967296:2'), { message: 'invalid host id for user namespace remapping: strconv.ParseUint: parsing "4294967296": value out of range' });
});

test('labels: key and value within 4096 bytes', () => {
  validateLabel('k', 'v'.repeat(4095));
  assert.throws(() => validateLabel('key-longer-than-ten', 'v'.repeat(4096)), {
    message: 'label key and value greater than maximum size (4096 bytes), key: key-longer: invalid argument',
  });
});

test('environment: overrides replace by name, a bare name removes, new ones append', () => {
  assert.deepEqual(replaceOrAppendEnvValues(['PATH=/bin', 'A=1', 'B=2'], ['A=9', 'B', 'C=3', 'NOPE']), ['PATH=/bin', 'A=9', 'C=3']);
});

const ctx: SpecContext = { namespace: 'ns', container: { id: 'c', snapshotter: '', snapshotKey: '' } };

test('spec options change what containerd changes', async () => {
  const s = defaultUnixSpec('ns', 'c');
  await applyOpts(ctx, s, [
    withEnv(['A=1']),
    withTTY,
    withAddedCapabilities(['CAP_SYS_ADMIN', 'CAP_CHOWN']),
    withDroppedCapabilities(['CAP_KILL']),
    withMemoryLimit(18446744073709551615n),
  ]);
  assert.deepEqual(s.process!.env, ['A=1', 'TERM=xterm']);
  assert.equal(s.process!.terminal, true);
  assert.equal(s.process!.capabilities!.bounding!.at(-1), 'CAP_SYS_ADMIN');
  assert.ok(!s.process!.capabilities!.effective!.includes('CAP_KILL'));
  // int64(uint64 max) wraps to -1, as in Go.
  assert.match(marshalSpec(s), /"memory":\{"limit":-1\}/);
  await withDroppedCapabilities(s.process!.capabilities!.bounding!)(ctx, s);
  assert.deepEqual(s.process!.capabilities, {});
});

test('capability bitmaps name the known capabilities only', () => {
  assert.deepEqual(capsFromBitmap(0b101n), ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH']);
  assert.equal(capsFromBitmap((1n << 64n) - 1n).length, 41);
});

test('passwd and group files as runc parses them', () => {
  const users = parsePasswd('root:x:0:0:root:/root:/bin/sh\n  \nbad:x:notanumber:7\n#c:x:1:1\n', () => true);
  assert.deepEqual(users, [{ name: 'root', uid: 0, gid: 0 }, { name: 'bad', uid: 0, gid: 7 }, { name: '#c', uid: 1, gid: 1 }]);
  const groups = parseGroup('# comment\nwheel:x:10:alice,bob\nempty:x:11:\n', () => true);
  assert.deepEqual(groups, [{ name: 'wheel', gid: 10, list: ['alice', 'bob'] }, { name: 'empty', gid: 11, list: [] }]);
});

test('USER resolution in a rootfs, symlinks kept inside it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ctrs-rootfs-'));
  try {
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'real', 'passwd'), 'root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'app:x:1001:\nextra:x:2000:app,root\nother:x:3000:app\n');
    // An absolute link resolves inside the rootfs, not on the host.
    symlinkSync('/real/passwd', join(root, 'etc', 'passwd'));
    assert.equal(await rootPath(root, '/etc/passwd'), join(root, 'real', 'passwd'));
    assert.equal(await rootPath(root, '/../../etc/group'), join(root, 'etc', 'group'));

    const run = async (user: string) => {
      const s = defaultUnixSpec('ns', 'c');
      s.root = { path: root };
      await withUser(user)(ctx, s);
      await withAdditionalGIDs(String(s.process!.user.uid))(ctx, s);
      return s.process!.user;
    };
    assert.deepEqual(await run('app'), { uid: 1000, gid: 1001, additionalGids: [1001, 2000, 3000] });
    assert.deepEqual(await run('1000:extra'), { uid: 1000, gid: 2000, additionalGids: [2000, 3000] });
    assert.deepEqual(await run('4242'), { uid: 4242, gid: 0, additionalGids: [0] });
    assert.deepEqual(await run('5:6'), { uid: 5, gid: 6, additionalGids: [6] });
    await assert.rejects(run('nobody'), { message: 'no users found' });
    await assert.rejects(run('app:nogroup'), { message: 'no groups found' });
    await assert.rejects(run('a:b:c'), { message: 'invalid USER value a:b:c' });
    const rel = defaultUnixSpec('ns', 'c');
    await assert.rejects(Promise.resolve(withUser('app')(ctx, rel)), { message: 'rootfs absolute path is required' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
