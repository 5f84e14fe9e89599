// Parity of the foundation commands (version, plugins, namespaces, leases) and of the
// CLI's own behaviour (usage errors, unknown commands, dial failures) with the real ctr.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertParity, ctr, daemon, OURS, run, skipReason, type ParityCase } from './harness.js';

const d = daemon();

const cases: Record<string, ParityCase> = {
  // namespaces
  'ns ls': { args: () => ['namespaces', 'ls'] },
  'ns list -q (alias)': { args: () => ['namespace', 'list', '-q'] },
  'ns create with labels, then ls': {
    args: (ns) => ['ns', 'create', `${ns}-a`, 'b=c', 'a=1', 'flag', `e=x=y`],
    then: (ns) => [['ns', 'ls'], ['ns', 'ls', '-q']],
  },
  'ns create flag-like label after the name': {
    args: (ns) => ['ns', 'c', `${ns}-b`, '--foo'],
    then: () => [['ns', 'ls']],
  },
  'ns label sets and clears': {
    setup: (dd, ns) => ctr(dd, 'default', 'ns', 'create', `${ns}-l`, 'gone=1', 'keep=2'),
    args: (ns) => ['ns', 'label', `${ns}-l`, 'gone=', 'new=3'],
    then: () => [['ns', 'ls']],
  },
  'ns create without a name': { args: () => ['ns', 'create'] },
  'ns label without a name': { args: () => ['ns', 'label'] },
  'ns create invalid name': { args: () => ['ns', 'create', 'bad name'] },
  'ns create existing': { args: (ns) => ['ns', 'create', ns] },
  'ns label missing namespace': { args: (ns) => ['ns', 'label', `${ns}-missing`, 'a=b'] },
  'ns rm missing and existing': {
    setup: (dd, ns) => ctr(dd, 'default', 'ns', 'create', `${ns}-r`),
    args: (ns) => ['ns', 'rm', `${ns}-missing`, `${ns}-r`],
    then: () => [['ns', 'ls', '-q']],
  },
  'ns rm --cgroup': {
    setup: (dd, ns) => ctr(dd, 'default', 'ns', 'create', `${ns}-cg`),
    args: (ns) => ['ns', 'remove', '--cgroup', `${ns}-cg`],
  },
  'ns rm of a namespace that is not empty': {
    setup: (dd, ns) => ctr(dd, `${ns}-busy`, 'leases', 'create', '--id', 'hold'),
    args: (ns) => ['ns', 'rm', `${ns}-busy`],
  },

  // leases
  'leases create with id and labels, then ls': {
    args: () => ['leases', 'create', '--id', 'l1', '-x', '0', 'b=2', 'a=1', 'bare'],
    then: () => [['leases', 'ls'], ['leases', 'ls', '-q']],
  },
  'leases create with default expiry': {
    args: () => ['leases', 'create', '--id', 'l2'],
    then: () => [['leases', 'ls']],
  },
  'leases create with a generated id': {
    // Generated IDs vary in length, which moves table columns: list them with -q.
    args: () => ['leases', 'create', '--expires', '1h30m'],
    then: () => [['leases', 'ls', '-q']],
  },
  'leases ls with a filter': {
    setup: (dd, ns) => {
      ctr(dd, ns, 'leases', 'create', '--id', 'keep', 'team=a');
      ctr(dd, ns, 'leases', 'create', '--id', 'skip', 'team=b');
    },
    args: () => ['leases', 'ls', 'labels.team==a'],
  },
  'leases ls with a bad filter': { args: () => ['leases', 'ls', 'labels.team=='] },
  'leases create existing id': {
    setup: (dd, ns) => ctr(dd, ns, 'leases', 'create', '--id', 'dup'),
    args: () => ['leases', 'create', '--id', 'dup'],
  },
  'leases create bad expiry': { args: () => ['leases', 'create', '--expires', 'soon'], ignoreStdout: true },
  'leases rm several, one missing': {
    setup: (dd, ns) => {
      ctr(dd, ns, 'leases', 'create', '--id', 'a');
      ctr(dd, ns, 'leases', 'create', '--id', 'b');
    },
    args: () => ['leases', 'rm', 'a', 'missing', 'b'],
    then: () => [['leases', 'ls', '-q']],
  },
  'leases rm --sync': {
    setup: (dd, ns) => ctr(dd, ns, 'leases', 'create', '--id', 's'),
    args: () => ['leases', 'delete', '--sync', 's'],
    then: () => [['leases', 'ls']],
  },
  'leases rm without ids shows help': { args: () => ['leases', 'rm'], ignoreStdout: true },

  // plugins
  'plugins ls': { args: () => ['plugins', 'ls'] },
  'plugins ls -q': { args: () => ['plugin', 'ls', '-q'] },
  'plugins ls -d': { args: () => ['plugins', 'ls', '-d'], normalize: sortExportBlocks },
  'plugins ls with filters': { args: () => ['plugins', 'ls', 'type==io.containerd.snapshotter.v1', 'id==native'] },
  'plugins ls -d with a filter': { args: () => ['plugins', 'list', '--detailed', 'type==io.containerd.grpc.v1'] },
  'plugins ls with a bad filter': { args: () => ['plugins', 'ls', 'type=='] },

  // version: the server block and the exit code; the client block names this client.
  version: { args: () => ['version'], normalize: (s) => s.replace(/^Client:\n(  .*\n)+\n/, '') },
  'version with an expired timeout': {
    globals: (dd) => ['-a', dd.address, '--timeout', '1ns'],
    args: () => ['version'],
    normalize: (s) => s.replace(/^Client:\n(  .*\n)+\n/, ''),
  },

  // the CLI itself
  'unknown command': { args: () => ['bogus'] },
  'unknown verb': { args: () => ['ns', 'bogus'] },
  'unknown verb flag': { args: () => ['ns', 'ls', '--foo'], ignoreStdout: true },
  'bad boolean value': { args: () => ['ns', 'ls', '-q=maybe'], ignoreStdout: true },
  'two forms of one flag': { args: () => ['ns', 'ls', '-q', '--quiet'], ignoreStdout: true },
  'flag after the arguments is reordered': {
    args: (ns) => ['leases', 'create', 'z=1', '--id', `${ns}x`, '-x', '0'],
    then: () => [['leases', 'ls']],
  },
  'unknown global flag': { globals: () => ['--nope'], args: () => ['ns', 'ls'], ignoreStdout: true },
  'global flag without its value': { globals: () => [], args: () => ['-a'], ignoreStdout: true },
  'group without a verb shows help': { args: () => ['ns'], ignoreStdout: true },
  'help for a verb': { args: () => ['ns', 'ls', '--help'], ignoreStdout: true },
  'dial failure': {
    globals: () => ['-a', '/tmp/ctr-ts-no-such.sock', '--connect-timeout', '300ms'],
    args: () => ['ns', 'ls'],
  },
  'namespace from the environment': {
    setup: (dd, ns) => ctr(dd, ns, 'leases', 'create', '--id', 'from-env'),
    env: (ns) => ({ CONTAINERD_NAMESPACE: ns }),
    globals: (dd) => ['-a', dd.address],
    args: () => ['leases', 'ls', '-q'],
  },
};

/** Exports are a Go map: ctr prints them in random order; sort each block's lines. */
function sortExportBlocks(s: string): string {
  return s.replace(/(Exports:\s*\n)((?: {2,}\S.*\n)+)/g, (_m, head: string, body: string) =>
    head + body.split('\n').filter(Boolean).sort().map((l) => `${l}\n`).join(''));
}

// ctr 2.x's own CLI (urfave/cli v2) no longer moves flags written after the arguments
// and words dial errors differently; ctr-ts keeps ctr 1.x's CLI, so against a 2.x
// reference those two cases are not comparable. Everything that comes from the daemon is.
const cliOf1x = new Set(['flag after the arguments is reordered', 'dial failure']);
const referenceIs2x = d ? /\s2\.\d/.test(run(d.reference, ['--version']).stdout) : false;

describe('parity: foundation commands', { skip: d ? false : skipReason }, () => {
  for (const [name, c] of Object.entries(cases)) {
    test(name, { skip: referenceIs2x && cliOf1x.has(name) ? 'ctr 2.x CLI behaviour differs by design' : false }, () => {
      assertParity(d!, c);
    });
  }
});

/** Runs `bin <args>` with a stdout whose reader is gone before anything is written. */
function intoClosedPipe(bin: string, address: string, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The shell waits first, so the read end is surely closed when ctr writes.
    const child = spawn('sh', ['-c', 'sleep 0.3; exec "$0" -a "$@"', bin, address, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('parity: output into a closed pipe', { skip: d ? false : skipReason }, () => {
  // version writes before its call to the daemon; ns ls writes once, as its last act.
  for (const args of [['version'], ['namespaces', 'ls']]) {
    test(`ctr ${args.join(' ')} dies of SIGPIPE without a word (ctr ... | head); so does ctr-ts`, async () => {
      const [theirs, ours] = await Promise.all([intoClosedPipe(d!.reference, d!.address, args), intoClosedPipe(OURS, d!.address, args)]);
      assert.deepEqual(theirs, { code: null, signal: 'SIGPIPE', stderr: '' });
      assert.deepEqual(ours, theirs);
    });
  }
});

describe('parity: output into files', { skip: d ? false : skipReason }, () => {
  // ctr-ts writes to a file (or a terminal, or /dev/null) straight through the descriptor,
  // without node's streams: the bytes and their order must be ctr's all the same.
  test('stdout and stderr redirected to files, and both into one file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctr-files-'));
    try {
      // plugins ls: output that no other test changes meanwhile.
      const script = [
        '"$0" -a "$1" plugins ls > "$2/out" 2> "$2/err"',
        '"$0" -a "$1" -n "$3" containers info nonexistent > "$2/out2" 2> "$2/err2"',
        '{ "$0" -a "$1" plugins ls -q; "$0" -a "$1" -n "$3" tasks kill nonexistent; "$0" -a "$1" plugins ls; } > "$2/both" 2>&1',
      ].join('; ');
      const read = (bin: string, sub: string) => {
        const out = join(dir, sub);
        const r = spawnSync('sh', ['-c', `mkdir "$2"; ${script}`, bin, d!.address, out, 'default'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return Object.fromEntries(['out', 'err', 'out2', 'err2', 'both'].map((f) => [f, readFileSync(join(out, f), 'utf8')]));
      };
      const theirs = read(d!.reference, 'theirs');
      const ours = read(OURS, 'ours');
      assert.ok(theirs.out!.startsWith('TYPE'), theirs.out);
      assert.ok(theirs.err2!.startsWith('ctr: '), theirs.err2);
      assert.match(theirs.both!, /\nctr: .*\nTYPE/);
      assert.deepEqual(ours, theirs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
