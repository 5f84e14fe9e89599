// HTTP/2 framing (RFC 9113 §4, §6): constants, frame encoding and an incremental
// frame parser.

export const FrameType = {
  DATA: 0x0, HEADERS: 0x1, PRIORITY: 0x2, RST_STREAM: 0x3, SETTINGS: 0x4,
  PUSH_PROMISE: 0x5, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8, CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20,
} as const;

/** Error codes (RFC 9113 §7), index = code. */
export const ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT',
  'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR',
  'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
] as const;

export const ErrorCode = Object.fromEntries(ERROR_NAMES.map((name, code) => [name, code])) as {
  readonly [K in (typeof ERROR_NAMES)[number]]: number;
};

export const Setting = {
  HEADER_TABLE_SIZE: 0x1, ENABLE_PUSH: 0x2, MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5, MAX_HEADER_LIST_SIZE: 0x6,
} as const;

export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const FRAME_HEADER_SIZE = 9;
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const DEFAULT_WINDOW_SIZE = 65535;
export const MAX_WINDOW_SIZE = 0x7fffffff;

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** A connection error: the connection must be torn down with GOAWAY(code). */
export class H2ProtocolError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'H2ProtocolError';
  }
}

export function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return header;
}

export function encodeFrame(type: number, flags: number, streamId: number, payload?: Uint8Array): Buffer {
  const length = payload?.length ?? 0;
  const header = frameHeader(length, type, flags, streamId);
  return length === 0 ? header : Buffer.concat([header, payload!]);
}

export function settingsPayload(settings: ReadonlyArray<readonly [id: number, value: number]>): Buffer {
  const payload = Buffer.allocUnsafe(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return payload;
}

export function parseSettings(payload: Buffer): Array<[id: number, value: number]> {
  if (payload.length % 6 !== 0) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS length not a multiple of 6');
  const settings: Array<[number, number]> = [];
  for (let i = 0; i < payload.length; i += 6) settings.push([payload.readUInt16BE(i), payload.readUInt32BE(i + 2)]);
  return settings;
}

export function uint32Payload(value: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(value >>> 0, 0);
  return payload;
}

export function goawayPayload(lastStreamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(8);
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(code, 4);
  return payload;
}

/**
 * Removes the padding of a DATA or HEADERS payload (and the priority fields of
 * HEADERS). Returns the content and how many octets were padding overhead.
 */
export function unpad(frame: Frame): { content: Buffer; overhead: number } {
  let start = 0;
  let end = frame.payload.length;
  if (frame.flags & Flag.PADDED) {
    if (end < 1) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'padded frame without pad length');
    end -= frame.payload[0];
    start = 1;
  }
  if (frame.type === FrameType.HEADERS && frame.flags & Flag.PRIORITY) start += 5;
  if (end < start) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'padding exceeds frame payload');
  return { content: frame.payload.subarray(start, end), overhead: frame.payload.length - (end - start) };
}

/** Splits a byte stream into frames. */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(public maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  /** Appends bytes and returns every frame that is now complete. */
  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    let pos = 0;
    while (this.buffer.length - pos >= FRAME_HEADER_SIZE) {
      const length = this.buffer.readUIntBE(pos, 3);
      if (length > this.maxFrameSize) {
        throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${length} bytes exceeds ${this.maxFrameSize}`);
      }
      if (this.buffer.length - pos < FRAME_HEADER_SIZE + length) break;
      frames.push({
        type: this.buffer[pos + 3],
        flags: this.buffer[pos + 4],
        streamId: this.buffer.readUInt32BE(pos + 5) & 0x7fffffff,
        payload: this.buffer.subarray(pos + FRAME_HEADER_SIZE, pos + FRAME_HEADER_SIZE + length),
      });
      pos += FRAME_HEADER_SIZE + length;
    }
    this.buffer = this.buffer.subarray(pos);
    return frames;
  }
}
