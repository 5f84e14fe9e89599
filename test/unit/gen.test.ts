// Checks the generated protobuf code in src/api/ and the proto/ sources behind it:
// - src/api/ is exactly what scripts/gen.sh produces today;
// - every proto/ file agrees with containerd's own .proto (the Debian copy) on
//   packages, messages, fields (name, number, label, type), enums and RPCs;
// - bytes that protoc encodes from our protos decode to the expected objects,
//   and the generated encoders round-trip real-looking messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { Container } from '../../src/api/github.com/containerd/containerd/api/services/containers/v1/containers.js';
import {
  WriteAction,
  WriteContentRequest,
} from '../../src/api/github.com/containerd/containerd/api/services/content/v1/content.js';
import { Envelope } from '../../src/api/github.com/containerd/containerd/api/services/events/v1/events.js';
import { TaskExit } from '../../src/api/github.com/containerd/containerd/api/events/task.js';
import { Options as RuncOptions } from '../../src/api/github.com/containerd/containerd/runtime/v2/runc/options/oci.js';
import { Metrics as CgroupsV2Metrics } from '../../src/api/github.com/containerd/cgroups/v2/stats/metrics.js';
import { NamespacesDefinition } from '../../src/api/github.com/containerd/containerd/api/services/namespaces/v1/namespace.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const protoDir = join(repo, 'proto');
const apiDir = join(repo, 'src', 'api');

// Where Debian's golang-github-containerd-*-dev and gogoprotobuf packages put
// the upstream protos (containerd 1.6.20, cgroups 1.0.4).
const gocode = '/usr/share/gocode/src';
const referenceIncludes = [
  gocode,
  join(gocode, 'github.com/gogo/protobuf'), // gogoproto/gogo.proto
  join(gocode, 'github.com/gogo/protobuf/protobuf'), // google/protobuf/*.proto
  join(gocode, 'github.com/gogo/googleapis'), // google/rpc/status.proto
];

const hasProtoc = spawnSync('protoc', ['--version']).status === 0;
const hasReference = existsSync(join(gocode, 'github.com/containerd/containerd/api/services/tasks/v1/tasks.proto'));

function listFiles(root: string, suffix: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(suffix)) found.push(relative(root, path));
    }
  };
  walk(root);
  return found.sort();
}

const protoFiles = listFiles(protoDir, '.proto');

function run(cmd: string, args: string[], input?: Uint8Array | string): Buffer {
  const res = spawnSync(cmd, args, { input, maxBuffer: 64 << 20 });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr?.toString()}`);
  }
  return res.stdout;
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ctr-gen-test-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function descriptorSet(includes: string[], files: string[], dir: string, name: string): FileDescriptorProto[] {
  const out = join(dir, name);
  run('protoc', [...includes.map((i) => `-I${i}`), `--descriptor_set_out=${out}`, ...files]);
  return fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
}

test('src/api is exactly what scripts/gen.sh generates', (t) => {
  if (!hasProtoc) {
    t.skip('protoc not on PATH (Debian package protobuf-compiler); cannot regenerate');
    return;
  }
  withTempDir((dir) => {
    const out = join(dir, 'api');
    run('bash', [join(repo, 'scripts', 'gen.sh'), out]);
    const fresh = listFiles(out, '');
    assert.deepEqual(fresh, listFiles(apiDir, ''), 'generated file list differs from committed src/api');
    for (const file of fresh) {
      assert.ok(
        readFileSync(join(out, file)).equals(readFileSync(join(apiDir, file))),
        `src/api/${file} is stale: run npm run gen`,
      );
    }
  });
});

// The wire contract of one file, free of options (gogoproto, go_package,
// fieldpath), comments and import lists, which differ on purpose.
function contractOfEnum(e: EnumDescriptorProto) {
  return { name: e.name, values: e.value.map((v) => `${v.name}=${v.number}`) };
}

function contractOfMessage(m: DescriptorProto): unknown {
  return {
    name: m.name,
    mapEntry: m.options?.mapEntry ?? false,
    fields: m.field.map((f) => ({
      name: f.name,
      number: f.number,
      label: FieldDescriptorProto_Label[f.label],
      type: FieldDescriptorProto_Type[f.type],
      typeName: f.typeName,
      oneof: isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) ? f.oneofIndex : undefined,
      proto3Optional: f.proto3Optional,
    })),
    oneofs: m.oneofDecl.map((o) => o.name),
    nested: m.nestedType.map(contractOfMessage),
    enums: m.enumType.map(contractOfEnum),
  };
}

function contractOfFile(f: FileDescriptorProto) {
  return {
    name: f.name,
    package: f.package,
    syntax: f.syntax,
    messages: f.messageType.map(contractOfMessage),
    enums: f.enumType.map(contractOfEnum),
    services: f.service.map((s) => ({
      name: s.name,
      methods: s.method.map((m) => ({
        name: m.name,
        input: m.inputType,
        output: m.outputType,
        clientStreaming: m.clientStreaming,
        serverStreaming: m.serverStreaming,
      })),
    })),
  };
}

test('proto/ matches the wire contract of the upstream containerd protos', async (t) => {
  if (!hasProtoc || !hasReference) {
    t.skip(`needs protoc and the upstream protos under ${gocode} (Debian golang-github-containerd-containerd-dev)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctr-gen-test-'));
  try {
    // protoc lists files in dependency order; index them by name.
    const ours = new Map(descriptorSet([protoDir], protoFiles, dir, 'ours.pb').map((f) => [f.name, f]));
    assert.deepEqual([...ours.keys()].sort(), protoFiles);
    // One subtest per file so that every mismatch is reported, not just the first.
    for (const [i, file] of protoFiles.entries()) {
      await t.test(file, () => {
        // Compiled one by one: upstream files reach gogo.proto by two different
        // import paths, which protoc rejects within one run.
        const [reference] = descriptorSet(referenceIncludes, [file], dir, `ref${i}.pb`);
        assert.ok(reference, `no upstream counterpart for ${file}`);
        assert.deepEqual(contractOfFile(ours.get(file)!), contractOfFile(reference));
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// protoc's text format → binary, using our proto files.
function protocEncode(file: string, type: string, text: string): Uint8Array {
  return new Uint8Array(run('protoc', [`-I${protoDir}`, `--encode=${type}`, file], text));
}

const containersProto = 'github.com/containerd/containerd/api/services/containers/v1/containers.proto';

test('bytes encoded by protoc from our protos decode to the expected objects', (t) => {
  if (!hasProtoc) {
    t.skip('protoc not on PATH (Debian package protobuf-compiler)');
    return;
  }
  const text = `
    id: "web"
    labels { key: "a" value: "1" }
    labels { key: "b" value: "2" }
    image: "docker.io/library/alpine:3.18"
    runtime { name: "io.containerd.runc.v2" options { type_url: "containerd.runc.v1.Options" value: "\\x30\\x07" } }
    spec { type_url: "types.containerd.io/opencontainers/runtime-spec/1/Spec" value: "{}" }
    snapshotter: "overlayfs"
    snapshot_key: "web-snap"
    created_at { seconds: 1700000000 nanos: 123456789 }
    updated_at { seconds: -62135596800 }
    extensions { key: "ext" value { type_url: "x/y" value: "\\x01\\xff" } }
  `;
  const decoded = Container.decode(protocEncode(containersProto, 'containerd.services.containers.v1.Container', text));
  assert.deepEqual(decoded, {
    id: 'web',
    labels: { a: '1', b: '2' },
    image: 'docker.io/library/alpine:3.18',
    runtime: {
      name: 'io.containerd.runc.v2',
      options: { typeUrl: 'containerd.runc.v1.Options', value: new Uint8Array([0x30, 0x07]) },
    },
    spec: {
      typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/Spec',
      value: new TextEncoder().encode('{}'),
    },
    snapshotter: 'overlayfs',
    snapshotKey: 'web-snap',
    createdAt: { seconds: 1700000000, nanos: 123456789 },
    updatedAt: { seconds: -62135596800, nanos: 0 },
    extensions: { ext: { typeUrl: 'x/y', value: new Uint8Array([0x01, 0xff]) } },
  });

  // Field 6 (binary_name) of the runc options, as protoc encodes it.
  const runc = RuncOptions.decode(
    protocEncode(
      'github.com/containerd/containerd/runtime/v2/runc/options/oci.proto',
      'containerd.runc.v1.Options',
      'binary_name: "/usr/local/bin/crun" root: "/run/x" systemd_cgroup: true',
    ),
  );
  assert.equal(runc.binaryName, '/usr/local/bin/crun');
  assert.equal(runc.root, '/run/x');
  assert.equal(runc.systemdCgroup, true);

  // Our encoder produces the very bytes protoc does (one-entry maps, so the
  // map order cannot differ).
  const simple = `
    action: COMMIT ref: "ingest-1" total: 5 expected: "sha256:abc" offset: 3 data: "\\x00\\x01\\xfe" labels { key: "k" value: "v" }
  `;
  const contentProto = 'github.com/containerd/containerd/api/services/content/v1/content.proto';
  const fromProtoc = protocEncode(contentProto, 'containerd.services.content.v1.WriteContentRequest', simple);
  const ours = WriteContentRequest.encode(
    WriteContentRequest.fromPartial({
      action: WriteAction.COMMIT,
      ref: 'ingest-1',
      total: 5,
      expected: 'sha256:abc',
      offset: 3,
      data: new Uint8Array([0, 1, 0xfe]),
      labels: { k: 'v' },
    }),
  ).finish();
  assert.deepEqual(ours, fromProtoc);

  // cgroups v2 "max" limits arrive as 2^64-1 and must survive decoding.
  const metrics = CgroupsV2Metrics.decode(
    protocEncode(
      'github.com/containerd/cgroups/v2/stats/metrics.proto',
      'io.containerd.cgroups.v2.Metrics',
      'memory { usage: 4096 usage_limit: 18446744073709551615 swap_limit: 18446744073709551615 } pids { current: 1 }',
    ),
  );
  assert.equal(metrics.memory?.usageLimit, 18446744073709551615n);
  assert.equal(metrics.memory?.swapLimit, 18446744073709551615n);
  assert.equal(metrics.memory?.usage, 4096n);
  assert.equal(metrics.pids?.current, 1n);
});

test('generated encoders round-trip nested Any payloads and bytes', () => {
  const exit = TaskExit.fromPartial({
    containerId: 'c1',
    id: 'c1',
    pid: 4242,
    exitStatus: 137,
    exitedAt: { seconds: 1700000001, nanos: 999 },
  });
  const envelope = Envelope.fromPartial({
    timestamp: { seconds: 1700000002, nanos: 1 },
    namespace: 'default',
    topic: '/tasks/exit',
    event: { typeUrl: 'containerd.events.TaskExit', value: TaskExit.encode(exit).finish() },
  });
  const back = Envelope.decode(Envelope.encode(envelope).finish());
  assert.deepEqual(back, envelope);
  assert.deepEqual(TaskExit.decode(back.event!.value), exit);

  const data = new Uint8Array(70000).map((_, i) => (i * 31) & 0xff);
  const write = WriteContentRequest.fromPartial({ action: WriteAction.WRITE, ref: 'r', offset: 2 ** 40, data });
  assert.deepEqual(WriteContentRequest.decode(WriteContentRequest.encode(write).finish()), write);

  const container = Container.fromPartial({
    id: 'x',
    labels: { 'io.containerd.image.config.stop-signal': 'SIGTERM' },
    runtime: {
      name: 'io.containerd.runc.v2',
      options: {
        typeUrl: 'containerd.runc.v1.Options',
        value: RuncOptions.encode(RuncOptions.fromPartial({ systemdCgroup: true })).finish(),
      },
    },
    extensions: { a: { typeUrl: 't', value: new Uint8Array([9]) } },
    createdAt: { seconds: 1, nanos: 2 },
  });
  assert.deepEqual(Container.decode(Container.encode(container).finish()), container);

  // The shape the gRPC client layer relies on.
  const list = NamespacesDefinition.methods.list;
  assert.equal(NamespacesDefinition.fullName, 'containerd.services.namespaces.v1.Namespaces');
  assert.equal(list.name, 'List');
  assert.equal(list.responseStream, false);
  const req = list.requestType.decode(list.requestType.encode({ filter: 'name==x' }).finish());
  assert.deepEqual(req, { filter: 'name==x' });
});
