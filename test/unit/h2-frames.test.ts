// HTTP/2 framing and gRPC message framing/status helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ErrorCode, Flag, FrameParser, FrameType, H2ProtocolError, encodeFrame, parseSettings, settingsPayload, unpad,
} from '../../src/client/h2/frames.js';
import {
  MessageReader, abortError, decodeGrpcMessage, encodeTimeout, frameMessage, httpError, trailerStatus,
} from '../../src/client/h2/grpc.js';
import { backoffMs } from '../../src/client/h2/dial.js';
import { goQuote } from '../../src/format/quote.js';
import { Code, GrpcError } from '../../src/client/transport.js';

test('frame header layout', () => {
  const f = encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 0x80000003, Buffer.from('abc'));
  // length 3, type 1, flags 5, reserved bit cleared, stream 3
  assert.deepEqual([...f], [0, 0, 3, 1, 5, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
  assert.equal(encodeFrame(FrameType.SETTINGS, Flag.ACK, 0).length, 9);
});

test('parser: byte-at-a-time, several frames per chunk, reserved bit', () => {
  const frames = Buffer.concat([
    encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(8, 7)),
    encodeFrame(FrameType.DATA, Flag.END_STREAM, 5, Buffer.from('hello')),
    encodeFrame(FrameType.DATA, 0, 7),
  ]);
  frames[9 + 8 + 5] |= 0x80; // reserved bit on the second frame's stream id
  const oneByOne = new FrameParser();
  const seen = [];
  for (const b of frames) seen.push(...oneByOne.push(Buffer.from([b])));
  const whole = new FrameParser().push(frames);
  for (const list of [seen, whole]) {
    assert.deepEqual(list.map((f) => [f.type, f.flags, f.streamId, f.payload.toString('latin1')]), [
      [FrameType.PING, 0, 0, '\x07'.repeat(8)],
      [FrameType.DATA, Flag.END_STREAM, 5, 'hello'],
      [FrameType.DATA, 0, 7, ''],
    ]);
  }
});

test('parser: frame larger than SETTINGS_MAX_FRAME_SIZE is a FRAME_SIZE_ERROR', () => {
  const p = new FrameParser();
  const header = Buffer.from([0, 0x40, 0x01, 0, 0, 0, 0, 0, 1]); // 16385 bytes
  assert.throws(() => p.push(header), (e: unknown) => e instanceof H2ProtocolError && e.code === ErrorCode.FRAME_SIZE_ERROR);
});

test('padding and priority fields are removed', () => {
  const data = { type: FrameType.DATA, flags: Flag.PADDED, streamId: 1, payload: Buffer.from([3, 0x61, 0x62, 0, 0, 0]) };
  assert.deepEqual(unpad(data), { content: Buffer.from('ab'), overhead: 4 });
  const headers = {
    type: FrameType.HEADERS, flags: Flag.PADDED | Flag.PRIORITY, streamId: 1,
    payload: Buffer.from([2, 0, 0, 0, 1, 16, 0x82, 0x84, 0, 0]),
  };
  assert.deepEqual(unpad(headers).content, Buffer.from([0x82, 0x84]));
  const plainHeaders = { type: FrameType.HEADERS, flags: Flag.PRIORITY, streamId: 1, payload: Buffer.from([0, 0, 0, 1, 16, 0x82]) };
  assert.deepEqual(unpad(plainHeaders).content, Buffer.from([0x82]));
  const bad = { type: FrameType.DATA, flags: Flag.PADDED, streamId: 1, payload: Buffer.from([9, 1]) };
  assert.throws(() => unpad(bad), H2ProtocolError);
});

test('settings encode and parse', () => {
  const payload = settingsPayload([[2, 0], [4, 4 << 20]]);
  assert.deepEqual([...payload], [0, 2, 0, 0, 0, 0, 0, 4, 0, 0x40, 0, 0]);
  assert.deepEqual(parseSettings(payload), [[2, 0], [4, 4 << 20]]);
  assert.throws(() => parseSettings(Buffer.alloc(5)), H2ProtocolError);
});

test('gRPC messages: split across chunks, several per chunk, empty ones', () => {
  const a = frameMessage(Buffer.from('first'));
  const b = frameMessage(Buffer.alloc(0));
  const c = frameMessage(Buffer.alloc(70000, 1));
  assert.deepEqual([...a.subarray(0, 5)], [0, 0, 0, 0, 5]);
  const stream = Buffer.concat([a, b, c]);
  for (const chunkSize of [1, 3, 7, 16384, stream.length]) {
    const reader = new MessageReader(1 << 20);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += chunkSize) out.push(...reader.push(stream.subarray(i, i + chunkSize)));
    assert.equal(out.length, 3, `chunk ${chunkSize}`);
    assert.equal(out[0].toString(), 'first');
    assert.equal(out[1].length, 0);
    assert.ok(out[2].equals(Buffer.alloc(70000, 1)));
    assert.ok(reader.idle);
  }
});

test('gRPC messages: size limit and compression flag, with grpc-go texts', () => {
  const reader = new MessageReader(100);
  assert.throws(() => reader.push(frameMessage(Buffer.alloc(101))), (e: unknown) =>
    e instanceof GrpcError && e.code === Code.ResourceExhausted &&
    e.message === 'rpc error: code = ResourceExhausted desc = grpc: received message larger than max (101 vs. 100)');
  assert.throws(() => new MessageReader(100).push(Buffer.from([1, 0, 0, 0, 0])), /compressed flag set/);
});

test('grpc-timeout uses the finest unit that fits in 8 digits, rounded up', () => {
  assert.equal(encodeTimeout(0), '0n');
  assert.equal(encodeTimeout(50), '50000000n');
  assert.equal(encodeTimeout(100), '100000u');
  assert.equal(encodeTimeout(1234), '1234000u');
  assert.equal(encodeTimeout(100_000), '100000m');
  assert.equal(encodeTimeout(200_000_000), '200000S');
  assert.equal(encodeTimeout(0.5), '500000n');
});

test('grpc-message percent decoding', () => {
  assert.equal(decodeGrpcMessage('plain text'), 'plain text');
  assert.equal(decodeGrpcMessage('a%20b%25c'), 'a b%c');
  assert.equal(decodeGrpcMessage('caf%C3%A9'), 'café');
  assert.equal(decodeGrpcMessage('100%'), '100%');
  assert.equal(decodeGrpcMessage('bad %zz escape'), 'bad %zz escape');
});

test('status from trailers and non-gRPC responses', () => {
  assert.equal(trailerStatus([['grpc-status', '0']]), null);
  const notFound = trailerStatus([['grpc-status', '5'], ['grpc-message', 'namespace%20x: not found']]);
  assert.equal(notFound?.code, Code.NotFound);
  assert.equal(notFound?.message, 'rpc error: code = NotFound desc = namespace x: not found');
  assert.equal(trailerStatus([])?.code, Code.Unknown);
  assert.equal(trailerStatus([['grpc-status', 'x']])?.details, 'transport: malformed grpc-status: x');
  assert.equal(httpError([[':status', '200'], ['content-type', 'application/grpc']]), null);
  assert.equal(httpError([[':status', '200'], ['content-type', 'application/grpc+proto']]), null);
  const html = httpError([[':status', '404'], ['content-type', 'text/html']]);
  assert.equal(html?.code, Code.Unimplemented);
  assert.equal(html?.details, 'Not Found: HTTP status code 404; transport: received the unexpected content-type "text/html"');
  assert.equal(httpError([[':status', '502']])?.details, 'Bad Gateway: HTTP status code 502; transport: missing content-type field');
});

test('stream aborts map to grpc-go codes and texts', () => {
  assert.deepEqual(
    [abortError({ kind: 'reset', code: ErrorCode.CANCEL }).code, abortError({ kind: 'reset', code: ErrorCode.CANCEL }).details],
    [Code.Canceled, 'stream terminated by RST_STREAM with error code: CANCEL'],
  );
  assert.equal(abortError({ kind: 'reset', code: ErrorCode.REFUSED_STREAM }).code, Code.Unavailable);
  assert.equal(abortError({ kind: 'reset', code: ErrorCode.PROTOCOL_ERROR }).code, Code.Internal);
  assert.equal(abortError({ kind: 'reset', code: 0x42 }).details, 'stream terminated by RST_STREAM with error code: unknown error code 0x42');
  assert.equal(abortError({ kind: 'closed', byUs: false }).details, 'transport is closing');
  assert.equal(abortError({ kind: 'closed', byUs: true }).code, Code.Canceled);
  assert.equal(abortError({ kind: 'refused' }).code, Code.Unavailable);
});

test('dial helpers: Go %q and grpc backoff', () => {
  assert.equal(goQuote('a "b" \\ c\n\x01'), '"a \\"b\\" \\\\ c\\n\\x01"');
  assert.equal(backoffMs(0), 1000);
  for (let i = 0; i < 50; i++) {
    const b1 = backoffMs(1);
    assert.ok(b1 >= 1600 * 0.8 && b1 <= 1600 * 1.2);
    const b5 = backoffMs(5);
    assert.ok(b5 >= 3000 * 0.8 && b5 <= 3000 * 1.2);
  }
});
