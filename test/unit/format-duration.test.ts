import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, humanDuration, parseDuration, parseGoDuration, DurationParseError } from '../../src/format/duration.js';

// Expected texts below were printed by Go 1.19 (time.Duration.String,
// time.ParseDuration, docker/go-units HumanDuration) for the same inputs.

// [nanoseconds, time.Duration(ns).String()]
const STRING: [string, string][] = [
  ["0", "0s"],
  ["1", "1ns"],
  ["2", "2ns"],
  ["999", "999ns"],
  ["1000", "1µs"],
  ["1001", "1.001µs"],
  ["1500", "1.5µs"],
  ["1999", "1.999µs"],
  ["999999", "999.999µs"],
  ["1000000", "1ms"],
  ["1000001", "1.000001ms"],
  ["3273438", "3.273438ms"],
  ["999999999", "999.999999ms"],
  ["1000000000", "1s"],
  ["1000000001", "1.000000001s"],
  ["1500000000", "1.5s"],
  ["59999999999", "59.999999999s"],
  ["60000000000", "1m0s"],
  ["62500000000", "1m2.5s"],
  ["3599999999999", "59m59.999999999s"],
  ["3600000000000", "1h0m0s"],
  ["7200000000000", "2h0m0s"],
  ["7261001000001", "2h1m1.001000001s"],
  ["360000000000000", "100h0m0s"],
  ["-1", "-1ns"],
  ["-1500", "-1.5µs"],
  ["-62500000000", "-1m2.5s"],
  ["-7200000000000", "-2h0m0s"],
  ["9223372036854775807", "2562047h47m16.854775807s"],
  ["-9223372036854775808", "-2562047h47m16.854775808s"],
  ["1000000000000000000", "277777h46m40s"],
];

// [nanoseconds, units.HumanDuration(ns)]
const HUMAN: [string, string][] = [
  ["-5000000000", "Less than a second"],
  ["0", "Less than a second"],
  ["999999999", "Less than a second"],
  ["1000000000", "1 second"],
  ["1999999999", "1 second"],
  ["2000000000", "2 seconds"],
  ["59999999999", "59 seconds"],
  ["60000000000", "About a minute"],
  ["119999999999", "About a minute"],
  ["120000000000", "2 minutes"],
  ["3599000000000", "59 minutes"],
  ["3600000000000", "About an hour"],
  ["5399000000000", "About an hour"],
  ["5400000000000", "2 hours"],
  ["170940000000000", "47 hours"],
  ["171000000000000", "2 days"],
  ["172800000000000", "2 days"],
  ["1207799999999999", "13 days"],
  ["1207800000000000", "2 weeks"],
  ["5182199999999999", "8 weeks"],
  ["5184000000000000", "2 months"],
  ["63070199999999999", "1 years"],
  ["63070200000000000", "1 years"],
  ["63072000000000000", "2 years"],
  ["315360000000000000", "10 years"],
  ["9223372036854775807", "292 years"],
];

// [input, nanoseconds or "", error text or ""]
const PARSE: [string, string, string][] = [
  ["0", "0", ""],
  ["+0", "0", ""],
  ["-0", "0", ""],
  ["", "", "time: invalid duration \"\""],
  ["+", "", "time: invalid duration \"+\""],
  ["-", "", "time: invalid duration \"-\""],
  ["10s", "10000000000", ""],
  ["1m30s", "90000000000", ""],
  ["1.5h", "5400000000000", ""],
  ["300ms", "300000000", ""],
  ["2h45m", "9900000000000", ""],
  ["-1.5h", "-5400000000000", ""],
  ["1h2m3s4ms5us6ns", "3723004005006", ""],
  ["1µs", "1000", ""],
  ["1μs", "1000", ""],
  ["1us", "1000", ""],
  [".5s", "500000000", ""],
  ["5.s", "5000000000", ""],
  ["1.0000000001s", "1000000000", ""],
  ["0.3333333333333333333h", "1200000000000", ""],
  ["1.000000000000000000000000001h", "3600000000000", ""],
  ["100000000000000000000000000000000000000000000ns", "", "time: invalid duration \"100000000000000000000000000000000000000000000ns\""],
  ["9223372036854775807ns", "9223372036854775807", ""],
  ["9223372036854775808ns", "", "time: invalid duration \"9223372036854775808ns\""],
  ["-9223372036854775808ns", "-9223372036854775808", ""],
  ["2562047h47m16.854775807s", "9223372036854775807", ""],
  ["2562047h47m16.854775808s", "", "time: invalid duration \"2562047h47m16.854775808s\""],
  ["-2562047h47m16.854775808s", "-9223372036854775808", ""],
  ["abc", "", "time: invalid duration \"abc\""],
  ["10", "", "time: missing unit in duration \"10\""],
  ["1x", "", "time: unknown unit \"x\" in duration \"1x\""],
  ["1sec", "", "time: unknown unit \"sec\" in duration \"1sec\""],
  ["1d", "", "time: unknown unit \"d\" in duration \"1d\""],
  ["s", "", "time: invalid duration \"s\""],
  [".s", "", "time: invalid duration \".s\""],
  ["1..5s", "", "time: missing unit in duration \"1..5s\""],
  ["1.5.5s", "", "time: missing unit in duration \"1.5.5s\""],
  ["10 s", "", "time: unknown unit \" s\" in duration \"10 s\""],
  ["5s ", "", "time: unknown unit \"s \" in duration \"5s \""],
  ["1h-2m", "", "time: unknown unit \"h-\" in duration \"1h-2m\""],
  ["日本", "", "time: invalid duration \"\\xe6\\x97\\xa5\\xe6\\x9c\\xac\""],
  ["1日", "", "time: unknown unit \"\\xe6\\x97\\xa5\" in duration \"1\\xe6\\x97\\xa5\""],
  ["\"quoted\"", "", "time: invalid duration \"\\\"quoted\\\"\""],
  ["1\\s", "", "time: unknown unit \"\\\\s\" in duration \"1\\\\s\""],
  ["1e3s", "", "time: unknown unit \"e\" in duration \"1e3s\""],
  ["0x10s", "", "time: unknown unit \"x\" in duration \"0x10s\""],
  ["3000000h", "", "time: invalid duration \"3000000h\""],
  ["1.5m1.5s", "91500000000", ""],
  ["01s", "1000000000", ""],
  ["9223372036854775808000ns", "", "time: invalid duration \"9223372036854775808000ns\""],
  ["1\ts", "", "time: unknown unit \"\\x09s\" in duration \"1\\x09s\""],
];

test('time.Duration.String', () => {
  for (const [ns, want] of STRING) {
    assert.equal(formatDuration(BigInt(ns)), want, ns);
    if (Number.isSafeInteger(Number(ns))) assert.equal(formatDuration(Number(ns)), want, ns);
  }
  // the micro sign, not the Greek mu
  assert.equal(formatDuration(1500).codePointAt(3), 0xb5);
});

test('go-units HumanDuration at its thresholds', () => {
  for (const [ns, want] of HUMAN) assert.equal(humanDuration(BigInt(ns)), want, ns);
});

test('time.ParseDuration values and error texts', () => {
  for (const [input, ns, err] of PARSE) {
    if (err === '') {
      assert.equal(parseDuration(input), BigInt(ns), input);
    } else {
      assert.throws(
        () => parseDuration(input),
        (e: unknown) => e instanceof DurationParseError && e.message === err,
        input,
      );
    }
  }
});

test('parseGoDuration returns nanoseconds or the error', () => {
  assert.equal(parseGoDuration('1m30s'), 90000000000);
  const e = parseGoDuration('abc');
  assert.ok(e instanceof DurationParseError);
  assert.equal(e.message, 'time: invalid duration "abc"');
});
