// One HTTP/2 client connection over an already connected socket: settings, flow
// control in both directions, stream multiplexing, GOAWAY, PING.
import {
  CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW_SIZE, ErrorCode, Flag, FrameParser,
  FrameType, H2ProtocolError, MAX_WINDOW_SIZE, Setting, encodeFrame, frameHeader, goawayPayload,
  parseSettings, settingsPayload, uint32Payload, unpad, type Frame,
} from './frames.js';
import { HpackDecoder, HpackError, encodeHeaders, type Header } from './hpack.js';
import type { ByteStream } from '../../util/pipe.js';

/**
 * What the peer may send on one stream before we return credit. Large, so that a
 * streamed blob does not stall on round trips; the stream's consumer decides when
 * credit goes back, which bounds buffering for slow readers.
 */
export const STREAM_WINDOW = 4 << 20;
/** Connection-level receive window; credit is returned as frames arrive. */
export const CONNECTION_WINDOW = 16 << 20;
/** Credit is returned in batches of at least this much (or a quarter window). */
const CONNECTION_UPDATE_THRESHOLD = 1 << 20;
const STREAM_UPDATE_THRESHOLD = STREAM_WINDOW / 4;
/**
 * DATA is queued on the socket up to this much before waiting for 'drain': node's
 * 16 KiB high-water mark would mean one frame per event-loop turn.
 */
const SOCKET_QUEUE_LIMIT = 1 << 20;
/** Largest header block we accept across HEADERS + CONTINUATION. */
const MAX_HEADER_BLOCK = 16 << 20;

/** Why a stream ended without a normal END_STREAM from the peer. */
export type StreamAbort =
  | { kind: 'reset'; code: number } // RST_STREAM from the peer
  | { kind: 'refused' } // beyond the last stream id of a GOAWAY
  | { kind: 'closed'; byUs: boolean }; // the connection went away

export interface StreamEvents {
  onHeaders(headers: Header[], endStream: boolean): void;
  /** `data` has padding removed; call H2Stream.consumed() to return its credit. */
  onData(data: Buffer, endStream: boolean): void;
  onAbort(reason: StreamAbort): void;
}

interface OutChunk {
  /** The bytes to send, in one piece or several (a message sent without joining them). */
  parts: Buffer[];
  /** Where sending stands: parts[part] from `offset`, and the bytes still to go. */
  part: number;
  offset: number;
  remaining: number;
  end: boolean;
  resolve(): void;
  reject(err: Error): void;
}

export class H2Stream {
  id = 0;
  sendWindow = 0;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  /** Received octets not yet returned with WINDOW_UPDATE. */
  private unacked = 0;
  readonly out: OutChunk[] = [];

  constructor(private readonly conn: H2Connection, readonly events: StreamEvents) {}

  /**
   * Queues DATA (and END_STREAM when `end`); resolves once all of it has been handed
   * to the socket, which may wait for flow-control credit.
   */
  write(data: Buffer | Buffer[], end: boolean): Promise<void> {
    if (this.closed || this.localEnded) return Promise.reject(new Error('write on a closed stream'));
    if (end) this.localEnded = true;
    const parts = Array.isArray(data) ? data : [data];
    const remaining = parts.reduce((n, p) => n + p.length, 0);
    return new Promise((resolve, reject) => {
      this.out.push({ parts, part: 0, offset: 0, remaining, end, resolve, reject });
      this.conn.schedule(this);
    });
  }

  /** Returns flow-control credit for `n` received octets the consumer has taken. */
  consumed(n: number): void {
    this.unacked += n;
    if (this.unacked >= STREAM_UPDATE_THRESHOLD && !this.remoteEnded && !this.closed && this.id !== 0) {
      this.conn.sendFrame(FrameType.WINDOW_UPDATE, 0, this.id, uint32Payload(this.unacked));
      this.unacked = 0;
    }
  }

  /** Abandons the stream: RST_STREAM(code) and pending writes fail with `reason`. */
  reset(code: number, reason: Error): void {
    if (this.closed) return;
    if (this.id !== 0) this.conn.sendFrame(FrameType.RST_STREAM, 0, this.id, uint32Payload(code));
    this.conn.closeStream(this, reason);
  }
}

export interface ConnectionHooks {
  /** The connection can take no new streams (GOAWAY received or socket closed). */
  onUnusable?(): void;
}

export class H2Connection {
  readonly streams = new Map<number, H2Stream>();
  /** Streams waiting for the peer's MAX_CONCURRENT_STREAMS to allow them. */
  private readonly waiting: Array<{ stream: H2Stream; headers: Header[]; endStream: boolean }> = [];
  /** Streams with queued DATA, in round-robin order. */
  private readonly sendable = new Set<H2Stream>();
  private nextStreamId = 1;
  private readonly parser = new FrameParser();
  private readonly decoder = new HpackDecoder();
  private headerBlock: { streamId: number; endStream: boolean; parts: Buffer[]; size: number } | null = null;

  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private peerInitialWindow = DEFAULT_WINDOW_SIZE;
  private peerMaxStreams = Infinity;
  private sendWindow = DEFAULT_WINDOW_SIZE;
  private recvUnacked = 0;

  /** GOAWAY received: finish what runs, start nothing new. */
  draining = false;
  closed = false;
  private closedByUs = false;
  private settingsReceived = false;
  private flushing = false;
  /** Resolves on the server's first SETTINGS (its preface), rejects if closed before. */
  readonly ready: Promise<void>;
  private readyCallbacks!: { resolve(): void; reject(err: Error): void };

  constructor(private readonly socket: ByteStream, private readonly hooks: ConnectionHooks = {}) {
    this.ready = new Promise((resolve, reject) => (this.readyCallbacks = { resolve, reject }));
    this.ready.catch(() => {}); // observed by whoever awaits it; never unhandled
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.flush());
    socket.on('error', () => {}); // 'close' follows and does the work
    socket.on('close', () => this.teardown());
    socket.write(
      Buffer.concat([
        CLIENT_PREFACE,
        encodeFrame(
          FrameType.SETTINGS, 0, 0,
          settingsPayload([[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, STREAM_WINDOW]]),
        ),
        encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, uint32Payload(CONNECTION_WINDOW - DEFAULT_WINDOW_SIZE)),
      ]),
    );
  }

  get usable(): boolean {
    return !this.closed && !this.draining;
  }

  /** Opens a stream and sends its HEADERS (now, or once the peer's stream limit allows). */
  open(headers: Header[], endStream: boolean, events: StreamEvents): H2Stream {
    const stream = new H2Stream(this, events);
    if (!this.usable) {
      stream.closed = true;
      queueMicrotask(() => events.onAbort(this.closed ? { kind: 'closed', byUs: this.closedByUs } : { kind: 'refused' }));
      return stream;
    }
    if (this.streams.size >= this.peerMaxStreams) this.waiting.push({ stream, headers, endStream });
    else this.start(stream, headers, endStream);
    this.updateRef();
    return stream;
  }

  private start(stream: H2Stream, headers: Header[], endStream: boolean): void {
    stream.id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.sendWindow = this.peerInitialWindow;
    if (endStream) stream.localEnded = true;
    this.streams.set(stream.id, stream);
    const block = encodeHeaders(headers);
    // HEADERS then CONTINUATIONs, back to back, each within the peer's frame size.
    let flags = endStream ? Flag.END_STREAM : 0;
    let type: number = FrameType.HEADERS;
    let offset = 0;
    do {
      const part = block.subarray(offset, offset + this.peerMaxFrameSize);
      offset += part.length;
      this.sendFrame(type, flags | (offset >= block.length ? Flag.END_HEADERS : 0), stream.id, part);
      type = FrameType.CONTINUATION;
      flags = 0;
    } while (offset < block.length);
    if (stream.out.length > 0) this.schedule(stream);
    if (this.nextStreamId > 0x7fffffff) this.markUnusable();
  }

  sendFrame(type: number, flags: number, streamId: number, payload?: Uint8Array): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(type, flags, streamId, payload));
  }

  schedule(stream: H2Stream): void {
    if (stream.id === 0) return; // not started yet; start() schedules it
    this.sendable.add(stream);
    this.flush();
  }

  /** Writes queued DATA as far as flow-control windows and socket buffering allow. */
  private flush(): void {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    this.socket.cork();
    try {
      let progress = true;
      while (progress && this.sendable.size > 0 && this.socket.writableLength < SOCKET_QUEUE_LIMIT) {
        progress = false;
        for (const stream of this.sendable) {
          const chunk = stream.out[0];
          const remaining = chunk.remaining;
          const n = remaining === 0 ? 0 : Math.min(remaining, this.peerMaxFrameSize, this.sendWindow, stream.sendWindow);
          if (remaining > 0 && n <= 0) continue; // waiting for WINDOW_UPDATE
          const last = n === remaining;
          const flags = last && chunk.end ? Flag.END_STREAM : 0;
          this.socket.write(frameHeader(n, FrameType.DATA, flags, stream.id));
          // The frame's payload, from as many parts as it spans.
          for (let left = n; left > 0;) {
            const part = chunk.parts[chunk.part]!;
            const take = Math.min(part.length - chunk.offset, left);
            this.socket.write(take === part.length ? part : part.subarray(chunk.offset, chunk.offset + take));
            left -= take;
            chunk.offset += take;
            if (chunk.offset === part.length) {
              chunk.part++;
              chunk.offset = 0;
            }
          }
          chunk.remaining -= n;
          this.sendWindow -= n;
          stream.sendWindow -= n;
          progress = true;
          if (last) {
            stream.out.shift();
            chunk.resolve();
            if (stream.out.length === 0) this.sendable.delete(stream);
            if (chunk.end) this.maybeFinish(stream);
          }
          if (this.socket.writableLength >= SOCKET_QUEUE_LIMIT) break;
        }
      }
    } finally {
      this.socket.uncork();
      this.flushing = false;
    }
  }

  private receive(chunk: Buffer): void {
    try {
      for (const frame of this.parser.push(chunk)) {
        this.handleFrame(frame);
        if (this.closed) return;
      }
      if (this.recvUnacked >= CONNECTION_UPDATE_THRESHOLD) {
        this.sendFrame(FrameType.WINDOW_UPDATE, 0, 0, uint32Payload(this.recvUnacked));
        this.recvUnacked = 0;
      }
    } catch (err) {
      if (err instanceof H2ProtocolError) this.fail(err.code);
      else if (err instanceof HpackError) this.fail(ErrorCode.COMPRESSION_ERROR);
      else throw err;
    }
  }

  private handleFrame(frame: Frame): void {
    if (!this.settingsReceived && frame.type !== FrameType.SETTINGS) {
      throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'server preface is not SETTINGS');
    }
    if (this.headerBlock && frame.type !== FrameType.CONTINUATION) {
      throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'expected CONTINUATION');
    }
    switch (frame.type) {
      case FrameType.DATA: return this.onData(frame);
      case FrameType.HEADERS: return this.onHeaders(frame);
      case FrameType.CONTINUATION: return this.onContinuation(frame);
      case FrameType.RST_STREAM: return this.onReset(frame);
      case FrameType.SETTINGS: return this.onSettings(frame);
      case FrameType.PING: return this.onPing(frame);
      case FrameType.GOAWAY: return this.onGoaway(frame);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(frame);
      case FrameType.PUSH_PROMISE:
        throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled');
      default:
        return; // PRIORITY and unknown types are ignored
    }
  }

  private onData(frame: Frame): void {
    if (frame.streamId === 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0');
    this.recvUnacked += frame.payload.length;
    const { content, overhead } = unpad(frame);
    const stream = this.streams.get(frame.streamId);
    if (!stream || stream.remoteEnded) return; // reset by us already: just drop it
    stream.consumed(overhead);
    const endStream = (frame.flags & Flag.END_STREAM) !== 0;
    if (endStream) {
      stream.remoteEnded = true;
      this.maybeFinish(stream);
    }
    stream.events.onData(content, endStream);
  }

  private onHeaders(frame: Frame): void {
    if (frame.streamId === 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0');
    const { content } = unpad(frame);
    this.headerBlock = {
      streamId: frame.streamId,
      endStream: (frame.flags & Flag.END_STREAM) !== 0,
      parts: [content],
      size: content.length,
    };
    if (frame.flags & Flag.END_HEADERS) this.finishHeaderBlock();
  }

  private onContinuation(frame: Frame): void {
    const block = this.headerBlock;
    if (!block || block.streamId !== frame.streamId) {
      throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'unexpected CONTINUATION');
    }
    block.parts.push(frame.payload);
    block.size += frame.payload.length;
    if (block.size > MAX_HEADER_BLOCK) throw new H2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, 'header block too large');
    if (frame.flags & Flag.END_HEADERS) this.finishHeaderBlock();
  }

  private finishHeaderBlock(): void {
    const block = this.headerBlock!;
    this.headerBlock = null;
    // Decode even for streams we dropped: the dynamic table must stay in step.
    const headers = this.decoder.decode(block.parts.length === 1 ? block.parts[0] : Buffer.concat(block.parts));
    const stream = this.streams.get(block.streamId);
    if (!stream || stream.remoteEnded) return;
    if (block.endStream) {
      stream.remoteEnded = true;
      this.maybeFinish(stream);
    }
    stream.events.onHeaders(headers, block.endStream);
  }

  private onReset(frame: Frame): void {
    if (frame.payload.length !== 4) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'RST_STREAM length');
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    const code = frame.payload.readUInt32BE(0);
    this.closeStream(stream, new Error(`stream reset by peer (code ${code})`));
    stream.events.onAbort({ kind: 'reset', code });
  }

  private onSettings(frame: Frame): void {
    if (frame.streamId !== 0) throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if (frame.flags & Flag.ACK) return;
    for (const [id, value] of parseSettings(frame.payload)) {
      if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) {
          throw new H2ProtocolError(ErrorCode.PROTOCOL_ERROR, `invalid MAX_FRAME_SIZE ${value}`);
        }
        this.peerMaxFrameSize = value;
      } else if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW_SIZE) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'INITIAL_WINDOW_SIZE too large');
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const stream of this.streams.values()) stream.sendWindow += delta;
      } else if (id === Setting.MAX_CONCURRENT_STREAMS) {
        this.peerMaxStreams = value;
      }
      // HEADER_TABLE_SIZE: our encoder never uses the dynamic table. The rest is advisory.
    }
    this.sendFrame(FrameType.SETTINGS, Flag.ACK, 0);
    if (!this.settingsReceived) {
      this.settingsReceived = true;
      this.readyCallbacks.resolve();
      this.updateRef();
    }
    this.startWaiting();
    this.flush();
  }

  private onPing(frame: Frame): void {
    if (frame.payload.length !== 8) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'PING length');
    if (!(frame.flags & Flag.ACK)) this.sendFrame(FrameType.PING, Flag.ACK, 0, frame.payload);
  }

  private onGoaway(frame: Frame): void {
    if (frame.payload.length < 8) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'GOAWAY length');
    const lastStreamId = frame.payload.readUInt32BE(0) & 0x7fffffff;
    this.markUnusable();
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastStreamId) {
        this.closeStream(stream, new Error('stream refused by GOAWAY'));
        stream.events.onAbort({ kind: 'refused' });
      }
    }
    for (const { stream } of this.waiting.splice(0)) {
      stream.closed = true;
      stream.events.onAbort({ kind: 'refused' });
    }
    if (this.streams.size === 0) this.socket.end();
  }

  private onWindowUpdate(frame: Frame): void {
    if (frame.payload.length !== 4) throw new H2ProtocolError(ErrorCode.FRAME_SIZE_ERROR, 'WINDOW_UPDATE length');
    const increment = frame.payload.readUInt32BE(0) & 0x7fffffff;
    if (frame.streamId === 0) {
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW_SIZE) throw new H2ProtocolError(ErrorCode.FLOW_CONTROL_ERROR, 'window overflow');
    } else {
      const stream = this.streams.get(frame.streamId);
      if (!stream) return;
      stream.sendWindow += increment;
    }
    this.flush();
  }

  private maybeFinish(stream: H2Stream): void {
    if (stream.localEnded && stream.remoteEnded && stream.out.length === 0) this.closeStream(stream);
  }

  /** Forgets a stream; its unsent writes fail with `reason`. */
  closeStream(stream: H2Stream, reason: Error = new Error('stream closed')): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    this.sendable.delete(stream);
    const waitingIndex = this.waiting.findIndex((w) => w.stream === stream);
    if (waitingIndex >= 0) this.waiting.splice(waitingIndex, 1);
    for (const chunk of stream.out.splice(0)) chunk.reject(reason);
    this.startWaiting();
    if (this.draining && this.streams.size === 0) this.socket.end();
    this.updateRef();
  }

  private startWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams && this.usable) {
      const { stream, headers, endStream } = this.waiting.shift()!;
      this.start(stream, headers, endStream);
    }
  }

  /** Keeps node alive only while streams are active (or the handshake is pending). */
  private updateRef(): void {
    if (this.closed) return;
    if (this.streams.size > 0 || this.waiting.length > 0 || !this.settingsReceived) this.socket.ref();
    else this.socket.unref();
  }

  private markUnusable(): void {
    if (this.draining) return;
    this.draining = true;
    this.hooks.onUnusable?.();
  }

  /** Connection error: GOAWAY(code) and close. */
  private fail(code: number): void {
    if (this.closed) return;
    const lastPeerStream = 0; // we accept no server-initiated streams
    this.socket.end(encodeFrame(FrameType.GOAWAY, 0, 0, goawayPayload(lastPeerStream, code)));
    this.teardown(false);
  }

  /** Closes the connection now; active streams see { kind: 'closed', byUs: true }. */
  close(): void {
    if (this.closed) return;
    this.closedByUs = true;
    this.socket.destroy();
    this.teardown();
  }

  /** Fails every stream; `destroy` false lets a final GOAWAY drain first. */
  private teardown(destroy = true): void {
    if (this.closed) return;
    this.closed = true;
    this.markUnusable();
    this.readyCallbacks.reject(new Error('connection closed'));
    const reason: StreamAbort = { kind: 'closed', byUs: this.closedByUs };
    const affected = [...this.streams.values(), ...this.waiting.map((w) => w.stream)];
    this.waiting.length = 0;
    for (const stream of affected) {
      this.closeStream(stream, new Error('connection closed'));
      stream.events.onAbort(reason);
    }
    if (destroy) this.socket.destroy();
    else this.socket.unref();
  }
}
