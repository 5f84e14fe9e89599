// Progress spinners (a ctr-ts extension) on images import/export, images rm --sync and
// content prune references: drawn on stderr only when it is a terminal, cleared before
// anything else reaches the terminal and however the command ends; with stderr a file
// or a pipe, both streams are byte for byte what ctr writes.
// The terminal is a real pty from script(1); what it finally shows is worked out from the
// bytes by a small emulator of the few control sequences involved.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctr, daemon, OURS, purgeNamespace, run, uniqueName, type Daemon } from '../parity/harness.js';

const d = daemon();
const OCI = d?.env.CTR_TESTBED_IMAGE_OCI ?? '127.0.0.1:5000/testbed/busybox:oci';
const hasScript = run('sh', ['-c', 'command -v script']).code === 0;

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs a shell command on a fresh 120x50 pty (stdin, stdout, stderr all the terminal unless redirected); the bytes it shows. */
function inTerminal(command: string): string {
  // bash whatever $SHELL says (CI may have none): sh reports a job killed by a signal ("Terminated").
  const r = run('script', ['-q', '-e', '-c', `stty cols 120 rows 50; ${command}`, '/dev/null'],
    { env: { TERM: 'xterm-256color', SHELL: '/bin/bash' } });
  return r.stdout;
}

/** What a terminal shows after `raw`: text, CR/LF, cursor column and up moves, line erases; other sequences ignored. */
function screen(raw: string): string {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\x1b') {
      const m = /^\x1b\[([?\d;]*)([A-Za-z])/.exec(raw.slice(i, i + 16));
      if (!m) continue;
      i += m[0].length - 1;
      const n = Number(m[1]!.replace('?', '') || '0');
      if (m[2] === 'G') col = Math.max(0, (n || 1) - 1);
      else if (m[2] === 'A') row = Math.max(0, row - (n || 1));
      else if (m[2] === 'K' && !m[1]!.startsWith('?')) {
        if (n === 0) lines[row]!.length = Math.min(lines[row]!.length, col);
        else lines[row] = [];
      }
      continue;
    }
    if (c === '\r') col = 0;
    else if (c === '\n') {
      row++;
      lines[row] ??= [];
    } else {
      const line = lines[row]!;
      while (line.length < col) line.push(' ');
      line[col++] = c;
    }
  }
  return lines.map((l) => l.join('').trimEnd()).join('\n').trimEnd();
}

const SPINNER_FRAME = /\x1b\[1G(?:\x1b\[0K)?(?:\x1b\[\d+m)?[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?:\x1b\[\d+m)? ([^\x1b]*)/g;
/** The texts of the spinner frames drawn in `raw`. */
const frames = (raw: string) => [...raw.matchAll(SPINNER_FRAME)].map((m) => m[1]!);

/** Log lines carry the time (seconds since start on a terminal); runs differ there only. */
const untimed = (s: string) => s.replace(/time="[^"]+"/g, 'time="<T>"').replace(/\b(WARN|ERRO|INFO|DEBU)(\x1b\[0m)?\[\d{4}\]/g, '$1$2[<T>]');

describe('progress', { skip: !d ? 'no test bed' : !hasScript ? 'no script(1)' : false }, () => {
  let dir: string;
  let archive: string;
  const namespaces: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctr-progress-'));
    archive = join(dir, 'busybox.tar');
    const ns = uniqueName('progress-src');
    namespaces.push(ns);
    ctr(d!, 'default', 'namespaces', 'create', ns);
    assert.equal(ctr(d!, ns, 'images', 'pull', '--plain-http', OCI).code, 0);
    assert.equal(ctr(d!, ns, 'images', 'export', archive, OCI).code, 0);
    writeFileSync(join(dir, 'garbage.tar'), Buffer.alloc(4096, 'x'));
  });

  after(() => {
    for (const ns of namespaces) purgeNamespace(d!, ns);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A namespace of its own for one binary's run, set up with the real ctr. */
  function namespace(setup?: (dd: Daemon, ns: string) => void): string {
    const ns = uniqueName('progress');
    namespaces.push(ns);
    ctr(d!, 'default', 'namespaces', 'create', ns);
    setup?.(d!, ns);
    return ns;
  }

  const withImage = (_: Daemon, ns: string) => {
    assert.equal(ctr(d!, ns, 'images', 'import', archive).code, 0);
    assert.equal(ctr(d!, ns, 'images', 'tag', OCI, 'bb:two').code, 0);
  };

  /** The same command line through ours and ctr, each on its own terminal. */
  function both(args: (ns: string) => string[], setup?: (dd: Daemon, ns: string) => void) {
    const line = (bin: string, ns: string) => [bin, '-a', d!.address, '-n', ns, ...args(ns)].map(quote).join(' ');
    const nsOurs = namespace(setup);
    const nsRef = namespace(setup);
    const ours = inTerminal(`${line(OURS, nsOurs)}; echo "exit=$?"`).replaceAll(nsOurs, '<NS>');
    const ref = inTerminal(`${line(d!.reference, nsRef)}; echo "exit=$?"`).replaceAll(nsRef, '<NS>');
    return { ours, ref, nsOurs, nsRef };
  }

  function assertSpinnerThenCtr(ours: string, ref: string, text: RegExp): void {
    const drawn = frames(ours);
    assert.ok(drawn.some((t) => text.test(t)), `spinner text ${text} drawn; frames: ${JSON.stringify(drawn.slice(0, 5))}`);
    // The spinner is gone: the terminal shows what ctr's shows.
    assert.equal(untimed(screen(ours)), untimed(screen(ref)));
    assert.equal(frames(ref).length, 0);
  }

  test('images import: bytes and blobs, then ctr\'s unpack lines', () => {
    const { ours, ref } = both(() => ['images', 'import', '--base-name', 'bb', archive]);
    assertSpinnerThenCtr(ours, ref, /^importing: \d+ blobs?, [\d.]+ [KM]?i?B of [\d.]+ [KM]?i?B \(\d+%\)/);
    // The archive names its image in full (ctr's export does), so the base name is not used.
    assert.equal(screen(ours).replace(/sha256:[0-9a-f]{64}/, '<D>'), `unpacking ${OCI} (<D>)...done\nexit=0`);
  });

  test('images export: bytes written; the archive is ctr\'s', () => {
    const { ours, ref, nsOurs, nsRef } = both((ns) => ['images', 'export', join(dir, `${ns}.tar`), 'bb:two'], withImage);
    // A small image may be written before the first redraw shows a count.
    assertSpinnerThenCtr(ours, ref, /^exporting(…|: [\d.]+ [KM]?i?B written)$/);
    assert.equal(screen(ours), 'exit=0');
    assert.ok(readFileSync(join(dir, `${nsOurs}.tar`)).equals(readFileSync(join(dir, `${nsRef}.tar`))));
  });

  test('images rm --sync: the refs and the warning for a missing one appear, the spinner does not stay', () => {
    const { ours, ref } = both(() => ['images', 'rm', '--sync', OCI, 'nope:1', 'bb:two'], withImage);
    assertSpinnerThenCtr(ours, ref, /^removing (images|.*\(\d\/3\)|.*collecting garbage)…$/);
    // logrus's terminal form, as ctr's on a terminal.
    assert.equal(untimed(screen(ours)), `${OCI}\nWARN[<T>] nope:1: image not found\nbb:two\nexit=0`);
  });

  test('content prune references', () => {
    const { ours, ref } = both(() => ['content', 'prune', 'references'], withImage);
    assertSpinnerThenCtr(ours, ref, /^pruning/);
    assert.equal(screen(ours), 'exit=0');
  });

  test('an error: the spinner is cleared before the ctr: line', () => {
    const { ours, ref } = both(() => ['images', 'import', join(dir, 'garbage.tar')]);
    assertSpinnerThenCtr(ours, ref, /^importing/);
    assert.match(screen(ours), /^ctr: .+\nexit=1$/);
    // Nothing of the spinner follows the error line.
    const tail = ours.slice(ours.indexOf('ctr: '));
    assert.equal(frames(tail).length, 0);
  });

  test('a signal: the spinner is cleared and the signal still ends the process', () => {
    // Half an archive on stdin, then nothing: import waits, spinning, until SIGTERM.
    const half = Math.floor(readFileSync(archive).length / 2);
    const ns = namespace();
    const cmd = `(head -c ${half} ${quote(archive)}; sleep 20) | ${[OURS, '-a', d!.address, '-n', ns, 'images', 'import', '-'].map(quote).join(' ')} & `
      + 'p=$!; sleep 2; kill -TERM $p; wait $p; echo "exit=$?"';
    const raw = inTerminal(cmd);
    assert.ok(frames(raw).some((t) => t.startsWith('importing: ')), JSON.stringify(raw.slice(0, 300)));
    assert.equal(screen(raw), 'exit=143');
    assert.ok(raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'), 'the cursor is shown again');
  });

  describe('when stderr is not a terminal', () => {
    // stdout on a terminal, stderr into a file: stdout shows and stderr holds ctr's bytes exactly.
    const cases: Record<string, { args: (ns: string, dir: string) => string[]; image?: boolean }> = {
      'images import': { args: () => ['images', 'import', '--base-name', 'bb', archive] },
      'images export': { args: (ns) => ['images', 'export', join(dir, `${ns}.tar`), OCI], image: true },
      'images rm --sync': { args: () => ['images', 'rm', '--sync', OCI, 'nope:1'], image: true },
      'content prune references': { args: () => ['content', 'prune', 'references'], image: true },
      'images import error': { args: () => ['images', 'import', join(dir, 'missing.tar')] },
    };

    for (const [name, c] of Object.entries(cases)) {
      test(name, () => {
        const one = (bin: string) => {
          const ns = uniqueName('progress');
          namespaces.push(ns);
          ctr(d!, 'default', 'namespaces', 'create', ns);
          if (c.image) assert.equal(ctr(d!, ns, 'images', 'import', archive).code, 0);
          const errFile = join(dir, `${ns}.err`);
          const line = [bin, '-a', d!.address, '-n', ns, ...c.args(ns, dir)].map(quote).join(' ');
          const shown = inTerminal(`${line} 2>${quote(errFile)}; echo "exit=$?"`);
          // And with neither stream a terminal.
          const piped = run(bin, ['-a', d!.address, '-n', ns, ...c.args(ns, dir).map((a) => a.replace(ns, `${ns}-2`))]);
          return { shown: shown.replaceAll(ns, '<NS>'), err: readFileSync(errFile, 'utf8').replaceAll(ns, '<NS>'), piped };
        };
        const ours = one(OURS);
        const ref = one(d!.reference);
        assert.equal(ours.shown, ref.shown, 'the terminal gets the same bytes, no control sequence');
        assert.equal(untimed(ours.err), untimed(ref.err), 'stderr file');
        assert.doesNotMatch(ours.err, /\x1b/);
        assert.equal(ours.piped.stdout, ref.piped.stdout);
        assert.equal(untimed(ours.piped.stderr), untimed(ref.piped.stderr));
        assert.equal(ours.piped.code, ref.piped.code);
      });
    }
  });
});
