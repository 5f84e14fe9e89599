import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatBytesPerSecond,
  newBytesPerSecond,
  humanSize,
  humanSizeWithPrecision,
  bytesSize,
} from '../../src/format/units.js';
import { sprintf } from '../../src/format/printf.js';
import { formatFloat } from '../../src/format/strconv.js';

// Expected texts below were printed by Go 1.19 (containerd progress.Bytes,
// docker/go-units, fmt.Sprintf) for the same inputs.

// [int64 as decimal text, progress.Bytes(n).String()]
const BYTES: [string, string][] = [
  ["0", "0.0 B"],
  ["1", "1.0 B"],
  ["2", "2.0 B"],
  ["422", "422.0 B"],
  ["999", "999.0 B"],
  ["1000", "1000.0 B"],
  ["1023", "1023.0 B"],
  ["1024", "1.0 KiB"],
  ["1025", "1.0 KiB"],
  ["1075", "1.0 KiB"],
  ["1076", "1.1 KiB"],
  ["1126", "1.1 KiB"],
  ["1127", "1.1 KiB"],
  ["1280", "1.2 KiB"],
  ["1331", "1.3 KiB"],
  ["1536", "1.5 KiB"],
  ["1792", "1.8 KiB"],
  ["10240", "10.0 KiB"],
  ["1029120", "1005.0 KiB"],
  ["1048063", "1023.5 KiB"],
  ["1048064", "1023.5 KiB"],
  ["1048524", "1023.9 KiB"],
  ["1048525", "1024.0 KiB"],
  ["1048575", "1024.0 KiB"],
  ["1048576", "1.0 MiB"],
  ["1073741823", "1024.0 MiB"],
  ["1073741824", "1.0 GiB"],
  ["1099511627776", "1.0 TiB"],
  ["1125899906842624", "1.0 PiB"],
  ["9007199254740992", "8.0 PiB"],
  ["9007199254740993", "8.0 PiB"],
  ["1152921504606846976", "1.0 EiB"],
  ["4611686018427400249", "4.0 EiB"],
  ["9223372036854775807", "8.0 EiB"],
  ["-1", "-1.0 B"],
  ["-1024", "-1024.0 B"],
  ["-2048", "-2048.0 B"],
  ["-1099511627776", "-1099511627776.0 B"],
  ["-9223372036854775808", "-9223372036854775808.0 B"],
];

// [n, duration in ns, progress.NewBytesPerSecond(n, d).String()]
const BYTES_PER_SECOND: [string, string, string][] = [
  ["0", "1000000000", "0.0 B/s"],
  ["1024", "1000000000", "1.0 KiB/s"],
  ["1536", "1000000000", "1.5 KiB/s"],
  ["12345678", "1234567890", "9.5 MiB/s"],
  ["5", "3", "1.6 GiB/s"],
  ["1099511627776", "7000000000", "146.3 GiB/s"],
  ["100", "0", "-9223372036854775808.0 B/s"],
  ["0", "0", "-9223372036854775808.0 B/s"],
];

// [size, HumanSize, HumanSizeWithPrecision(2), HumanSizeWithPrecision(0), BytesSize]
const HUMAN: [number, string, string, string, string][] = [
  [0, "0B", "0B", "0B", "0B"],
  [0.5, "0.5B", "0.5B", "0.5B", "0.5B"],
  [1, "1B", "1B", "1B", "1B"],
  [9.999, "9.999B", "10B", "1e+01B", "9.999B"],
  [213, "213B", "2.1e+02B", "2e+02B", "213B"],
  [999, "999B", "1e+03B", "1e+03B", "999B"],
  [999.4, "999.4B", "1e+03B", "1e+03B", "999.4B"],
  [999.5, "999.5B", "1e+03B", "1e+03B", "999.5B"],
  [999.95, "1000B", "1e+03B", "1e+03B", "1000B"],
  [1000, "1kB", "1kB", "1kB", "1000B"],
  [1001, "1.001kB", "1kB", "1kB", "1001B"],
  [1023, "1.023kB", "1kB", "1kB", "1023B"],
  [1024, "1.024kB", "1kB", "1kB", "1KiB"],
  [1025, "1.025kB", "1kB", "1kB", "1.001KiB"],
  [1028000, "1.028MB", "1MB", "1MB", "1004KiB"],
  [1028500, "1.028MB", "1MB", "1MB", "1004KiB"],
  [1028499, "1.028MB", "1MB", "1MB", "1004KiB"],
  [12345, "12.35kB", "12kB", "1e+01kB", "12.06KiB"],
  [123450, "123.5kB", "1.2e+02kB", "1e+02kB", "120.6KiB"],
  [123456, "123.5kB", "1.2e+02kB", "1e+02kB", "120.6KiB"],
  [999949, "999.9kB", "1e+03kB", "1e+03kB", "976.5KiB"],
  [999950, "1000kB", "1e+03kB", "1e+03kB", "976.5KiB"],
  [999999, "1000kB", "1e+03kB", "1e+03kB", "976.6KiB"],
  [1000000, "1MB", "1MB", "1MB", "976.6KiB"],
  [999999999, "1000MB", "1e+03MB", "1e+03MB", "953.7MiB"],
  [1000000000, "1GB", "1GB", "1GB", "953.7MiB"],
  [1500000000000, "1.5TB", "1.5TB", "2TB", "1.364TiB"],
  [2500000000000000, "2.5PB", "2.5PB", "2PB", "2.22PiB"],
  [1000000000000000000, "1EB", "1EB", "1EB", "888.2PiB"],
  [1e+21, "1ZB", "1ZB", "1ZB", "867.4EiB"],
  [1e+24, "1YB", "1YB", "1YB", "847ZiB"],
  [9.9995e+26, "1000YB", "1e+03YB", "1e+03YB", "827.1YiB"],
  [1e+27, "1000YB", "1e+03YB", "1e+03YB", "827.2YiB"],
  [1.23456e+28, "1.235e+04YB", "1.2e+04YB", "1e+04YB", "1.021e+04YiB"],
  [1e+30, "1e+06YB", "1e+06YB", "1e+06YB", "8.272e+05YiB"],
  [-1, "-1B", "-1B", "-1B", "-1B"],
  [-1000, "-1000B", "-1e+03B", "-1e+03B", "-1000B"],
  [0.0001, "0.0001B", "0.0001B", "0.0001B", "0.0001B"],
  [0.00012345, "0.0001234B", "0.00012B", "0.0001B", "0.0001234B"],
  [1e-07, "1e-07B", "1e-07B", "1e-07B", "1e-07B"],
  [1.7976931348623157e+308, "1.798e+284YB", "1.8e+284YB", "2e+284YB", "1.487e+284YiB"],
];

// [format, argument, fmt.Sprintf(format, argument)]; "big:N" is a Go integer,
// "num:X" a float64 that JSON cannot carry
const PRINTF: [string, unknown, string][] = [
  ["%02.1f", 0.05, "0.1"],
  ["%02.1f", 0.15, "0.1"],
  ["%02.1f", 0.25, "0.2"],
  ["%02.1f", 0.35, "0.3"],
  ["%02.1f", 1.25, "1.2"],
  ["%02.1f", 1.75, "1.8"],
  ["%02.1f", 1023.95, "1024.0"],
  ["%02.1f", 1023.949, "1023.9"],
  ["%02.1f", 2.5, "2.5"],
  ["%.0f", 0.5, "0"],
  ["%.0f", 1.5, "2"],
  ["%.0f", 2.5, "2"],
  ["%.0f", -0.5, "-0"],
  ["%02.1f", -1, "-1.0"],
  ["%05.1f", -1.5, "-01.5"],
  ["%-8.2f|", 3.14159, "3.14    |"],
  ["%+.3e", 12345.678, "+1.235e+04"],
  ["%e", 0, "0.000000e+00"],
  ["%e", 1e-300, "1.000000e-300"],
  ["%E", 6.02214076e+23, "6.022141E+23"],
  ["%g", 1000000, "1e+06"],
  ["%g", 100000, "100000"],
  ["%g", 1e-05, "1e-05"],
  ["%g", 0.0001, "0.0001"],
  ["%g", 123456789, "1.23456789e+08"],
  ["%v", 1e+21, "1e+21"],
  ["%v", 100000000000000000000, "1e+20"],
  ["%v", 0.1, "0.1"],
  ["%v", 0.3333333333333333, "0.3333333333333333"],
  ["%.4g", 12345, "1.234e+04"],
  ["%.4g", 12355, "1.236e+04"],
  ["%.4g", 1000, "1000"],
  ["%.4g", 100000, "1e+05"],
  ["%.4g", 1.234e-05, "1.234e-05"],
  ["%.4g", 0.0001234, "0.0001234"],
  ["%.3g", 2.675, "2.67"],
  ["%.1g", 0.05, "0.05"],
  ["%.0g", 15, "2e+01"],
  ["%.20g", 0.1, "0.10000000000000000555"],
  ["%.30f", 0.1, "0.100000000000000005551115123126"],
  ["%.25e", 5e-324, "4.9406564584124654417656879e-324"],
  ["%f", "num:+Inf", "+Inf"],
  ["%f", "num:-Inf", "-Inf"],
  ["%05f", "num:NaN", "  NaN"],
  ["%+f", "num:NaN", "+NaN"],
  ["% f", 1.5, " 1.500000"],
  ["%#g", 1, "1.00000"],
  ["%#.3g", 2, "2.00"],
  ["%#.0f", 3, "3."],
  ["%#e", 5, "5.000000e+00"],
  ["%010.3f", -3.14159, "-00003.142"],
  ["%-10.3f|", -3.14159, "-3.142    |"],
  ["%+010.1f", 2.25, "+0000002.2"],
  ["%.3f", 1e+22, "10000000000000000000000.000"],
  ["%g", 5e-324, "5e-324"],
  ["%g", 1.7976931348623157e+308, "1.7976931348623157e+308"],
  ["%G", 1e-10, "1E-10"],
  ["%.2f", 0.125, "0.12"],
  ["%.2f", 0.375, "0.38"],
  ["%.1f", 0.45, "0.5"],
  ["%8.3g|", 3, "       3|"],
  ["%-4.1fs", 0, "0.0 s"],
  ["%-4.1fs", 1.23456, "1.2 s"],
  ["%-4.1fs", 12.36, "12.4s"],
  ["%-4.1fs", 123.45, "123.5s"],
  ["%7.6v", "1005.0 KiB", " 1005.0"],
  ["%7.6v", "2.0 B", "  2.0 B"],
  ["%8.8s", "1005.0 KiB", "1005.0 K"],
  ["%8.8s", "12.0 MiB", "12.0 MiB"],
  ["%-6s|", "日本", "日本    |"],
  ["%.2s", "日本語", "日本"],
  ["%05s", "ab", "000ab"],
  ["%s", "plain", "plain"],
  ["%5.1s|", "xyz", "    x|"],
  ["%d", "big:42", "42"],
  ["%5d|", "big:-42", "  -42|"],
  ["%-5d|", "big:42", "42   |"],
  ["%05d", "big:-42", "-0042"],
  ["%+d", "big:0", "+0"],
  ["% d", "big:7", " 7"],
  ["%.3d", "big:7", "007"],
  ["%08.3d|", "big:-7", "    -007|"],
  ["%.0d|", "big:0", "|"],
  ["%5.0d|", "big:0", "     |"],
  ["%x", "big:255", "ff"],
  ["%X", "big:-255", "-FF"],
  ["%#x", "big:255", "0xff"],
  ["%#08x", "big:255", "0x000000ff"],
  ["%d", "big:-9223372036854775808", "-9223372036854775808"],
  ["%v", "big:-5", "-5"],
  ["%c", "big:233", "é"],
  ["%x", "hi", "6869"],
  ["100%%", null, "100%"],
];

test('progress.Bytes', () => {
  for (const [n, want] of BYTES) {
    assert.equal(formatBytes(BigInt(n)), want, n);
    if (Number.isSafeInteger(Number(n))) assert.equal(formatBytes(Number(n)), want, n);
  }
});

test('progress.BytesPerSecond', () => {
  for (const [n, d, want] of BYTES_PER_SECOND) {
    assert.equal(formatBytesPerSecond(newBytesPerSecond(BigInt(n), BigInt(d))), want, `${n}/${d}`);
  }
});

test('go-units HumanSize, HumanSizeWithPrecision, BytesSize', () => {
  for (const [size, human, prec2, prec0, binary] of HUMAN) {
    assert.equal(humanSize(size), human, `HumanSize(${size})`);
    assert.equal(humanSizeWithPrecision(size, 2), prec2, `HumanSizeWithPrecision(${size}, 2)`);
    assert.equal(humanSizeWithPrecision(size, 0), prec0, `HumanSizeWithPrecision(${size}, 0)`);
    assert.equal(bytesSize(size), binary, `BytesSize(${size})`);
  }
});

function goArg(a: unknown): unknown {
  if (typeof a !== 'string') return a;
  if (a.startsWith('big:')) return BigInt(a.slice(4));
  if (a.startsWith('num:')) return a === 'num:NaN' ? NaN : a === 'num:+Inf' ? Infinity : -Infinity;
  return a;
}

test('fmt.Sprintf verbs', () => {
  for (const [format, arg, want] of PRINTF) {
    const got = arg === null ? sprintf(format) : sprintf(format, goArg(arg));
    assert.equal(got, want, `${format} ${String(arg)}`);
  }
});

test('sprintf with several arguments, as ctr formats progress lines', () => {
  assert.equal(
    sprintf('elapsed: %-4.1fs\ttotal: %7.6v\t(%v)\t\n', 2.345, formatBytes(1029120), formatBytesPerSecond(438835)),
    'elapsed: 2.3 s\ttotal:  1005.0\t(428.5 KiB/s)\t\n',
  );
  assert.throws(() => sprintf('%d'));
});

test('strconv.FormatFloat', () => {
  const cases: [number, 'e' | 'f' | 'g', number, string][] = [
    [0, 'f', -1, '0'],
    [-0, 'f', -1, '-0'],
    [1e21, 'f', -1, '1000000000000000000000'],
    [123.456, 'e', -1, '1.23456e+02'],
    [1e-7, 'e', -1, '1e-07'],
    [0.000123, 'g', -1, '0.000123'],
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [NaN, 'g', -1, 'NaN'],
    [-Infinity, 'f', 2, '-Inf'],
  ];
  for (const [x, fmt, prec, want] of cases) assert.equal(formatFloat(x, fmt, prec), want, `${x} ${fmt} ${prec}`);
});
