import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TabWriter,
  formatTable,
  AlignRight,
  Debug,
  DiscardEmptyColumns,
  TabIndent,
} from '../../src/format/tabwriter.js';

interface Fixture {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  flags: number;
  writes: string[];
  emitted: string[];
  flushed: string;
}

// Produced by Go 1.19's text/tabwriter: the output of each Write call and of Flush.
const fixtures: Fixture[] = JSON.parse(
  readFileSync(new URL('./fixtures/format-tabwriter.json', import.meta.url), 'utf8'),
);

test('matches Go text/tabwriter on every recorded input, write by write', () => {
  assert.ok(fixtures.length > 500);
  for (const [i, f] of fixtures.entries()) {
    const chunks: string[] = [];
    let current = '';
    const w = new TabWriter(f.minwidth, f.tabwidth, f.padding, f.padchar, f.flags, (s) => {
      current += s;
    });
    for (const s of f.writes) {
      w.write(s);
      chunks.push(current);
      current = '';
    }
    w.flush();
    const label = `case ${i}: ${JSON.stringify(f.writes.join(''))} cfg ${f.minwidth},${f.tabwidth},${f.padding},${JSON.stringify(f.padchar)},${f.flags}`;
    assert.deepEqual(chunks, f.emitted, label);
    assert.equal(current, f.flushed, label);
  }
});

test('flush() without a sink returns everything since the previous flush', () => {
  for (const f of fixtures.slice(0, 200)) {
    const w = new TabWriter(f.minwidth, f.tabwidth, f.padding, f.padchar, f.flags);
    for (const s of f.writes) w.write(s);
    assert.equal(w.flush(), f.emitted.join('') + f.flushed);
    assert.equal(w.flush(), '');
  }
});

test('ctr table layouts', () => {
  // images ls style: every cell tab-terminated
  assert.equal(
    formatTable(['REF\tTYPE\tSIZE\t', 'docker.io/library/busybox:latest\tapplication/vnd\t2.1 MiB\t'], {
      minwidth: 1,
      tabwidth: 8,
      padding: 1,
      padchar: ' ',
    }),
    'REF                              TYPE            SIZE    \n' +
      'docker.io/library/busybox:latest application/vnd 2.1 MiB \n',
  );
  // tasks ls style: header ends in a tab, rows do not
  assert.equal(
    formatTable(['TASK\tPID\tSTATUS\t', 'redis\t1234\tRUNNING', 'x\t1\tSTOPPED'], {
      minwidth: 4,
      tabwidth: 8,
      padding: 4,
      padchar: ' ',
    }),
    'TASK     PID     STATUS    \nredis    1234    RUNNING\nx        1       STOPPED\n',
  );
  // content ls style: real tabs to 8-column stops
  assert.equal(
    formatTable(['DIGEST\tSIZE\tAGE\tLABELS', 'sha256:0123456789abcdef\t1.2kB\t3 days\t'], {
      minwidth: 1,
      tabwidth: 8,
      padding: 1,
      padchar: '\t',
    }),
    'DIGEST\t\t\tSIZE\tAGE\tLABELS\nsha256:0123456789abcdef\t1.2kB\t3 days\t\n',
  );
});

test('widths count code points, not UTF-16 units', () => {
  assert.equal(
    formatTable(['🙂🙂\tx', 'abc\ty'], { minwidth: 1, tabwidth: 8, padding: 1, padchar: ' ' }),
    '🙂🙂  x\nabc y\n',
  );
  // a surrogate pair split across writes still counts once
  const w = new TabWriter(1, 8, 1, ' ');
  w.write('\ud83d').write('\ude42\tx\nab\ty\n');
  assert.equal(w.flush(), '🙂  x\nab y\n');
});

test('a line with fewer cells ends the column block', () => {
  assert.equal(
    formatTable(['a\tb', 'c', 'longer\td'], { minwidth: 1, tabwidth: 8, padding: 1, padchar: ' ' }),
    'a b\nc\nlonger d\n',
  );
});

test('flags', () => {
  const o = { minwidth: 0, tabwidth: 8, padding: 1, padchar: '.' };
  assert.equal(formatTable(['a\tbbb\t', 'cc\td\t'], { ...o, flags: AlignRight }), '..a.bbb\n.cc...d\n');
  assert.equal(formatTable(['a\tb\tc', 'aa\tb\tc'], { ...o, flags: Debug }), 'a..|b.|c\naa.|b.|c\n');
  assert.equal(formatTable(['a\v\vb', 'c\v\vd'], { ...o, flags: DiscardEmptyColumns }), 'a.b\nc.d\n');
  assert.equal(formatTable(['\tx\ty', '\tlong\tz'], { ...o, flags: TabIndent }), '\tx....y\n\tlong.z\n');
});

test('rejects invalid parameters like Go panics', () => {
  assert.throws(() => new TabWriter(-1, 8, 1, ' '));
  assert.throws(() => new TabWriter(1, 8, 1, 'ab'));
});
