// A foreground `run` (no terminal) forwards the signals it gets to the task, as ctr
// does: the container's traps see them, and the CLI's exit status is the task's. The
// same scenario runs with the real ctr as the reference.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ctr, daemon, OURS, purgeNamespace, skipReason, uniqueName } from '../parity/harness.js';

const d = daemon();
const IMG = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';

const SCRIPT = [
  'trap "echo got-USR1" USR1',
  'trap "echo got-HUP" HUP',
  'trap "echo got-INT" INT',
  'trap "echo got-TERM; exit 9" TERM',
  'echo ready',
  'while true; do sleep 0.1; done',
].join('; ');

interface Outcome { stdout: string; code: number | null; signal: NodeJS.Signals | null }

async function scenario(bin: string, ns: string, id: string): Promise<Outcome> {
  const p = spawn(bin, ['-a', d!.address, '-n', ns, 'run', '--rm', IMG, id, 'sh', '-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  p.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  const exited = new Promise<Outcome>((resolve) => p.on('exit', (code, signal) => resolve({ stdout, code, signal })));
  const waitFor = async (text: string) => {
    for (let i = 0; i < 200 && !stdout.includes(text); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(stdout.includes(text), `${bin}: no "${text}" in ${JSON.stringify(stdout)}`);
  };
  try {
    await waitFor('ready');
    // The task may print before the CLI has its handlers in place (ctr's race too).
    await new Promise((r) => setTimeout(r, 500));
    for (const [sig, text] of [['SIGUSR1', 'got-USR1'], ['SIGHUP', 'got-HUP'], ['SIGINT', 'got-INT']] as const) {
      p.kill(sig);
      await waitFor(text);
    }
    p.kill('SIGTERM');
    const out = await exited;
    return { ...out, stdout: out.stdout };
  } finally {
    p.kill('SIGKILL');
  }
}

describe('run forwards signals', { skip: d ? false : skipReason }, () => {
  let ns = '';
  before(() => {
    ns = uniqueName('run-sig');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    const r = ctr(d!, ns, 'images', 'pull', '--plain-http', IMG);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => purgeNamespace(d!, ns));

  test('USR1, HUP, INT and TERM reach the container; the exit status is the task\'s', async () => {
    const ref = await scenario(d!.reference, ns, 'sig-ref');
    const ours = await scenario(OURS, ns, 'sig-ours');
    assert.deepEqual(ref, { stdout: 'ready\ngot-USR1\ngot-HUP\ngot-INT\ngot-TERM\n', code: 9, signal: null });
    assert.deepEqual(ours, ref);
    // --rm removed both containers.
    assert.equal(ctr(d!, ns, 'containers', 'ls', '-q').stdout, '');
  });

  test('a stdout whose reader went away: the SIGPIPE goes to the task, not the CLI', async () => {
    const piped = (bin: string, id: string) => new Promise<{ code: number | null; signal: string | null; first: string }>((resolve, reject) => {
      const script = 'trap "exit 7" PIPE; echo one; sleep 0.5; while true; do echo x; done';
      const p = spawn(bin, ['-a', d!.address, '-n', ns, 'run', '--rm', IMG, id, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
      // `| head -1`: the first chunk is read, then the reader is gone.
      p.stdout.once('data', (b: Buffer) => {
        p.stdout.destroy();
        p.once('exit', (code, signal) => resolve({ code, signal, first: b.toString().split('\n')[0]! }));
      });
      p.once('error', reject);
      setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`${bin}: still running after 30 s`)); }, 30_000).unref();
    });
    const ref = await piped(d!.reference, 'pipe-ref');
    assert.deepEqual(ref, { code: 7, signal: null, first: 'one' });
    assert.deepEqual(await piped(OURS, 'pipe-ours'), ref);
    assert.equal(ctr(d!, ns, 'containers', 'ls', '-q').stdout, '');
  });

  test('once the reader is gone the output FIFO is closed: a task that ignores SIGPIPE blocks, it does not spin', async () => {
    // `yes` as the container's pid 1 ignores the forwarded SIGPIPE. ctr's copy ends at
    // the failed write and closes the FIFO; the shim's own reader keeps its writes from
    // failing, so they fill the FIFO and the task waits. A copy that went on reading
    // would keep the task (and the CLI) busy for ever.
    const blocked = async (bin: string, id: string) => {
      const p = spawn(bin, ['-a', d!.address, '-n', ns, 'run', '--rm', IMG, id, 'sh', '-c', 'echo one; sleep 0.5; exec yes x'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
      try {
        await new Promise<void>((resolve) => p.stdout.once('data', () => { p.stdout.destroy(); resolve(); }));
        await new Promise((r) => setTimeout(r, 1500));
        const row = ctr(d!, ns, 'tasks', 'ls').stdout.split('\n').find((l) => l.startsWith(`${id} `));
        assert.ok(row, `${bin}: no task ${id}`);
        const pid = row.split(/\s+/)[1]!;
        const cpuTicks = () => {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(f[11]) + Number(f[12]);
        };
        const before = cpuTicks();
        await new Promise((r) => setTimeout(r, 1000));
        const used = cpuTicks() - before;
        assert.equal(p.exitCode, null, `${bin}: the CLI is still there, waiting for the task`);
        assert.ok(used <= 10, `${bin}: the task used ${used} ticks of CPU in 1 s after its reader went away`);
        ctr(d!, ns, 'tasks', 'kill', '-s', 'KILL', id);
        return await exited;
      } finally {
        p.kill('SIGKILL');
      }
    };
    assert.equal(await blocked(d!.reference, 'block-ref'), 137);
    assert.equal(await blocked(OURS, 'block-ours'), 137);
    assert.equal(ctr(d!, ns, 'containers', 'ls', '-q').stdout, '');
  });
});
