// ctr's progress display pieces; expected bytes are those the real ctr 1.6 printed.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countLines, progressBar, ProgressWriter, renderStatuses } from '../../src/format/progress.js';

const FULL = '|\x1b[32m++++++++++++++++++++++++++++++++++++++\x1b[0m|';

describe('progress', () => {
  it('draws 40-column bars with colour codes', () => {
    assert.equal(progressBar(1), FULL);
    assert.equal(progressBar(0), `|\x1b[32m\x1b[0m${'-'.repeat(38)}|`);
    assert.equal(progressBar(0.5), `|\x1b[32m${'+'.repeat(19)}\x1b[0m${'-'.repeat(19)}|`);
    assert.equal(progressBar(2), FULL);
  });
  it('renders a frame like ctr', () => {
    const now = Date.now();
    const frame = renderStatuses([
      { ref: '127.0.0.1:5000/testbed/busybox:oci', status: 'resolved', offset: 0, total: 0 },
      { ref: 'manifest-sha256:9cff1e0d7980782bb312cc10bb5690c6477d98f286bfc4ae65918408235fb7bf', status: 'done', offset: 0, total: 0 },
      { ref: 'layer-sha256:d73b86da431264c118fd712b05cab28266ced2d7af24d2c4c68c2da1fd806bb5', status: 'done', offset: 0, total: 0 },
    ], now - 100, now);
    assert.equal(frame, [
      `127.0.0.1:5000/testbed/busybox:oci:                                               resolved       ${FULL} `,
      `manifest-sha256:9cff1e0d7980782bb312cc10bb5690c6477d98f286bfc4ae65918408235fb7bf: done           ${FULL} `,
      `layer-sha256:d73b86da431264c118fd712b05cab28266ced2d7af24d2c4c68c2da1fd806bb5:    done           ${FULL} `,
      'elapsed: 0.1 s                                                                    total:   0.0 B (0.0 B/s)                                         ',
      '',
    ].join('\n'));
  });
  it('shows downloads with sizes cut to 8 and totals cut to 6', () => {
    const now = Date.now();
    const frame = renderStatuses([{ ref: 'layer-sha256:aa', status: 'downloading', offset: 1000000, total: 1052056 }], now - 2000, now);
    assert.equal(frame, [
      'layer-sha256:aa: downloading    |\x1b[32m++++++++++++++++++++++++++++++++++++\x1b[0m--| 976.6 Ki/1.0 MiB ',
      'elapsed: 2.0 s   total:  976.6  (488.3 KiB/s)                                     ',
      '',
    ].join('\n'));
  });
  it('counts wrapped lines without colour codes', () => {
    assert.equal(countLines(`${"x".repeat(50)}\n${FULL}\n`, 40), 3);
    assert.equal(countLines('a\nb\n', 0), 0);
  });
  it('erases the previous frame before redrawing', () => {
    const chunks: string[] = [];
    const w = new ProgressWriter({ write: (s) => chunks.push(String(s)) }, () => 80);
    w.write('one\ntwo\n');
    w.flush();
    w.write('three\n');
    w.flush();
    assert.deepEqual(chunks, ['one\ntwo\n', '\x1b[1A\x1b[2K\r\x1b[1A\x1b[2K\rthree\n']);
    const piled: string[] = [];
    const p = new ProgressWriter({ write: (s) => piled.push(String(s)) }, () => 0);
    p.write('a\n');
    p.flush();
    p.write('b\n');
    p.flush();
    assert.deepEqual(piled, ['a\n', 'b\n']);
  });
});
