// `--format json`: each command's document has the documented shape (docs/json.md) and
// says the same as the table ctr prints.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, daemon, OURS, run, uniqueName } from '../parity/harness.js';

const d = daemon();

function json(args: string[]): unknown[] {
  const r = run(OURS, ['-a', d!.address, ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.endsWith('}\n]\n') || r.stdout === '[]\n', 'one indented document with a trailing newline');
  const doc = JSON.parse(r.stdout);
  assert.ok(Array.isArray(doc));
  return doc;
}

const isTime = (v: unknown) => v === null || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(v));
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
      const names = run(OURS, ['-a', d!.address, 'namespaces', 'ls', '-q']).stdout.split('\n').filter(Boolean);
      assert.deepEqual(doc.map((e) => e.name), names);
    } finally {
      ctr(d!, 'default', 'namespaces', 'rm', ns);
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
      ctr(d!, 'default', 'namespaces', 'rm', ns);
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

  test('an unknown format is one ctr: line', () => {
    const r = run(OURS, ['-a', d!.address, 'namespaces', 'ls', '--format', 'yaml']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'ctr: unknown format "yaml": use "table" or "json"\n');
    assert.equal(r.stdout, '');
  });
});
