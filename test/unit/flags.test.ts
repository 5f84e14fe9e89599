// The flag parser against behaviour observed with the real ctr (urfave/cli v1 over Go's
// flag package): reordering, stop rules, error texts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, reorderArgs, UsageError, type FlagSpec } from '../../src/cli/flags.js';

const specs: FlagSpec[] = [
  { name: 'quiet, q', kind: 'bool', usage: '' },
  { name: 'id', kind: 'string', usage: '' },
  { name: 'expires, x', kind: 'duration', usage: '', value: 24 * 3600e9 },
  { name: 'label', kind: 'stringSlice', usage: '' },
  { name: 'count', kind: 'int', usage: '' },
  { name: 'size', kind: 'uint64', usage: '' },
];

const usage = (argv: string[], message: string) =>
  assert.throws(() => parseFlags(specs, argv), (e: unknown) => e instanceof UsageError && e.message === message);

test('known flags after arguments move in front (ctr leases create z=1 --id x)', () => {
  const p = parseFlags(specs, ['z=1', '--id', 'x', '-x', '0']);
  assert.deepEqual(p.args, ['z=1']);
  assert.equal(p.values.id, 'x');
  assert.equal(p.values.expires, 0);
});

test('unknown flags after arguments stay arguments (ctr ns create t2 --foo)', () => {
  const p = parseFlags(specs, ['t2', '--foo']);
  assert.deepEqual(p.args, ['t2', '--foo']);
});

test('a bool flag takes the next word along when reordering, as urfave does', () => {
  assert.deepEqual(reorderArgs(specs, ['a', '-q', 'b', 'c']), ['-q', 'b', 'a', 'c']);
  const p = parseFlags(specs, ['a', '-q', 'b', 'c']);
  assert.deepEqual(p.args, ['b', 'a', 'c']);
  assert.equal(p.values.quiet, true);
});

test('"--" ends flags and is kept in front of the rest', () => {
  assert.deepEqual(reorderArgs(specs, ['a', '--', '-q']), ['--', 'a', '-q']);
  const p = parseFlags(specs, ['a', '--', '-q']);
  assert.deepEqual(p.args, ['a', '-q']);
  assert.equal(p.values.quiet, false);
});

test('skipArgReorder stops at the first argument', () => {
  const p = parseFlags(specs, ['img', '-q'], { skipArgReorder: true });
  assert.deepEqual(p.args, ['img', '-q']);
  assert.equal(p.values.quiet, false);
});

test('defaults, env and slices', () => {
  const p = parseFlags([...specs, { name: 'ns, n', kind: 'string', usage: '', value: 'default', envVar: 'NS' }],
    ['--label', 'a', '--label=b', '-count', '0x10'], { env: { NS: 'from-env' } });
  assert.equal(p.values.expires, 24 * 3600e9);
  assert.deepEqual(p.values.label, ['a', 'b']);
  assert.equal(p.values.count, 16);
  assert.equal(p.values.ns, 'from-env');
  assert.equal(p.values.quiet, false);
});

test("Go's error texts, as ctr prints them", () => {
  usage(['--foo'], 'flag provided but not defined: -foo');
  usage(['-q=x'], 'invalid boolean value "x" for -q: parse error');
  usage(['--expires', 'bad'], 'invalid value "bad" for flag -expires: parse error');
  usage(['--id'], 'flag needs an argument: -id');
  usage(['---q'], 'bad flag syntax: ---q');
  usage(['-=q'], 'bad flag syntax: -=q');
  usage(['--count', '99999999999999999999'], 'invalid value "99999999999999999999" for flag -count: value out of range');
  usage(['--size', '-1'], 'invalid value "-1" for flag -size: parse error');
  usage(['-q', '--quiet'], 'Cannot use two forms of the same flag: q quiet');
});

test('help flags', () => {
  assert.equal(parseFlags(specs, ['-h']).help, true);
  assert.equal(parseFlags(specs, ['x', '--help']).help, true);
});
