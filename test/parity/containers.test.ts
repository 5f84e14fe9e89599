// Parity of `oci spec` and the containers verbs with the real ctr. Containers are
// created by both binaries with the same flags in namespaces of their own, and the FULL
// `containers info` output (spec included) is compared, normalised only for the
// namespace, times and generated names. Images are put in place with the real ctr.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertParity, ctr, daemon, OURS, purgeNamespace, run, skipReason, uniqueName, type Daemon, type ParityCase } from './harness.js';

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';
const DOCKER = d?.env.CTR_TESTBED_IMAGE_DOCKER ?? '127.0.0.1:5000/testbed/busybox:docker';
const MULTI = d?.env.CTR_TESTBED_IMAGE_MULTI ?? '127.0.0.1:5000/testbed/busybox:multi';
/** Images made from the OCI one with another config (see makeUserImages). */
const USER_IMG = (tag: string) => `example.test/ctr-ts/user:${tag}`;

const must = (dd: Daemon, ns: string, ...args: string[]) => {
  const r = ctr(dd, ns, ...args);
  assert.equal(r.code, 0, `setup ctr ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const pull = (...refs: string[]) => (dd: Daemon, ns: string) => {
  for (const r of refs) must(dd, ns, 'images', 'pull', '--plain-http', r);
};
const pullOCI = pull(OCI);

let work = '';
/** A fixed path: it is part of the runtime options both containers must share. */
const RUNC_ROOT = '/run/ctr-ts-parity-runc';
const file = (name: string) => join(work, name);
let userArchive = '';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * An OCI archive with several images sharing the busybox layers but with other
 * configs (USER forms, entrypoint, env, workdir, stop signal, labels), made from the
 * real ctr's export of the OCI test image.
 */
function makeUserImages(dd: Daemon): string {
  const ns = uniqueName('ctrs-mk');
  must(dd, 'default', 'namespaces', 'create', ns);
  try {
    pullOCI(dd, ns);
    const dir = join(work, 'layout');
    mkdirSync(dir, { recursive: true });
    must(dd, ns, 'images', 'export', join(work, 'oci.tar'), OCI);
    execFileSync('tar', ['-xf', join(work, 'oci.tar'), '-C', dir]);
    rmSync(join(dir, 'manifest.json'), { force: true });
    const blob = (dg: string) => join(dir, 'blobs', 'sha256', dg.slice('sha256:'.length));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const manifestDesc = index.manifests[0];
    const manifest = JSON.parse(readFileSync(blob(manifestDesc.digest), 'utf8'));
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'));
    const variants: Record<string, Record<string, unknown>> = {
      name: { User: 'tester' },
      uid: { User: '1000' },
      'unknown-uid': { User: '4242' },
      'name-group': { User: 'tester:nogroup' },
      'uid-gid': { User: '1000:65534' },
      'missing-user': { User: 'nosuchuser' },
      'missing-group': { User: 'tester:nosuchgroup' },
      'bad-user': { User: 'a:b:c' },
      entry: {
        Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'], Env: ['FOO=1', 'PATH=/bin'], WorkingDir: '/data',
        StopSignal: 'SIGINT', Labels: { 'org.example.role': 'test', 'org.example.ctr-testbed': 'entry' },
      },
      'no-cmd': { Cmd: null, Env: null, WorkingDir: '' },
    };
    index.manifests = [];
    for (const [tag, patch] of Object.entries(variants)) {
      const cfg = Buffer.from(JSON.stringify({ ...config, config: { ...config.config, ...patch } }));
      writeFileSync(blob(sha256(cfg)), cfg);
      const m = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha256(cfg), size: cfg.length } }));
      writeFileSync(blob(sha256(m)), m);
      index.manifests.push({
        mediaType: manifestDesc.mediaType, digest: sha256(m), size: m.length,
        annotations: { 'io.containerd.image.name': USER_IMG(tag), 'org.opencontainers.image.ref.name': tag },
      });
    }
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const out = join(work, 'user.tar');
    execFileSync('tar', ['-cf', out, '-C', dir, '.']);
    return out;
  } finally {
    purgeNamespace(dd, ns);
  }
}

const importUserImages = (dd: Daemon, ns: string) => {
  pullOCI(dd, ns);
  must(dd, ns, 'images', 'import', userArchive);
};

/** The temp mount dirs ctr names in errors (containerd-mount<random>). */
const mountDirs = (s: string) => s.replace(/containerd-mount\d+/g, 'containerd-mount<N>');
/** `containers label` prints a Go map: order varies; sort the pairs. */
const sortPairs = (s: string) => s.split('\n').map((l) => (l.includes('=') ? l.split(',').sort().join(',') : l)).join('\n');

/** create with `flags`, then compare the container's full info, the list and the snapshots. */
function created(flags: string[], opts: { image?: string; args?: string[]; setup?: ParityCase['setup'] } = {}): ParityCase {
  const id = 'ctr1';
  return {
    setup: opts.setup ?? pullOCI,
    args: () => ['containers', 'create', ...flags, opts.image ?? OCI, id, ...(opts.args ?? [])],
    then: () => [['containers', 'info', id], ['containers', 'info', '--spec', id], ['containers', 'ls'], ['snapshots', 'ls']],
    normalize: mountDirs,
  };
}

/** create that must fail: the error, and that nothing was left behind. */
function failing(flags: string[], opts: { image?: string; args?: string[]; setup?: ParityCase['setup']; id?: string } = {}): ParityCase {
  return {
    setup: opts.setup ?? pullOCI,
    args: () => ['containers', 'create', ...flags, opts.image ?? OCI, opts.id ?? 'bad1', ...(opts.args ?? [])],
    then: () => [['containers', 'ls']],
    normalize: mountDirs,
  };
}

/**
 * The flags only `run` has (--cgroup, --platform, runc options, user namespaces, cpus):
 * the container `run -d` makes, compared the same way; its task runs `true`.
 */
function viaRun(flags: string[], opts: { image?: string; setup?: ParityCase['setup'] } = {}): ParityCase {
  const id = 'ctr1';
  return {
    setup: opts.setup ?? pullOCI,
    args: () => ['run', '-d', ...flags, opts.image ?? OCI, id, 'true'],
    then: () => [['containers', 'info', id], ['containers', 'ls']],
    // run's log lines carry their own time; only ctr: lines are compared on stderr.
    normalize: mountDirs,
  };
}

const cases: Record<string, ParityCase> = {
  // oci spec
  'oci spec': { args: () => ['oci', 'spec'] },
  'oci spec in a dotted namespace': { globals: (dd, ns) => ['-a', dd.address, '-n', `${ns}.x-y`], args: () => ['oci', 'spec'] },
  'oci spec with an invalid namespace': { globals: (dd) => ['-a', dd.address, '-n', 'bad/ns'], args: () => ['oci', 'spec'] },
  'oci spec with an empty namespace': { globals: (dd) => ['-a', dd.address, '-n', ''], args: () => ['oci', 'spec'] },
  'oci spec with a too long namespace': { globals: (dd) => ['-a', dd.address, '-n', 'n'.repeat(77)], args: () => ['oci', 'spec'] },

  // create: defaults and every container flag
  'create from an OCI image': created([]),
  'create from a Docker image': created([], { image: DOCKER, setup: pull(DOCKER) }),
  'create from a multi-platform index': created([], { image: MULTI, setup: pull(MULTI) }),
  'create from an image that is not unpacked yet': created([], { setup: (dd, ns) => must(dd, ns, 'images', 'import', '--no-unpack', join(work, 'oci.tar')) }),
  'create with args': created([], { args: ['echo', 'hello', 'world'] }),
  'create with env, env-file and cwd': created(['--env', 'A=1', '--env', 'PATH=/x', '--env', 'B', '--env-file', '@envfile', '--cwd', '/tmp']),
  'create --tty --read-only': created(['--tty', '--read-only']),
  'create -t': created(['-t']),
  'create with two forms of one flag': { setup: pullOCI, args: () => ['containers', 'create', '--tty', '-t', OCI, 'bad1'], ignoreStdout: true },
  'create --label and --annotation': created(['--label', 'a=1', '--label', 'bare', '--label', 'org.example.ctr-testbed=mine', '--annotation', 'x=y=z', '--annotation', 'k=']),
  'create --mount': created(['--mount', 'type=bind,src=/tmp,dst=/host,options=rbind:ro', '--mount', 'type=tmpfs,"destination=/a,b",source=tmpfs']),
  'create --net-host': created(['--net-host']),
  'create --privileged': created(['--privileged']),
  'create --privileged --seccomp': created(['--privileged', '--seccomp']),
  'create --seccomp': created(['--seccomp']),
  'create --seccomp with CAP_SYS_ADMIN and others': created(['--seccomp', '--cap-add', 'CAP_SYS_ADMIN', '--cap-add', 'CAP_SYS_PTRACE', '--cap-add', 'CAP_BPF', '--cap-drop', 'CAP_SYS_CHROOT']),
  'create --seccomp-profile': created(['--seccomp', '--seccomp-profile', '@seccomp.json']),
  'create --cap-add --cap-drop': created(['--cap-add', 'CAP_SYS_ADMIN', '--cap-add', 'CAP_CHOWN', '--cap-drop', 'CAP_KILL', '--cap-drop', 'CAP_NOT_THERE']),
  'create dropping every capability': created(['--cap-drop', 'CAP_CHOWN', '--cap-drop', 'CAP_DAC_OVERRIDE', '--cap-drop', 'CAP_FSETID', '--cap-drop', 'CAP_FOWNER',
    '--cap-drop', 'CAP_MKNOD', '--cap-drop', 'CAP_NET_RAW', '--cap-drop', 'CAP_SETGID', '--cap-drop', 'CAP_SETUID', '--cap-drop', 'CAP_SETFCAP',
    '--cap-drop', 'CAP_SETPCAP', '--cap-drop', 'CAP_NET_BIND_SERVICE', '--cap-drop', 'CAP_SYS_CHROOT', '--cap-drop', 'CAP_KILL', '--cap-drop', 'CAP_AUDIT_WRITE']),
  'create --apparmor-profile': created(['--apparmor-profile', 'my-profile']),
  'create --rdt-class and --rootfs-propagation': created(['--rdt-class', 'gold', '--rootfs-propagation', 'rslave']),
  'create --memory-limit and cpu quota/period': created(['--memory-limit', '104857600', '--cpu-quota', '20000', '--cpu-period', '100000']),
  'create --cpu-period alone': created(['--cpu-period', '50000']),
  'create --memory-limit beyond int64': created(['--memory-limit', '18446744073709551615']),
  'create --device': created(['--device', '/dev/null', '--device', '/dev/zero']),
  'create --device with a directory': created(['--device', '/dev/net']),
  'create --with-ns': created(['--with-ns', 'network:/proc/1/ns/net', '--with-ns', 'cgroup:/proc/1/ns/cgroup', '--with-ns', 'ipc:/proc/1/ns/ipc']),
  'create --allow-new-privs': created(['--allow-new-privs']),
  'create --allow-new-privs=false (set is what counts)': created(['--allow-new-privs=false']),
  'create --runtime and --runtime-config-path': created(['--runtime', 'io.containerd.runc.v1', '--runtime-config-path', '/etc/runtime.toml']),
  'create --runtime with options ignored': created(['--runtime', 'io.containerd.kata.v2']),
  'create --snapshotter native with labels': created(['--snapshotter', 'native', '--snapshotter-label', 'a=b', '--snapshotter-label', 'flag']),
  'create --snapshotter from the environment': { ...created([]), env: () => ({ CONTAINERD_SNAPSHOTTER: 'native' }) },
  'create --no-pivot and --pid-file (task options)': created(['--no-pivot', '--pid-file', '/tmp/ignored.pid']),
  'create --rootfs': {
    args: () => ['containers', 'create', '--rootfs', '--label', 'x=y', '--env', 'A=b', work, 'ctr1', 'sh'],
    then: () => [['containers', 'info', 'ctr1'], ['containers', 'ls'], ['snapshots', 'ls']],
    normalize: (s) => s.split(work).join('<WORK>'),
  },
  'create --config': {
    args: () => ['containers', 'create', '--config', file('spec.json'), '--label', 'l=1', 'ctr1'],
    then: () => [['containers', 'info', 'ctr1'], ['containers', 'info', '--spec', 'ctr1'], ['containers', 'ls']],
  },
  'create --config with keys in other cases and unknown keys': {
    args: () => ['containers', 'create', '-c', file('spec-odd.json'), 'ctr1'],
    then: () => [['containers', 'info', 'ctr1']],
  },
  'create --config with an empty object': {
    args: () => ['containers', 'create', '--config', file('empty.json'), 'ctr1'],
    then: () => [['containers', 'info', 'ctr1'], ['containers', 'info', '--spec', 'ctr1']],
  },

  // run-only container flags
  'run --cgroup, --cpus, --cpu-shares': viaRun(['--cgroup', '/ctr-ts/parity', '--cpus', '0.5', '--cpu-shares', '512']),
  'run --cgroup "" (no cgroup path)': viaRun(['--cgroup', '']),
  'run default cpu shares': viaRun([]),
  'run --cpu-shares 0': viaRun(['--cpu-shares', '0']),
  'run --platform of a multi-platform index': viaRun(['--platform', 'linux/amd64'], { image: MULTI, setup: pull(MULTI) }),
  'run --platform of another architecture': viaRun(['--platform', 'linux/arm64'], { image: MULTI, setup: pull(MULTI) }),
  'run --platform that the image lacks': viaRun(['--platform', 'linux/s390x'], { image: MULTI, setup: pull(MULTI) }),
  'run --platform that does not parse': viaRun(['--platform', 'a/b/c/d']),
  'run --runc-binary and --runc-root': viaRun(['--runc-binary', '/usr/sbin/runc', '--runc-root', RUNC_ROOT]),
  'run --runc-systemd-cgroup without --cgroup': viaRun(['--runc-systemd-cgroup']),
  'run --runc-binary with another runtime': viaRun(['--runc-binary', 'x', '--runtime', 'io.containerd.runc.v1']),
  'run --uidmap/--gidmap (remapped snapshot)': viaRun(['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536']),
  'run --uidmap/--gidmap --remap-labels': viaRun(['--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536', '--remap-labels']),
  'run --uidmap alone': viaRun(['--uidmap', '0:100000:65536']),
  'run --gidmap that does not parse': viaRun(['--uidmap', '0:1:2', '--gidmap', 'x:1:2']),
  'run --cpus with --cpu-quota': viaRun(['--cpus', '1', '--cpu-quota', '5']),

  // image config: user resolution through the rootfs, entrypoint, env, stop signal
  'image USER by name': created([], { image: USER_IMG('name'), setup: importUserImages }),
  'image USER by uid': created([], { image: USER_IMG('uid'), setup: importUserImages }),
  'image USER uid not in passwd': created([], { image: USER_IMG('unknown-uid'), setup: importUserImages }),
  'image USER name:group': created([], { image: USER_IMG('name-group'), setup: importUserImages }),
  'image USER uid:gid': created([], { image: USER_IMG('uid-gid'), setup: importUserImages }),
  'image entrypoint, env, workdir, stop signal, labels': created(['--env', 'FOO=2', '--label', 'org.example.role=cli'], { image: USER_IMG('entry'), setup: importUserImages }),
  'image entrypoint with args': created([], { image: USER_IMG('entry'), setup: importUserImages, args: ['date'] }),
  'image without cmd or env': created([], { image: USER_IMG('no-cmd'), setup: importUserImages }),
  'image USER unknown name': failing([], { image: USER_IMG('missing-user'), setup: importUserImages }),
  'image USER unknown group': failing([], { image: USER_IMG('missing-group'), setup: importUserImages }),
  'image USER with two colons': failing([], { image: USER_IMG('bad-user'), setup: importUserImages }),

  // create failures: one ctr: line, nothing half made
  'create without arguments': { args: () => ['containers', 'create'] },
  'create without an id': { setup: pullOCI, args: () => ['containers', 'create', OCI] },
  'create of a missing image': failing([], { image: 'example.test/missing:latest' }),
  'create --config with extra args': { args: () => ['containers', 'create', '--config', file('spec.json'), 'ctr1', 'more'] },
  'create --config of a missing file': { args: () => ['containers', 'create', '--config', file('missing.json'), 'ctr1'], normalize: (s) => s.split(work).join('<WORK>') },
  'create --config of a broken file': { args: () => ['containers', 'create', '--config', file('broken.json'), 'ctr1'] },
  'create --config with a wrong type': { args: () => ['containers', 'create', '--config', file('wrongtype.json'), 'ctr1'] },
  'create --config with a number out of range': { args: () => ['containers', 'create', '--config', file('range.json'), 'ctr1'] },
  'create --config without an id': { args: () => ['containers', 'create', '--config', file('spec.json')] },
  'create of an existing container': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'dup');
    },
    args: () => ['containers', 'create', OCI, 'dup'],
    then: () => [['containers', 'ls'], ['snapshots', 'ls']],
  },
  'create with an invalid id': failing([], { id: 'bad/id' }),
  'create with a bad --mount (no key=val)': failing(['--mount', 'type=bind,rbind']),
  'create with a bad --mount (unknown key)': failing(['--mount', 'type=bind,from=/a']),
  'create with a bad --mount (bare quote)': failing(['--mount', 'type="bind']),
  'create with a bad --mount (unterminated quote)': failing(['--mount', '"type=bind']),
  'create with a bad --mount (text after quote)': failing(['--mount', '"type=bind"x']),
  'create with an empty --mount': failing(['--mount', '']),
  'create --cap-add without CAP_': failing(['--cap-add', 'SYS_ADMIN']),
  'create --cap-drop without CAP_': failing(['--cap-drop', 'chown']),
  'create --seccomp-profile without --seccomp': failing(['--seccomp-profile', '/x.json']),
  'create --seccomp-profile missing': failing(['--seccomp', '--seccomp-profile', '/nonexistent/profile.json']),
  'create --seccomp-profile broken': failing(['--seccomp', '--seccomp-profile', '@broken.json']),
  'create --apparmor-default-profile': failing(['--apparmor-default-profile', 'ctr-default']),
  'create --apparmor-profile with --apparmor-default-profile': failing(['--apparmor-default-profile', 'a', '--apparmor-profile', 'b']),
  'create --annotation without =': failing(['--annotation', 'novalue']),
  'create --with-ns without a path': failing(['--with-ns', 'network']),
  'create --with-ns of an unknown type': failing(['--with-ns', 'time:/proc/1/ns/time']),
  'create --gpus': failing(['--gpus', '0', '--gpus', '1']),
  'create --gpus not a number': { setup: pullOCI, args: () => ['containers', 'create', '--gpus', 'x', OCI, 'bad1'], ignoreStdout: true },
  'create --device missing': failing(['--device', '/dev/nonexistent-device']),
  'create --device not a device': failing(['--device', '/etc/hostname']),
  'create --device through a symlink': failing(['--device', '@link']),
  'create --env-file missing': failing(['--env-file', '/nonexistent/env']),
  'create --snapshotter unknown': failing(['--snapshotter', 'nosuch']),
  'create --memory-limit not a number': { setup: pullOCI, args: () => ['containers', 'create', '--memory-limit', '-1', OCI, 'bad1'], ignoreStdout: true },
  'create with a label too large': failing(['--label', `k=${'v'.repeat(4100)}`]),

  // ls
  'ls empty': { args: () => ['containers', 'ls'] },
  'ls with containers and filters': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', '--label', 'team=a', OCI, 'c-a');
      must(dd, ns, 'containers', 'create', '--label', 'team=b', OCI, 'c-b');
      must(dd, ns, 'containers', 'create', '--config', file('spec.json'), 'c-cfg');
    },
    args: () => ['containers', 'list'],
    then: () => [['c', 'ls', '-q'], ['c', 'ls', 'labels.team==a'], ['c', 'ls', '-q', 'image~=busybox'], ['container', 'ls', 'id==c-cfg'], ['c', 'ls', 'labels.team==']],
  },

  // info
  'info without an id': { args: () => ['containers', 'info'] },
  'info of a missing container': { args: () => ['containers', 'info', 'nosuch'] },
  'info --spec of a missing container': { args: () => ['containers', 'info', '--spec', 'nosuch'] },

  // label
  'label set and clear': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', '--label', 'gone=1', OCI, 'c1');
    },
    args: () => ['containers', 'label', 'c1', 'a=b', 'gone=', 'flag'],
    then: () => [['containers', 'info', 'c1']],
    normalize: sortPairs,
  },
  'label without labels': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
      must(dd, ns, 'containers', 'create', '--config', file('spec.json'), 'c2');
    },
    args: () => ['containers', 'label', 'c1'],
    then: () => [['containers', 'label', 'c2']],
  },
  'label without an id': { args: () => ['containers', 'label'] },
  'label of a missing container': { args: () => ['containers', 'label', 'nosuch', 'a=b'] },

  // delete
  'rm removes the snapshot': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
      must(dd, ns, 'containers', 'create', OCI, 'c2');
    },
    args: () => ['containers', 'rm', 'c1'],
    // A kept snapshot has no gc root left: when the collector takes it is not ours to say.
    then: () => [['containers', 'ls'], ['snapshots', 'ls'], ['c', 'delete', '--keep-snapshot', 'c2'], ['containers', 'ls']],
  },
  'rm of several, some missing': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
    },
    args: () => ['containers', 'del', 'nosuch', 'c1', 'other'],
    then: () => [['containers', 'ls']],
  },
  'rm without ids': { args: () => ['containers', 'remove'] },
  'rm of a container whose snapshot is gone': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
      must(dd, ns, 'snapshots', 'rm', 'c1');
    },
    args: () => ['containers', 'rm', 'c1'],
    then: () => [['containers', 'ls']],
  },
  'rm of a container with a running task': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1', 'sleep', '30');
      must(dd, ns, 'tasks', 'start', '-d', 'c1');
    },
    args: () => ['containers', 'rm', 'c1'],
    then: () => [['containers', 'ls']],
  },

  // checkpoint / restore
  'checkpoint without arguments': { args: () => ['containers', 'checkpoint'] },
  'checkpoint without a ref': { args: () => ['containers', 'checkpoint', 'c1'] },
  'checkpoint of a missing container': { args: () => ['containers', 'checkpoint', 'nosuch', 'ref1'] },
  'checkpoint of a container without a task': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
    },
    args: () => ['containers', 'checkpoint', 'c1', 'example.test/checkpoint:1'],
    then: () => [['images', 'ls'], ['content', 'ls', '-q']],
  },
  'checkpoint --image of a container without a task': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', '--label', 'x=y', OCI, 'c1');
    },
    args: () => ['containers', 'checkpoint', '--image', 'c1', 'example.test/checkpoint:1'],
    then: () => [['images', 'ls'], ['content', 'ls', '-q']],
  },
  'checkpoint --image of a running task (paused, then resumed)': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1', 'sleep', '60');
      must(dd, ns, 'tasks', 'start', '-d', 'c1');
    },
    args: () => ['containers', 'checkpoint', '--image', 'c1', 'example.test/checkpoint:1'],
    then: () => [['images', 'ls'], ['tasks', 'ls', '-q']],
  },
  'checkpoint --task (CRIU)': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1', 'sleep', '60');
      must(dd, ns, 'tasks', 'start', '-d', 'c1');
    },
    args: () => ['containers', 'checkpoint', '--task', 'c1', 'example.test/checkpoint:1'],
    then: () => [['images', 'ls', '-q'], ['tasks', 'ls', '-q']],
  },
  'rm of a container whose task has exited': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'run', '-d', OCI, 'c1', 'true');
      for (let i = 0; i < 50 && !must(dd, ns, 'tasks', 'ls').includes('STOPPED'); i++) execFileSync('sleep', ['0.1']);
    },
    args: () => ['containers', 'rm', 'c1'],
    then: () => [['containers', 'ls'], ['tasks', 'ls'], ['snapshots', 'ls']],
  },
  'checkpoint of a --config container (no image)': {
    setup: (dd, ns) => must(dd, ns, 'containers', 'create', '--config', file('spec.json'), 'c1'),
    args: () => ['containers', 'checkpoint', 'c1', 'example.test/checkpoint:1'],
  },
  'checkpoint to an existing ref': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
    },
    args: () => ['containers', 'checkpoint', 'c1', OCI],
  },
  'restore without arguments': { args: () => ['containers', 'restore'] },
  'restore without a ref': { args: () => ['containers', 'restore', 'c1'] },
  'restore of a checkpoint without a task': {
    setup: (dd, ns) => {
      pullOCI(dd, ns);
      must(dd, ns, 'containers', 'create', OCI, 'c1');
      must(dd, ns, 'containers', 'checkpoint', 'c1', 'example.test/checkpoint:1');
    },
    args: () => ['containers', 'restore', 'c2', 'example.test/checkpoint:1'],
    then: () => [['containers', 'ls']],
  },
  'restore of an image that is not a checkpoint': {
    setup: pullOCI,
    args: () => ['containers', 'restore', 'c2', OCI],
    then: () => [['containers', 'ls']],
  },
};

describe('containers and oci parity', { skip: d ? false : skipReason }, () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'ctrs-containers-'));
    const spec = JSON.parse(run(d!.reference, ['oci', 'spec']).stdout);
    spec.process.args = ['/bin/true'];
    spec.hostname = 'from-file';
    spec.annotations = { 'org.example': 'yes' };
    writeFileSync(file('spec.json'), JSON.stringify(spec));
    writeFileSync(file('spec-odd.json'), '{"OCIVERSION":"1.0.2","Process":{"CWD":"/x","user":{"UID":5},"terminal":true},"unknown":[1,2,{"a":null}],"root":null,"linux":{"resources":{"memory":{"limit":12345678901234}}}}');
    writeFileSync(file('empty.json'), '{}');
    writeFileSync(file('broken.json'), '{"ociVersion": "1.0.2",');
    writeFileSync(file('wrongtype.json'), '{"process": {"user": {"uid": "root"}}}');
    writeFileSync(file('range.json'), '{"process": {"user": {"uid": 4294967296}}}');
    writeFileSync(file('envfile'), 'FROM_FILE=1\nA=from-file\r\nB=2\n');
    writeFileSync(file('seccomp.json'), JSON.stringify({
      defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], ignored: true,
      syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }],
    }));
    symlinkSync('/etc/hostname', file('link'));
    userArchive = makeUserImages(d!);
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    // The runc state dir the --runc-root case gave runc.
    rmSync(RUNC_ROOT, { recursive: true, force: true });
  });

  for (const [name, c] of Object.entries(cases)) {
    // "@file" arguments name files in the work dir, which exists only once tests run.
    const withFiles: ParityCase = {
      ...c,
      args: (ns) => c.args(ns).map((a) => (a.startsWith('@') ? file(a.slice(1)) : a)),
      normalize: (s) => (c.normalize ? c.normalize(s) : s).split(work).join('<WORK>'),
    };
    test(name, () => {
      assertParity(d!, withFiles);
    });
  }

  test('a failed create leaves no snapshot and no container behind (ours)', () => {
    const ns = uniqueName('ctrs-half');
    must(d!, 'default', 'namespaces', 'create', ns);
    try {
      pullOCI(d!, ns);
      const before = must(d!, ns, 'snapshots', 'ls');
      const r = run(OURS, ['-a', d!.address, '-n', ns, 'containers', 'create', '--mount', 'bad', OCI, 'half']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'ctr: invalid mount specification: expected key=val\n');
      assert.equal(must(d!, ns, 'snapshots', 'ls'), before);
      assert.equal(must(d!, ns, 'containers', 'ls', '-q'), '');
      assert.equal(must(d!, ns, 'leases', 'ls', '-q'), '');
    } finally {
      purgeNamespace(d!, ns);
    }
  });
});
