// `run -t` in a real terminal (tmux): what is typed reaches the container's shell, its
// output comes back, Ctrl-C goes to the container (not to the CLI), the pty follows the
// window size, the exit status is the shell's, and the terminal's mode is the same
// afterwards; a SIGTERM to the CLI also leaves the terminal restored.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctr, daemon, OURS, purgeNamespace, skipReason, uniqueName } from '../parity/harness.js';

const d = daemon();
const IMG = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = !d ? skipReason : !hasTmux ? 'tmux is not installed (apt-get install tmux)' : false;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run -t in a terminal', { skip }, () => {
  let ns = '';
  let dir = '';
  const sessions: string[] = [];
  before(() => {
    ns = uniqueName('run-tty');
    ctr(d!, 'default', 'namespaces', 'create', ns);
    const r = ctr(d!, ns, 'images', 'pull', '--plain-http', IMG);
    assert.equal(r.code, 0, r.stderr);
    dir = mkdtempSync(join(tmpdir(), 'run-tty-'));
  });
  after(() => {
    for (const s of sessions) spawnSync('tmux', ['kill-session', '-t', s]);
    purgeNamespace(d!, ns);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts `run --rm -t … <id> sh` in a fresh tmux window; the script records stty and the exit status. */
  function start(id: string): { session: string; screen: () => string; waitFor: (t: string) => Promise<void> } {
    const session = uniqueName('tty');
    sessions.push(session);
    const script = join(dir, `${id}.sh`);
    writeFileSync(script, [
      `stty -g > ${dir}/${id}.before`,
      `${OURS} -a ${d!.address} -n ${ns} run --rm -t ${IMG} ${id} sh`,
      `echo $? > ${dir}/${id}.code`,
      `stty -g > ${dir}/${id}.after`,
      'sleep 600',
    ].join('\n'));
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `bash ${script}`);
    const screen = () => tmux('capture-pane', '-t', session, '-p');
    const waitFor = async (text: string) => {
      for (let i = 0; i < 300 && !screen().includes(text); i++) await delay(50);
      assert.ok(screen().includes(text), `"${text}" not on the screen:\n${screen()}`);
    };
    return { session, screen, waitFor };
  }

  const waitForFile = async (path: string) => {
    for (let i = 0; i < 300 && !existsSync(path); i++) await delay(50);
    assert.ok(existsSync(path), `${path} was not written`);
    await delay(100);
    return readFileSync(path, 'utf8').trim();
  };

  test('typing, output, Ctrl-C, resize, exit status, terminal restored', async () => {
    const { session, waitFor } = start('t1');
    await waitFor('/ #');
    tmux('send-keys', '-t', session, 'echo typed-$((40+2))', 'Enter');
    await waitFor('typed-42');
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await waitFor('24 80');
    tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
    await delay(300);
    tmux('send-keys', '-t', session, 'stty size', 'Enter');
    await waitFor('30 100');
    // Ctrl-C interrupts the container's foreground command, not the CLI.
    tmux('send-keys', '-t', session, 'sleep 100', 'Enter');
    await delay(300);
    tmux('send-keys', '-t', session, 'C-c');
    tmux('send-keys', '-t', session, 'echo after-$((6*7))-interrupt', 'Enter');
    await waitFor('after-42-interrupt');
    tmux('send-keys', '-t', session, 'exit 7', 'Enter');
    assert.equal(await waitForFile(join(dir, 't1.code')), '7');
    assert.equal(await waitForFile(join(dir, 't1.after')), await waitForFile(join(dir, 't1.before')));
    assert.equal(ctr(d!, ns, 'containers', 'ls', '-q').stdout, '');
  });

  test('SIGTERM to the CLI: it dies of it and the terminal is restored', async () => {
    const { session, waitFor } = start('t2');
    await waitFor('/ #');
    const pid = spawnSync('pgrep', ['-f', `${ns} run --rm -t ${IMG} t2`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
    assert.match(pid, /^\d+$/);
    process.kill(Number(pid), 'SIGTERM');
    assert.equal(await waitForFile(join(dir, 't2.code')), '143');
    assert.equal(await waitForFile(join(dir, 't2.after')), await waitForFile(join(dir, 't2.before')));
    void session;
  });
});
