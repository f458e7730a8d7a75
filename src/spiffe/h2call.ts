// One HTTP/2 request on a connection of its own (RFC 9113, cleartext "prior
// knowledge", as gRPC over a unix socket): the client side of fetch.ts's
// FetchX509SVID call, without node:http2. Loading node:http2 and running an
// nghttp2 session cost a CLI ~8 ms of CPU for one small call (test/bench/README.md
// § Start-up); this is framing and HPACK (hpack.ts), nothing more.
//
// What it does: the connection preface with SETTINGS (no server push, the
// largest stream window) and a WINDOW_UPDATE that opens the connection
// window as wide, so that the server never waits for us; one HEADERS frame
// (stream 1) and one DATA frame ending the request; then it reads frames:
// the response headers, DATA, trailers, RST_STREAM and GOAWAY of stream 1,
// SETTINGS (acknowledged) and PING (answered). Anything that breaks the
// protocol is an error (`code` ERR_HTTP2_ERROR), as Node's client reports
// it; a reset stream is ERR_HTTP2_STREAM_ERROR. The caller owns the socket
// (its errors, its deadline) and destroys the call when done.
import type { Socket } from 'node:net';
import { encodeLiteralHeaders, HpackDecoder, HpackError, type HeaderList } from './hpack.js';

/** Response headers or trailers: the first value of each name (what the caller reads is single-valued). */
export type H2Headers = Readonly<Record<string, string>>;

export interface H2CallHandlers {
  /** The response headers; `endStream` when the server ended the stream with them (a trailers-only gRPC answer). */
  response(headers: H2Headers, endStream: boolean): void;
  data(chunk: Buffer): void;
  trailers(headers: H2Headers): void;
  /**
   * The stream ended without more to come: after its last frame, or a reset
   * without an error code (`connectionGone` false), or because the
   * connection ended first (true).
   */
  close(connectionGone: boolean): void;
  /** The server broke the protocol or reset the stream with an error code. */
  error(e: Error): void;
}

export interface H2Request {
  /** `:authority` */
  readonly authority: string;
  readonly path: string;
  /** Regular headers (lower-case names), after the pseudo-headers. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface H2Call {
  /** Stops reading and destroys the socket. Idempotent; no handler is called afterwards. */
  destroy(): void;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;
/** Our SETTINGS_MAX_FRAME_SIZE: the default; a larger frame from the server is a FRAME_SIZE_ERROR. */
const MAX_FRAME = 16_384;
const MAX_WINDOW = 2 ** 31 - 1;
/** A header block larger than this (HEADERS + CONTINUATION) is refused (Node's default maxHeaderListSize is 64 KiB). */
const MAX_HEADER_BLOCK = 64 * 1024;
const STREAM = 1;

/** Frame types (RFC 9113 § 6). */
const Type = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** RFC 9113 § 7 error codes by number, as Node names them in its messages. */
const ERROR_NAMES = [
  'NGHTTP2_NO_ERROR', 'NGHTTP2_PROTOCOL_ERROR', 'NGHTTP2_INTERNAL_ERROR', 'NGHTTP2_FLOW_CONTROL_ERROR', 'NGHTTP2_SETTINGS_TIMEOUT',
  'NGHTTP2_STREAM_CLOSED', 'NGHTTP2_FRAME_SIZE_ERROR', 'NGHTTP2_REFUSED_STREAM', 'NGHTTP2_CANCEL', 'NGHTTP2_COMPRESSION_ERROR',
  'NGHTTP2_CONNECT_ERROR', 'NGHTTP2_ENHANCE_YOUR_CALM', 'NGHTTP2_INADEQUATE_SECURITY', 'NGHTTP2_HTTP_1_1_REQUIRED',
];

function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(FRAME_HEADER);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

function protocolError(message = 'Protocol error'): Error {
  return Object.assign(new Error(message), { code: 'ERR_HTTP2_ERROR' });
}

function streamError(code: number): Error {
  return Object.assign(new Error(`Stream closed with error code ${ERROR_NAMES[code] ?? code}`), { code: 'ERR_HTTP2_STREAM_ERROR' });
}

function headersOf(list: HeaderList): H2Headers {
  const h: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of list) if (!(name in h)) h[name] = value;
  return h;
}

/** The payload of a HEADERS or DATA frame without its padding (and a HEADERS frame's priority fields). */
function unpadded(type: number, flags: number, payload: Buffer): Buffer {
  let start = 0;
  let pad = 0;
  if ((flags & PADDED) !== 0) {
    if (payload.length < 1) throw protocolError();
    pad = payload[0] as number;
    start = 1;
  }
  if (type === Type.HEADERS && (flags & PRIORITY) !== 0) start += 5;
  if (start + pad > payload.length) throw protocolError();
  return payload.subarray(start, payload.length - pad);
}

/** Starts the request on `socket` (connected or connecting) and reads the answer. */
export function startH2Call(socket: Socket, req: H2Request, on: H2CallHandlers): H2Call {
  const hpack = new HpackDecoder();
  /** Received bytes not yet parsed (less than a frame); a copy of our own, zeroed when replaced. */
  let rest: Buffer = Buffer.alloc(0);
  let done = false;
  let sawSettings = false;
  let headersSeen = false;
  let block: { parts: Buffer[]; size: number; endStream: boolean } | undefined;

  const settings = Buffer.alloc(12);
  settings.writeUInt16BE(0x2, 0); // SETTINGS_ENABLE_PUSH = 0
  settings.writeUInt32BE(0, 2);
  settings.writeUInt16BE(0x4, 6); // SETTINGS_INITIAL_WINDOW_SIZE
  settings.writeUInt32BE(MAX_WINDOW, 8);
  const windowUpdate = Buffer.alloc(4);
  windowUpdate.writeUInt32BE(MAX_WINDOW - 65_535, 0);
  const headerBlock = encodeLiteralHeaders([
    [':method', 'POST'],
    [':scheme', 'http'],
    [':authority', req.authority],
    [':path', req.path],
    ...req.headers,
  ]);
  if (headerBlock.length > MAX_FRAME) throw new RangeError('request headers too large for one frame');
  socket.write(
    Buffer.concat([
      PREFACE,
      frame(Type.SETTINGS, 0, 0, settings),
      frame(Type.WINDOW_UPDATE, 0, 0, windowUpdate), // of the connection
      frame(Type.HEADERS, END_HEADERS, STREAM, headerBlock),
      frame(Type.DATA, END_STREAM, STREAM, req.body),
    ]),
  );

  const stop = (): void => {
    if (done) return;
    done = true;
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
    socket.removeListener('end', onClose);
  };
  const end = (connectionGone = false): void => {
    if (done) return;
    stop();
    on.close(connectionGone);
  };
  const fail = (e: Error): void => {
    if (done) return;
    stop();
    on.error(e);
  };

  const headerBlockDone = (endStream: boolean): void => {
    const parts = block as NonNullable<typeof block>;
    block = undefined;
    const list = hpack.decode(Buffer.concat(parts.parts, parts.size));
    if (!headersSeen) {
      headersSeen = true;
      on.response(headersOf(list), endStream);
      if (endStream) end();
    } else {
      if (!endStream) throw protocolError(); // trailers must end the stream
      on.trailers(headersOf(list));
      end();
    }
  };

  const onFrame = (type: number, flags: number, stream: number, payload: Buffer): void => {
    if (block !== undefined && type !== Type.CONTINUATION) throw protocolError(); // a header block is one run of frames
    switch (type) {
      case Type.DATA:
        if (stream !== STREAM || !headersSeen) throw protocolError();
        on.data(Buffer.from(unpadded(type, flags, payload)));
        if ((flags & END_STREAM) !== 0 && !done) end();
        return;
      case Type.HEADERS:
      case Type.CONTINUATION: {
        if (stream !== STREAM) throw protocolError();
        if (type === Type.CONTINUATION && block === undefined) throw protocolError();
        const fragment = type === Type.HEADERS ? unpadded(type, flags, payload) : payload;
        if (type === Type.HEADERS) block = { parts: [], size: 0, endStream: (flags & END_STREAM) !== 0 };
        const b = block as NonNullable<typeof block>;
        b.parts.push(Buffer.from(fragment));
        b.size += fragment.length;
        if (b.size > MAX_HEADER_BLOCK) throw protocolError();
        if ((flags & END_HEADERS) !== 0) headerBlockDone(b.endStream);
        return;
      }
      case Type.RST_STREAM: {
        if (payload.length !== 4) throw protocolError();
        if (stream !== STREAM) return;
        const code = payload.readUInt32BE(0);
        if (code === 0) end();
        else fail(streamError(code));
        return;
      }
      case Type.SETTINGS:
        if (stream !== 0 || payload.length % 6 !== 0 || ((flags & ACK) !== 0 && payload.length !== 0)) throw protocolError();
        if ((flags & ACK) === 0) socket.write(frame(Type.SETTINGS, ACK, 0));
        return;
      case Type.PUSH_PROMISE:
        throw protocolError(); // disabled in our SETTINGS
      case Type.PING:
        if (stream !== 0 || payload.length !== 8) throw protocolError();
        if ((flags & ACK) === 0) socket.write(frame(Type.PING, ACK, 0, payload));
        return;
      case Type.GOAWAY:
        if (stream !== 0 || payload.length < 8) throw protocolError();
        // Our stream was not processed (last stream id below it): no answer will come.
        if ((payload.readUInt32BE(0) & 0x7fffffff) < STREAM) end(true);
        return;
      default:
        // PRIORITY, WINDOW_UPDATE (we send one small DATA frame) and unknown types: nothing to do.
        return;
    }
  };

  // The answer carries the SVID's private key: every buffer the bytes pass
  // through here is zeroed once parsed (DATA goes to the handler as a copy,
  // which fetch.ts zeroes in turn).
  const onData = (chunk: Buffer): void => {
    const whole = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    if (whole !== chunk) {
      rest.fill(0);
      chunk.fill(0);
    }
    let off = 0;
    try {
      while (!done && whole.length - off >= FRAME_HEADER) {
        const length = whole.readUIntBE(off, 3);
        if (length > MAX_FRAME) throw protocolError();
        if (whole.length - off < FRAME_HEADER + length) break;
        const type = whole[off + 3] as number;
        const flags = whole[off + 4] as number;
        const stream = whole.readUInt32BE(off + 5) & 0x7fffffff;
        const payload = whole.subarray(off + FRAME_HEADER, off + FRAME_HEADER + length);
        off += FRAME_HEADER + length;
        // The server's connection preface is a SETTINGS frame (RFC 9113 § 3.4).
        if (!sawSettings && type !== Type.SETTINGS) throw protocolError();
        sawSettings = true;
        onFrame(type, flags, stream, payload);
      }
    } catch (e) {
      fail(e instanceof HpackError ? protocolError() : (e as Error));
    } finally {
      rest = done ? Buffer.alloc(0) : Buffer.from(whole.subarray(off));
      whole.fill(0);
    }
  };
  const onClose = (): void => end(true);
  socket.on('data', onData);
  socket.once('end', onClose);
  socket.once('close', onClose);

  return {
    destroy(): void {
      stop();
      rest.fill(0);
      rest = Buffer.alloc(0);
      socket.destroy();
    },
  };
}
