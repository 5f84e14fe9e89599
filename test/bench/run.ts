// `npm run bench [group…]`: start-up and per-area benchmarks, ours against the real ctr
// in the same run. Groups register themselves in GROUPS; with no argument all run.

import { daemon } from '../parity/harness.js';
import { measure, report } from './lib.js';
import { OURS, purgeNamespace, uniqueName, ctr } from '../parity/harness.js';
import { ensureBenchImage, type BenchImage } from './image.js';
import { CLEAN_ENV, exportGroup, importGroup, pullGroup, type TransferBench } from './transfer.js';

const d = daemon();
if (!d) {
  console.error('bench: no containerd test bed; run `scripts/testbed.sh up` first');
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS ?? 30);
// Image transfers take seconds per run: fewer runs unless BENCH_RUNS says otherwise.
const transferRuns = Number(process.env.BENCH_RUNS ?? 7);

let benchImage: Promise<BenchImage> | undefined;
async function transfer(): Promise<TransferBench> {
  const registry = d!.env.CTR_TESTBED_REGISTRY;
  if (!registry) throw new Error('bench: the test bed names no registry (CTR_TESTBED_REGISTRY)');
  benchImage ??= ensureBenchImage(registry);
  return { d: d!, runs: transferRuns, image: await benchImage };
}

const GROUPS: Record<string, () => boolean | Promise<boolean>> = {
  startup() {
    const ns = uniqueName('bench');
    ctr(d, 'default', 'namespaces', 'create', ns);
    try {
      const args = ['-a', d.address, '-n', ns];
      const ms = measure([
        { name: 'ours: ns ls', argv: [OURS, ...args, 'namespaces', 'ls'] },
        { name: 'ctr: ns ls', argv: [d.reference, ...args, 'namespaces', 'ls'] },
        { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
        { name: 'ours: version', argv: [OURS, ...args, 'version'] },
        { name: 'ctr: version', argv: [d.reference, ...args, 'version'] },
      ], runs);
      return report('start-up', ms, [
        ['ours: ns ls', 'node -e 0', 1.5],
        ['ours: ns ls', 'ctr: ns ls'],
        ['ours: version', 'ctr: version'],
      ]);
    } finally {
      ctr(d, 'default', 'namespaces', 'rm', ns);
    }
  },
  completion() {
    const ns = uniqueName('bench');
    ctr(d, 'default', 'namespaces', 'create', ns);
    ctr(d, ns, 'leases', 'create', '--id', 'bench-lease');
    try {
      const ms = measure([
        { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
        { name: 'complete: live leases', argv: [OURS, '__complete', 'bash', '-a', d.address, '-n', ns, 'leases', 'rm', ''] },
        { name: 'complete: dead socket', argv: [OURS, '__complete', 'bash', '-a', '/tmp/ctr-ts-no-such.sock', 'leases', 'rm', ''] },
        { name: 'complete: static', argv: [OURS, '__complete', 'bash', 'leases', ''] },
      ], Math.min(runs, 15));
      const base = ms[0]!.medianMs;
      const extra = (name: string) => ms.find((m) => m.name === name)!.medianMs - base;
      const live = extra('complete: live leases');
      const dead = extra('complete: dead socket');
      report('completion', ms, []);
      console.log(`beyond node's own start: live ${live.toFixed(0)} ms (target < 300), dead socket ${dead.toFixed(0)} ms (target < 1000)`);
      return live < 300 && dead < 1000;
    } finally {
      ctr(d, ns, 'leases', 'rm', 'bench-lease');
      ctr(d, 'default', 'namespaces', 'rm', ns);
    }
  },
  pull: async () => pullGroup(await transfer()),
  import: async () => importGroup(await transfer()),
  export: async () => exportGroup(await transfer()),
  run() {
    const image = d.env.CTR_TESTBED_IMAGE_OCI;
    if (!image) throw new Error('bench: the test bed names no busybox image (CTR_TESTBED_IMAGE_OCI)');
    const ns = uniqueName('bench-run');
    ctr(d, 'default', 'namespaces', 'create', ns);
    try {
      const pulled = ctr(d, ns, 'images', 'pull', '--plain-http', image);
      if (pulled.code !== 0) throw new Error(`bench: ctr could not pull ${image}: ${pulled.stderr}`);
      const args = ['-a', d.address, '-n', ns, 'run', '--rm', image];
      const ms = measure([
        { name: 'ours: run --rm true', argv: [OURS, ...args, 'bench-ours', 'true'], env: CLEAN_ENV },
        { name: 'ctr: run --rm true', argv: [d.reference, ...args, 'bench-ctr', 'true'], env: CLEAN_ENV },
        // For the record: what the environment's NODE_EXTRA_CA_CERTS (if any) adds.
        { name: 'ours: run, env as is', argv: [OURS, ...args, 'bench-ours-env', 'true'] },
      ], Math.min(runs, 20));
      return report('run --rm <busybox> <id> true (ours without NODE_EXTRA_CA_CERTS)', ms, [
        ['ours: run --rm true', 'ctr: run --rm true', 1.3],
        ['ours: run, env as is', 'ctr: run --rm true'],
      ]);
    } finally {
      purgeNamespace(d, ns);
    }
  },
};

const wanted = process.argv.slice(2);
let ok = true;
for (const [name, fn] of Object.entries(GROUPS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  ok = (await fn()) && ok;
}
console.log(`\nNODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'is set (it slows every node start, baseline included)' : 'is not set'}`);
process.exitCode = ok ? 0 : 1;
