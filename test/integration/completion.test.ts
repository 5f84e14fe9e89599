// Shell completion, driven for real: bash with bash-completion loaded, fish's
// `complete -C`, and zsh in a tmux pane pressing Tab. Live values come from the test
// bed daemon; a dead socket must give the static words quickly and silently.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ctr, daemon, OURS, uniqueName } from '../parity/harness.js';

const d = daemon();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

// A PATH on which `ctr` is ours, as it is for a user who installed the package.
const binDir = mkdtempSync(join(tmpdir(), 'ctr-ts-bin-'));
symlinkSync(OURS, join(binDir, 'ctr'));
const PATH = `${binDir}:${process.env.PATH}`;
after(() => rmSync(binDir, { recursive: true, force: true }));

function bashComplete(words: string[]): { reply: string[]; stderr: string } {
  const script = `
    source /usr/share/bash-completion/bash_completion
    source ${ROOT}/completions/ctr.bash
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
    COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
    $(complete -p ctr | sed -E 's/.*-F ([^ ]+).*/\\1/')
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH } });
  return { reply: r.stdout.split('\n').filter(Boolean), stderr: r.stderr };
}

function fishComplete(line: string): string[] {
  const r = spawnSync('fish', ['--no-config', '-c', `source ${ROOT}/completions/ctr.fish; complete -C '${line}'`], {
    encoding: 'utf8', env: { ...process.env, PATH },
  });
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion scripts', () => {
  test('ctr completion prints each script', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = spawnSync(OURS, ['completion', shell], { encoding: 'utf8' });
      assert.equal(r.status, 0);
      assert.match(r.stdout, /__complete/);
    }
    const bad = spawnSync(OURS, ['completion', 'tcsh'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'ctr: unsupported shell "tcsh": use one of bash, zsh, fish\n');
  });

  test('bash: groups, aliases, verbs and flags', { skip: !existsSync('/usr/share/bash-completion/bash_completion') && 'bash-completion missing' }, () => {
    assert.deepEqual(bashComplete(['ctr', 'na']).reply, ['namespaces', 'namespace']);
    assert.deepEqual(bashComplete(['ctr', 'ns', '']).reply, ['create', 'c', 'list', 'ls', 'remove', 'rm', 'label']);
    assert.deepEqual(bashComplete(['ctr', 'ns', 'ls', '-']).reply, ['--quiet', '-q', '--format']);
    assert.ok(bashComplete(['ctr', 't', 'kill', '-s', 'SIGU']).reply.includes('SIGUSR1'));
  });

  test('fish: descriptions and verbs', { skip: !has('fish') && 'fish missing' }, () => {
    const out = fishComplete('ctr ns ');
    assert.ok(out.includes('create\tcreate a new namespace'), out.join('|'));
    assert.ok(fishComplete('ctr i').some((l) => l.startsWith('images\t')));
  });

  // How fast (300 ms live, a second against a dead socket) is measured by `npm run bench completion`.
  test('a dead socket gives the static words, silently', () => {
    const r = spawnSync(OURS, ['__complete', 'bash', '-a', '/tmp/ctr-ts-no-such.sock', 'ns', 'rm', ''], { encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, ':0\n');
    const flags = bashComplete(['ctr', '-a', '/tmp/ctr-ts-no-such.sock', 'ns', 'rm', '-']);
    assert.deepEqual(flags.reply, ['--cgroup', '-c']);
    assert.equal(flags.stderr, '');
  });
});

describe('completion with a live daemon', { skip: d ? false : 'no test bed' }, () => {
  const ns = uniqueName('complete');
  before(() => {
    ctr(d!, 'default', 'namespaces', 'create', ns);
    ctr(d!, ns, 'leases', 'create', '--id', 'lease-one');
    ctr(d!, ns, 'leases', 'create', '--id', 'lease-two');
    ctr(d!, 'default', 'namespaces', 'create', `${ns}-other`);
  });
  after(() => {
    ctr(d!, ns, 'leases', 'rm', 'lease-one', 'lease-two');
    ctr(d!, 'default', 'namespaces', 'rm', ns, `${ns}-other`);
  });

  test('bash: namespaces for -n and lease IDs honour -a and -n typed earlier', () => {
    const nss = bashComplete(['ctr', '-a', d!.address, '-n', ns.slice(0, -2)]).reply;
    assert.deepEqual(nss, [ns, `${ns}-other`]);
    assert.deepEqual(bashComplete(['ctr', '-a', d!.address, '-n', ns, 'leases', 'rm', 'lease-']).reply, ['lease-one', 'lease-two']);
    // Already named ones are not offered again.
    assert.deepEqual(bashComplete(['ctr', '-a', d!.address, '-n', ns, 'leases', 'rm', 'lease-one', '']).reply, ['lease-two']);
    // Another namespace has none.
    assert.deepEqual(bashComplete(['ctr', '-a', d!.address, '-n', `${ns}-other`, 'leases', 'rm', '']).reply, []);
  });

  test('fish: namespaces from the daemon', { skip: !has('fish') && 'fish missing' }, () => {
    assert.ok(fishComplete(`ctr -a ${d!.address} namespaces rm ${ns}`).includes(ns));
  });

  test('zsh: Tab in a real terminal completes groups', { skip: !(has('zsh') && has('tmux')) && 'zsh or tmux missing' }, async () => {
    const session = uniqueName('ctrzsh');
    const tmux = (...a: string[]) => spawnSync('tmux', a, { encoding: 'utf8', env: { ...process.env, PATH } });
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '20', 'zsh -f');
    try {
      tmux('send-keys', '-t', session, `PATH=${PATH}; autoload -U compinit; compinit -u; source ${ROOT}/completions/ctr.zsh; clear`, 'Enter');
      await new Promise((r) => setTimeout(r, 1000));
      tmux('send-keys', '-t', session, 'ctr leas', 'Tab');
      let screen = '';
      for (let i = 0; i < 50 && !/ctr leases/.test(screen); i++) {
        await new Promise((r) => setTimeout(r, 200));
        screen = tmux('capture-pane', '-p', '-t', session).stdout;
      }
      assert.match(screen, /ctr leases/);
    } finally {
      tmux('kill-session', '-t', session);
    }
  });
});
