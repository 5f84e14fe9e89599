// The parity harness: runs the real ctr and ours with the same arguments, each in a
// fresh namespace of its own on the same daemon, and compares stdout byte for byte,
// the exit code, and the `ctr:` lines on stderr. Only what differs between two runs of
// ctr itself is normalised (times, durations, generated IDs, the namespace name).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { testbedEnv } from '../testbed.js';

/** Our binary; CTR_TS_BIN points the tests at another build (e.g. a private copy of dist/). */
export const OURS = process.env.CTR_TS_BIN || fileURLToPath(new URL('../../bin/ctr', import.meta.url));

export interface Daemon {
  address: string;
  /** Path of the real ctr that matches the daemon's version. */
  reference: string;
  env: Record<string, string>;
}

/** The daemon under test, or undefined (the caller skips) when none is reachable. */
export function daemon(): Daemon | undefined {
  const env = testbedEnv() ?? {};
  const address = env.CONTAINERD_ADDRESS ?? process.env.CONTAINERD_ADDRESS;
  if (!address || !existsSync(address.replace(/^unix:\/\//, ''))) return undefined;
  return { address, reference: env.CTR_REFERENCE ?? process.env.CTR_REFERENCE ?? 'ctr', env };
}

export const skipReason = 'no containerd test bed: run `scripts/testbed.sh up` (CI always has one)';

export interface Result { stdout: string; stderr: string; code: number }

export function run(
  bin: string, args: string[], opts: { input?: string | Uint8Array; stdinFile?: string; env?: Record<string, string> } = {},
): Result {
  // A file as stdin is what `ctr ... < file` gives (not a pipe).
  const fd = opts.stdinFile === undefined ? undefined : openSync(opts.stdinFile, 'r');
  try {
    const r = spawnSync(bin, args, {
      ...(fd === undefined ? { input: opts.input ?? '' } : { stdio: [fd, 'pipe', 'pipe'] }),
      encoding: 'utf8',
      env: { ...process.env, ...opts.env },
      timeout: 120_000,
      maxBuffer: 64 << 20,
    });
    if (r.error) throw r.error;
    return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Runs the reference ctr against the daemon (for setup and teardown). */
export function ctr(d: Daemon, ns: string, ...args: string[]): Result {
  return run(d.reference, ['-a', d.address, '-n', ns, ...args]);
}

/** Removes a test namespace and whatever the case left in it. */
export function purgeNamespace(d: Daemon, ns: string): void {
  const ids = (kind: string[]) => ctr(d, ns, ...kind, 'ls', '-q').stdout.split('\n').filter(Boolean);
  for (const id of ids(['tasks'])) ctr(d, ns, 'tasks', 'rm', '-f', id);
  const containers = ids(['containers']);
  if (containers.length) ctr(d, ns, 'containers', 'rm', ...containers);
  // Snapshots left by cases (prepare, commit, unpack) keep a namespace from going: leaves first.
  for (const sn of ['overlayfs', 'native']) {
    for (let round = 0; round < 16; round++) {
      const keys = ctr(d, ns, 'snapshots', '--snapshotter', sn, 'ls').stdout.split('\n').slice(1).map((l) => l.split(' ')[0]!).filter(Boolean);
      if (keys.length === 0) break;
      for (const k of keys) ctr(d, ns, 'snapshots', '--snapshotter', sn, 'rm', k);
    }
  }
  const images = ids(['images']);
  if (images.length) ctr(d, ns, 'images', 'rm', ...images);
  const leases = ids(['leases']);
  if (leases.length) ctr(d, ns, 'leases', 'rm', ...leases);
  const blobs = ids(['content']);
  if (blobs.length) ctr(d, ns, 'content', 'rm', ...blobs);
  // Cases may create namespaces of their own; they are named after the test namespace.
  const mine = ctr(d, 'default', 'namespaces', 'ls', '-q').stdout.split('\n').filter((n) => n.startsWith(`${ns}-`));
  for (const n of mine) purgeNamespace(d, n);
  // Removals settle in the daemon's metadata a moment later (the garbage collector), so
  // an emptied namespace may still refuse to go at first.
  for (let i = 0; i < 10 && ctr(d, 'default', 'namespaces', 'rm', ns).code !== 0; i++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

export interface ParityCase {
  /** Arguments after the global flags; `ns` is this run's namespace. */
  args: (ns: string) => string[];
  /** Further commands run after `args` in the same namespace, each compared too. */
  then?: (ns: string) => string[][];
  /** Prepares the namespace (with the real ctr) before each of the two runs. */
  setup?: (d: Daemon, ns: string) => void;
  /** Stdin of the first step (bytes for binary input such as an archive), or per namespace. */
  input?: string | Uint8Array | ((ns: string) => string | Uint8Array);
  /** Or a file opened as the first step's stdin, as `< file` does. */
  stdinFile?: string;
  /** Extra normalisation for this case, applied to both outputs. */
  normalize?: (s: string) => string;
  /** Skip the stdout comparison (e.g. usage errors, whose help text is ours). */
  ignoreStdout?: boolean;
  /** Environment for both binaries (e.g. CONTAINERD_NAMESPACE). */
  env?: (ns: string) => Record<string, string>;
  /** Global flags before the command (default: -a <address> -n <ns>). */
  globals?: (d: Daemon, ns: string) => string[];
}

const builtIn: Array<[RegExp, string]> = [
  // RFC3339 and Go default time forms.
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>'],
  [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \w+/g, '<TIME>'],
  // Lease IDs that containerd generates: "<nanoseconds>-<base64 of 3 bytes>".
  [/(?<![\w-])\d{1,9}-[A-Za-z0-9_-]{4}(?![\w-])/g, '<LEASE>'],
  // Go durations, e.g. "done: 1.234s", "elapsed: 0.3 s".
  [/\b\d+(\.\d+)?(ns|µs|ms|s|m|h)\b/g, '<DUR>'],
];

export function normalize(s: string, ns: string, extra?: (s: string) => string): string {
  let out = s.split(ns).join('<NS>');
  for (const [re, to] of builtIn) out = out.replace(re, to);
  return extra ? extra(out) : out;
}

/** The lines of stderr that ctr's main writes (`ctr: …`) and urfave's exit errors. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('ctr: ') || l.startsWith('No help topic'));
}

export interface Pair { ref: Result[]; ours: Result[]; nsRef: string; nsOurs: string }

/** Runs one case with both binaries and asserts parity of every step. */
export function assertParity(d: Daemon, c: ParityCase): Pair {
  // The two namespaces differ only in their last letter, so no other namespace (say one
  // a crashed test left behind) can sort between them in a listing.
  const base = uniqueName('parity');
  const one = (bin: string): [Result[], string] => {
    const ns = `${base}${bin === OURS ? 'o' : 'r'}`;
    ctr(d, 'default', 'namespaces', 'create', ns);
    try {
      c.setup?.(d, ns);
      const globals = c.globals ? c.globals(d, ns) : ['-a', d.address, '-n', ns];
      const steps = [c.args(ns), ...(c.then?.(ns) ?? [])];
      return [steps.map((args, i) => run(bin, [...globals, ...args], {
        input: i === 0 ? (typeof c.input === 'function' ? c.input(ns) : c.input) : undefined, stdinFile: i === 0 ? c.stdinFile : undefined, env: c.env?.(ns),
      })), ns];
    } finally {
      purgeNamespace(d, ns);
    }
  };
  const [ref, nsRef] = one(d.reference);
  const [ours, nsOurs] = one(OURS);
  const steps = [c.args('<NS>'), ...(c.then?.('<NS>') ?? [])];
  steps.forEach((args, i) => {
    const label = `ctr ${args.join(' ')}`;
    const [r, o] = [ref[i]!, ours[i]!];
    assert.equal(o.code, r.code, `${label}: exit code (stderr ours: ${o.stderr}; ctr: ${r.stderr})`);
    assert.deepEqual(
      errorLines(normalize(o.stderr, nsOurs, c.normalize)),
      errorLines(normalize(r.stderr, nsRef, c.normalize)),
      `${label}: stderr ctr: lines`,
    );
    if (!c.ignoreStdout) {
      assert.equal(normalize(o.stdout, nsOurs, c.normalize), normalize(r.stdout, nsRef, c.normalize), `${label}: stdout`);
    }
  });
  return { ref, ours, nsRef, nsOurs };
}
