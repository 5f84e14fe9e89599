// moby/sys/signal.ParseSignal as ctr's `tasks kill -s` uses it (Linux numbers).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from '../../src/tasks/signal.js';

test('names, with or without SIG, any case', () => {
  assert.equal(parseSignal('SIGKILL'), 9);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('sigusr1'), 10);
  assert.equal(parseSignal('Term'), 15);
  assert.equal(parseSignal('CLD'), 17);
  assert.equal(parseSignal('POLL'), 29);
  assert.equal(parseSignal('SIGRTMIN'), 34);
  assert.equal(parseSignal('RTMIN+3'), 37);
  assert.equal(parseSignal('rtmax-1'), 63);
  assert.equal(parseSignal('SIGRTMAX'), 64);
});

test('numbers as strconv.Atoi reads them', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('+15'), 15);
  assert.equal(parseSignal('077'), 77);
  assert.equal(parseSignal('200'), 200);
  // syscall.Signal(-1) sent as uint32
  assert.equal(parseSignal('-1'), 4294967295);
});

test('refusals', () => {
  for (const bad of ['0', '-0', 'FOO', 'SIG', '', '0x9', '1_0', 'RTMIN+16', 'SIGSIGKILL', '99999999999999999999', 'constructor', '9 ']) {
    assert.throws(() => parseSignal(bad), { message: `invalid signal: ${bad}` }, bad);
  }
});
