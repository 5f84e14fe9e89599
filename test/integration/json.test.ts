// `--format json`: each command's document has the documented shape (docs/json.md) and
// says the same as the table ctr prints.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, daemon, OURS, purgeNamespace, run, uniqueName } from '../parity/harness.js';

const d = daemon();

function json(args: string[], code = 0): unknown[] {
  const r = run(OURS, ['-a', d!.address, ...args]);
  assert.equal(r.code, code, r.stderr);
  assert.ok(r.stdout.endsWith('}\n]\n') || r.stdout === '[]\n', 'one indented document with a trailing newline');
  const doc = JSON.parse(r.stdout);
  assert.ok(Array.isArray(doc));
  return doc;
}

const isTime = (v: unknown) => v === null || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(v));
const isBytes = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const image = (kind: 'oci' | 'docker' | 'multi') => d?.env[`CTR_TESTBED_IMAGE_${kind.toUpperCase()}`] ?? `127.0.0.1:5000/testbed/busybox:${kind}`;

/** The rows of one of ctr's tables, split on runs of blanks (no cell of these tables holds one). */
function tableRows(stdout: string): string[][] {
  return stdout.split('\n').slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/));
}

/** A size as ctr prints it ("1.0 MiB", "1.052MB", "587B"), in bytes, and the rounding it may hide. */
function printedSize(text: string): [number, number] {
  const m = /^([\d.]+)\s*(B|kB|KiB|MB|MiB|GB|GiB)$/.exec(text);
  assert.ok(m, `a size: ${text}`);
  const unit = { B: 1, kB: 1e3, KiB: 1024, MB: 1e6, MiB: 1 << 20, GB: 1e9, GiB: 1 << 30 }[m[2] as 'B'];
  const decimals = m[1]!.split('.')[1]?.length ?? 0;
  return [Number(m[1]) * unit, (unit * 10 ** -decimals) / 2 + 0.5];
}

function assertSize(bytes: unknown, text: string, what: string): void {
  assert.ok(isBytes(bytes), `${what}: integer bytes`);
  const [value, slack] = printedSize(text);
  assert.ok(Math.abs((bytes as number) - value) <= slack, `${what}: ${bytes} bytes is not ${text}`);
}

/** A label column ("k=v,k=v" in Go's random map order, or "-") as sorted pairs. */
const labelColumn = (text: string) => (text === '-' ? [] : text.split(',').sort());
const labelPairs = (labels: unknown) => Object.entries(labels as object).map(([k, v]) => `${k}=${v}`);

const isStringMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

describe('--format json', { skip: d ? false : 'no test bed' }, () => {
  test('namespaces ls', () => {
    const ns = uniqueName('json');
    ctr(d!, 'default', 'namespaces', 'create', ns, 'team=a', 'tier=1');
    try {
      const doc = json(['namespaces', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
      for (const e of doc) {
        assert.deepEqual(Object.keys(e), ['name', 'labels']);
        assert.equal(typeof e.name, 'string');
        assert.ok(isStringMap(e.labels));
      }
      assert.deepEqual(doc.find((e) => e.name === ns), { name: ns, labels: { team: 'a', tier: '1' } });
      // The same order as the table (the daemon's, by name); other tests may add or remove
      // namespaces meanwhile, so compare order rather than a second listing.
      const names = doc.map((e) => e.name as string);
      assert.deepEqual(names, [...names].sort());
    } finally {
      purgeNamespace(d!, ns);
    }
  });

  test('leases ls', () => {
    const ns = uniqueName('json');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    ctr(d!, ns, 'leases', 'create', '--id', 'a', '-x', '0', 'k=v');
    try {
      const doc = json(['-n', ns, 'leases', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
      assert.equal(doc.length, 1);
      assert.deepEqual(Object.keys(doc[0]!), ['id', 'createdAt', 'labels']);
      assert.equal(doc[0]!.id, 'a');
      assert.ok(isTime(doc[0]!.createdAt));
      assert.deepEqual(doc[0]!.labels, { k: 'v' });
      // The table's CREATED AT is the same instant, in seconds.
      const table = ctr(d!, ns, 'leases', 'ls').stdout.split('\n')[1]!;
      const secs = new Date(table.split(/\s+/)[1]!).getTime();
      assert.equal(Math.floor(new Date(doc[0]!.createdAt as string).getTime() / 1000) * 1000, secs);
    } finally {
      ctr(d!, ns, 'leases', 'rm', 'a');
      purgeNamespace(d!, ns);
    }
  });

  test('plugins ls', () => {
    const doc = json(['plugins', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
    const rows = ctr(d!, 'default', 'plugins', 'ls').stdout.split('\n').slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/));
    assert.equal(doc.length, rows.length);
    doc.forEach((e, i) => {
      assert.deepEqual(Object.keys(e), ['type', 'id', 'platforms', 'status', 'requires', 'exports', 'capabilities', 'error']);
      const [type, id, platforms, status] = rows[i]!;
      assert.equal(e.type, type);
      assert.equal(e.id, id);
      assert.equal((e.platforms as string[]).join(',') || '-', platforms);
      assert.equal(e.status, status);
      assert.ok(isStringMap(e.exports));
      assert.ok(e.error === null || (typeof (e.error as { code: unknown }).code === 'string'));
      assert.equal(e.status === 'ok', e.error === null);
    });
  });

  test('snapshots ls', () => {
    const ns = uniqueName('json');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    ctr(d!, ns, 'snapshots', '--snapshotter', 'native', 'prepare', 'json-a');
    try {
      const doc = json(['-n', ns, 'snapshots', '--snapshotter', 'native', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
      assert.equal(doc.length, 1);
      assert.deepEqual(Object.keys(doc[0]!), ['key', 'parent', 'kind', 'snapshotter', 'labels', 'createdAt', 'updatedAt']);
      // ctr's prepare roots the snapshot for the garbage collector.
      assert.ok(isTime((doc[0]!.labels as Record<string, string>)['containerd.io/gc.root']?.replace(/Z$/, '.000000000Z') ?? ''));
      assert.deepEqual({ ...doc[0], labels: null, createdAt: null, updatedAt: null }, {
        key: 'json-a', parent: '', kind: 'Active', snapshotter: 'native', labels: null, createdAt: null, updatedAt: null,
      });
      assert.ok(isTime(doc[0]!.createdAt) && doc[0]!.createdAt !== null);
      // The table says the same.
      assert.match(ctr(d!, ns, 'snapshots', '--snapshotter', 'native', 'ls').stdout, /^json-a\s+Active\s*$/m);
    } finally {
      ctr(d!, ns, 'snapshots', '--snapshotter', 'native', 'rm', 'json-a');
      purgeNamespace(d!, ns);
    }
  });

  test('containers ls', { skip: !d?.env.CTR_TESTBED_IMAGE_OCI && 'no test bed image' }, () => {
    const ns = uniqueName('json');
    const image = d!.env.CTR_TESTBED_IMAGE_OCI!;
    ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      assert.equal(ctr(d!, ns, 'images', 'pull', '--plain-http', image).code, 0);
      assert.equal(ctr(d!, ns, 'containers', 'create', '--label', 'team=a', image, 'json-c').code, 0);
      const doc = json(['-n', ns, 'containers', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
      assert.equal(doc.length, 1);
      assert.deepEqual(Object.keys(doc[0]!), ['id', 'image', 'runtime', 'snapshotter', 'snapshotKey', 'labels', 'createdAt', 'updatedAt']);
      const c = doc[0]!;
      assert.equal(c.id, 'json-c');
      assert.equal(c.image, image);
      assert.equal(c.snapshotKey, 'json-c');
      assert.equal((c.labels as Record<string, string>).team, 'a');
      assert.ok(isTime(c.createdAt) && isTime(c.updatedAt));
      const row = ctr(d!, ns, 'containers', 'ls').stdout.split('\n')[1]!.trim().split(/\s+/);
      assert.deepEqual(row, [c.id, c.image, c.runtime]);
    } finally {
      ctr(d!, ns, 'containers', 'rm', 'json-c');
      ctr(d!, ns, 'images', 'rm', image);
      purgeNamespace(d!, ns);
    }
  });

  test('tasks ls', { skip: !d?.env.CTR_TESTBED_IMAGE_OCI && 'no test bed image' }, () => {
    const ns = uniqueName('json');
    const image = d!.env.CTR_TESTBED_IMAGE_OCI!;
    ctr(d!, 'default', 'namespaces', 'create', ns);
    try {
      assert.equal(ctr(d!, ns, 'images', 'pull', '--plain-http', image).code, 0);
      assert.equal(ctr(d!, ns, 'run', '-d', image, 'json-t', 'sleep', '60').code, 0);
      const doc = json(['-n', ns, 'tasks', 'ls', '--format', 'json']) as Array<Record<string, unknown>>;
      assert.equal(doc.length, 1);
      assert.deepEqual(Object.keys(doc[0]!), ['id', 'pid', 'status', 'exitStatus', 'exitedAt']);
      const t = doc[0]!;
      assert.equal(t.id, 'json-t');
      assert.equal(t.status, 'RUNNING');
      assert.equal(t.exitedAt, null);
      const row = ctr(d!, ns, 'tasks', 'ls').stdout.split('\n')[1]!.trim().split(/\s+/);
      assert.deepEqual(row, [t.id, String(t.pid), t.status]);
    } finally {
      ctr(d!, ns, 'tasks', 'kill', '-s', 'SIGKILL', 'json-t');
      ctr(d!, ns, 'tasks', 'rm', '-f', 'json-t');
      ctr(d!, ns, 'containers', 'rm', 'json-t');
      ctr(d!, ns, 'images', 'rm', image);
      purgeNamespace(d!, ns);
    }
  });

  test('an unknown format is one ctr: line', () => {
    const r = run(OURS, ['-a', d!.address, 'namespaces', 'ls', '--format', 'yaml']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'ctr: unknown format "yaml": use "table" or "json"\n');
    assert.equal(r.stdout, '');
  });

  describe('images and content', () => {
    const ns = uniqueName('json-images');
    const ours = (...args: string[]) => json(['-n', ns, ...args]) as Array<Record<string, unknown>>;
    const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('ctr: '));
    const OCI = image('oci');

    test('setup: pull the test bed images with ctr', () => {
      ctr(d!, 'default', 'namespaces', 'create', ns);
      for (const ref of [OCI, image('docker'), image('multi')]) {
        const r = ctr(d!, ns, 'images', 'pull', '--plain-http', ref);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.equal(ctr(d!, ns, 'images', 'label', OCI, 'tier=1', 'app=web').code, 0);
    });

    test('images ls', () => {
      const doc = ours('images', 'ls', '--format', 'json', '-q');
      const rows = tableRows(ctr(d!, ns, 'images', 'ls').stdout);
      assert.equal(doc.length, 3);
      assert.deepEqual(doc.map((e) => e.name), rows.map((r) => r[0]));
      doc.forEach((e, i) => {
        assert.deepEqual(Object.keys(e), ['name', 'mediaType', 'digest', 'size', 'platforms', 'labels', 'createdAt', 'updatedAt']);
        // REF TYPE DIGEST SIZE(number unit) PLATFORMS LABELS
        const [, type, digest, num, unit, platforms, labels] = rows[i]!;
        assert.equal(e.mediaType, type);
        assert.equal(e.digest, digest);
        assertSize(e.size, `${num} ${unit}`, `${e.name} size`);
        assert.ok(Array.isArray(e.platforms) && e.platforms.every((p) => typeof p === 'string'));
        assert.equal((e.platforms as string[]).join(',') || '-', platforms);
        assert.ok(isStringMap(e.labels));
        assert.deepEqual(labelPairs(e.labels), labelColumn(labels!), 'labels, with keys sorted');
        assert.ok(isTime(e.createdAt) && e.createdAt !== null);
        assert.ok(isTime(e.updatedAt) && e.updatedAt !== null);
      });
      const oci = doc.find((e) => e.name === OCI)!;
      assert.deepEqual(oci.labels, { app: 'web', tier: '1' });
      assert.ok((oci.updatedAt as string) > (oci.createdAt as string), 'labelling updated the record');
      assert.deepEqual(doc.find((e) => e.name === image('multi'))!.platforms, ['linux/amd64', 'linux/arm64/v8']);
      // A filter applies as in the table.
      assert.deepEqual(ours('images', 'ls', '--format', 'json', `name==${OCI}`).map((e) => e.name), [OCI]);
      assert.deepEqual(ours('images', 'ls', '--format', 'json', 'name==nope'), []);
    });

    /** images check in both forms, row by row, with the same exit status and error. */
    function checkAgrees(): Array<Record<string, unknown>> {
      const ref = ctr(d!, ns, 'images', 'check');
      const mine = run(OURS, ['-a', d!.address, '-n', ns, 'images', 'check', '--format', 'json']);
      assert.deepEqual(errorLines(mine.stderr), errorLines(ref.stderr));
      const doc = json(['-n', ns, 'images', 'check', '--format', 'json'], ref.code) as Array<Record<string, unknown>>;
      const rows = tableRows(ref.stdout);
      assert.deepEqual(doc.map((e) => e.name), rows.map((r) => r[0]));
      doc.forEach((e, i) => {
        assert.deepEqual(Object.keys(e), ['name', 'mediaType', 'digest', 'status', 'available', 'required', 'availableBlobs', 'requiredBlobs', 'unpacked']);
        // REF TYPE DIGEST STATUS (n/m) SIZE(a unit/b unit) UNPACKED
        const [, type, digest, status, counts, ...rest] = rows[i]!;
        assert.equal(e.mediaType, type);
        assert.equal(e.digest, digest);
        assert.equal(e.status, status);
        assert.equal(`(${e.availableBlobs}/${e.requiredBlobs ?? '?'})`, counts);
        const [present, required] = rest.slice(0, -1).join(' ').split('/');
        assertSize(e.available, present!, `${e.name} available`);
        if (required === '?') assert.equal(e.required, null);
        else assertSize(e.required, required!, `${e.name} required`);
        // The table says false where the check failed; json says null.
        const unpackError = ref.stderr.includes(`unable to check unpack for ${e.name}"`);
        assert.equal(e.unpacked, unpackError ? null : rest.at(-1) === 'true');
      });
      return doc;
    }

    test('images check: complete, incomplete, unavailable', () => {
      let doc = checkAgrees();
      assert.ok(doc.every((e) => e.status === 'complete' && e.unpacked === true && e.available === e.required));
      // -q is ignored with json: every image, not only the complete ones.
      assert.equal(ours('images', 'check', '--format', 'json', '-q').length, 3);

      // The three images share their config and layers. A layer gone: all incomplete.
      const docker = doc.find((e) => e.name === image('docker'))!;
      const manifest = JSON.parse(ctr(d!, ns, 'content', 'get', docker.digest as string).stdout) as { layers: Array<{ digest: string; size: number }> };
      const layer = manifest.layers.at(-1)!;
      assert.equal(ctr(d!, ns, 'content', 'rm', layer.digest).code, 0);
      doc = checkAgrees();
      for (const e of doc) {
        assert.deepEqual([e.status, e.availableBlobs, e.requiredBlobs, e.unpacked], ['incomplete', 2, 3, true]);
        assert.equal((e.required as number) - (e.available as number), layer.size);
      }

      // The oci manifest (also the multi index's amd64 one) gone: unknown requirements, and
      // the unpack check fails (exit status 1, as ctr's).
      assert.equal(ctr(d!, ns, 'content', 'rm', doc.find((e) => e.name === OCI)!.digest as string).code, 0);
      doc = checkAgrees();
      for (const name of [OCI, image('multi')]) {
        const e = doc.find((x) => x.name === name)!;
        assert.deepEqual([e.status, e.available, e.required, e.availableBlobs, e.requiredBlobs, e.unpacked], ['unavailable', 0, null, 0, null, null]);
      }
      assert.equal(doc.find((e) => e.name === image('docker'))!.status, 'incomplete');
    });

    test('content ls', () => {
      const doc = ours('content', 'ls', '--format', 'json', '-q');
      const text = ctr(d!, ns, 'content', 'ls').stdout;
      // DIGEST SIZE AGE LABELS, tab-separated; AGE may hold blanks.
      const rows = text.split('\n').slice(1).filter(Boolean).map((l) => l.split('\t').filter(Boolean));
      assert.ok(doc.length > 0);
      assert.deepEqual(doc.map((e) => e.digest), rows.map((r) => r[0]));
      doc.forEach((e, i) => {
        assert.deepEqual(Object.keys(e), ['digest', 'size', 'createdAt', 'updatedAt', 'labels']);
        const row = rows[i]!;
        assertSize(e.size, row[1]!, `${e.digest} size`);
        assert.ok(isTime(e.createdAt) && e.createdAt !== null);
        assert.ok(isTime(e.updatedAt));
        assert.ok(isStringMap(e.labels));
        assert.deepEqual(labelPairs(e.labels), labelColumn(row.at(-1)!), 'labels, with keys sorted');
      });
      // A filter as in the table.
      const first = doc[0]!.digest as string;
      assert.deepEqual(ours('content', 'ls', '--format', 'json', `digest==${first}`).map((e) => e.digest), [first]);
    });

    test('content active', () => {
      assert.deepEqual(ours('content', 'active', '--format', 'json'), []);
      // An ingest that ends short of its expected size stays active.
      const r = run(d!.reference, ['-a', d!.address, '-n', ns, 'content', 'ingest', '--expected-size', '100', 'json-ref'], { input: 'hello' });
      assert.equal(r.code, 1);
      const doc = ours('content', 'active', '--format', 'json');
      assert.equal(doc.length, 1);
      assert.deepEqual(Object.keys(doc[0]!), ['ref', 'offset', 'total', 'startedAt', 'updatedAt']);
      assert.deepEqual({ ref: doc[0]!.ref, offset: doc[0]!.offset, total: doc[0]!.total }, { ref: 'json-ref', offset: 5, total: 100 });
      assert.ok(isTime(doc[0]!.startedAt) && isTime(doc[0]!.updatedAt));
      assert.equal(tableRows(ctr(d!, ns, 'content', 'active').stdout)[0]![1], '5B');
      assert.deepEqual(ours('content', 'active', '--format', 'json', 'nomatch'), []);
    });

    test('cleanup', () => {
      purgeNamespace(d!, ns);
    });
  });
});
