// The minimal HTTP/2 client of the one-shot Workload API call
// (src/spiffe/h2call.ts) against Node's own HTTP/2 server (nghttp2, an
// independent implementation): what the server receives, and what the client
// makes of answers nghttp2 encodes (Huffman strings, the dynamic table,
// CONTINUATION frames, DATA in pieces, trailers, PING, resets).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import { constants, createServer, type Http2Server, type ServerHttp2Stream, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { startH2Call, type H2Headers } from '../../../src/spiffe/h2call.js';
import { encodeLiteralHeaders } from '../../../src/spiffe/hpack.js';

interface Seen {
  response?: { headers: H2Headers; endStream: boolean };
  data: Buffer[];
  trailers?: H2Headers;
  closed?: boolean;
  error?: Error;
}

let dir: string;
let server: Http2Server | NetServer | undefined;
/** What the server side holds open, destroyed after each test so that the server closes at once. */
const open = new Set<{ destroy(): void }>();

beforeEach(() => {
  dir = mkdtempSync('/tmp/h2c-');
});
afterEach(async () => {
  for (const o of open) o.destroy();
  open.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** An HTTP/2 server on a unix socket that answers every stream with `answer`. */
async function h2Server(answer: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, session: ServerHttp2Session) => void): Promise<string> {
  const path = join(dir, 's.sock');
  const s = createServer();
  s.on('session', (session) => open.add(session));
  s.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a stream the test resets itself
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => answer(stream, headers, Buffer.concat(parts), stream.session as ServerHttp2Session));
  });
  server = s;
  await new Promise<void>((r) => s.listen(path, r));
  return path;
}

/** Runs one call on `path`; resolves when the client reports the end (close or error). */
function call(path: string, extra: [string, string][] = []): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = { data: [] };
    const socket = connect(path);
    socket.on('error', (e) => {
      seen.error = e;
      resolve(seen);
    });
    const c = startH2Call(
      socket,
      { authority: 'localhost', path: '/SpiffeWorkloadAPI/FetchX509SVID', headers: [['content-type', 'application/grpc'], ...extra], body: Buffer.alloc(5) },
      {
        response: (headers, endStream) => (seen.response = { headers, endStream }),
        data: (chunk) => seen.data.push(chunk),
        trailers: (t) => (seen.trailers = t),
        close: () => {
          seen.closed = true;
          c.destroy();
          resolve(seen);
        },
        error: (e) => {
          seen.error = e;
          c.destroy();
          resolve(seen);
        },
      },
    );
  });
}

describe('startH2Call against node:http2', () => {
  it('sends the request as given and reads headers, DATA in pieces and trailers (Huffman, dynamic table, CONTINUATION)', async () => {
    let got: { headers: IncomingHttpHeaders; body: Buffer } | undefined;
    const long = 'v'.repeat(20_000); // more than one 16 KiB frame: HEADERS + CONTINUATION
    const path = await h2Server((stream, headers, body) => {
      got = { headers, body };
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-custom': 'Some Value ~!@#$%^&*()', 'x-long': long }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-custom': 'Some Value ~!@#$%^&*()', 'grpc-message': 'fine%20here' }));
      for (let i = 0; i < 50; i++) stream.write(Buffer.alloc(1000, i));
      stream.end();
    });
    const seen = await call(path, [['workload.spiffe.io', 'true']]);
    expect(seen.error).toBeUndefined();
    expect(got?.headers).toMatchObject({
      ':method': 'POST',
      ':scheme': 'http',
      ':authority': 'localhost',
      ':path': '/SpiffeWorkloadAPI/FetchX509SVID',
      'content-type': 'application/grpc',
      'workload.spiffe.io': 'true',
    });
    expect(got?.body).toEqual(Buffer.alloc(5));
    expect(seen.response).toEqual({
      headers: expect.objectContaining({ ':status': '200', 'content-type': 'application/grpc', 'x-custom': 'Some Value ~!@#$%^&*()', 'x-long': long }),
      endStream: false,
    });
    expect(Buffer.concat(seen.data)).toEqual(Buffer.concat([...Array(50).keys()].map((i) => Buffer.alloc(1000, i))));
    expect(seen.trailers).toEqual(expect.objectContaining({ 'grpc-status': '0', 'x-custom': 'Some Value ~!@#$%^&*()', 'grpc-message': 'fine%20here' }));
    expect(seen.closed).toBe(true);
  });

  it('a trailers-only answer: the response ends the stream', async () => {
    const path = await h2Server((stream) => stream.respond({ ':status': 200, 'grpc-status': '7', 'grpc-message': 'no identity' }, { endStream: true }));
    const seen = await call(path);
    expect(seen.response).toEqual({ headers: expect.objectContaining({ 'grpc-status': '7', 'grpc-message': 'no identity' }), endStream: true });
    expect(seen.closed).toBe(true);
  });

  it('answers the server\'s PING before the answer comes', async () => {
    let pinged: Error | null | undefined;
    const path = await h2Server((stream, _h, _b, session) => {
      session.ping((err) => {
        pinged = err;
        stream.respond({ ':status': 200 });
        stream.end(Buffer.from('x'));
      });
    });
    const seen = await call(path);
    expect(pinged).toBeNull();
    expect(Buffer.concat(seen.data).toString()).toBe('x');
    expect(seen.closed).toBe(true);
  });

  it('a stream reset with an error code is an error as Node names it', async () => {
    const path = await h2Server((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    const seen = await call(path);
    expect(seen.error).toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR', message: 'Stream closed with error code NGHTTP2_INTERNAL_ERROR' });
  });

  it('a server that does not speak HTTP/2 is a protocol error', async () => {
    const path = join(dir, 'h1.sock');
    const s = createNetServer((sock) => {
      open.add(sock);
      sock.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    server = s;
    await new Promise<void>((r) => s.listen(path, r));
    const seen = await call(path);
    expect(seen.error).toMatchObject({ code: 'ERR_HTTP2_ERROR' });
  });

  it('a connection closed before the answer: closed, the connection gone', async () => {
    const path = join(dir, 'gone.sock');
    const s = createNetServer((sock) => {
      open.add(sock);
      sock.end();
    });
    server = s;
    await new Promise<void>((r) => s.listen(path, r));
    const seen = await call(path);
    expect(seen.closed).toBe(true);
    expect(seen.response).toBeUndefined();
  });
});

describe('startH2Call: what it received is zeroed once parsed (the answer holds the SVID key)', () => {
  const frame = (type: number, flags: number, stream: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(stream, 5);
    return Buffer.concat([h, payload]);
  };

  it('every chunk the socket delivered, whole frames or split ones', () => {
    const socket = Object.assign(new EventEmitter(), { write: () => true, destroy: () => undefined }) as unknown as Socket;
    const data: Buffer[] = [];
    let closed = false;
    startH2Call(socket, { authority: 'localhost', path: '/x', headers: [], body: Buffer.alloc(5) }, {
      response: () => undefined,
      data: (c) => data.push(c),
      trailers: () => undefined,
      close: () => (closed = true),
      error: (e) => {
        throw e;
      },
    });
    const secret = Buffer.from('-----BEGIN PRIVATE KEY----- not really');
    const wire = Buffer.concat([
      frame(4, 0, 0, Buffer.alloc(0)),
      frame(1, 4, 1, encodeLiteralHeaders([[':status', '200']])),
      frame(0, 1, 1, secret),
    ]);
    // in two pieces, cut inside the DATA frame
    const a = Buffer.from(wire.subarray(0, wire.length - 10));
    const b = Buffer.from(wire.subarray(wire.length - 10));
    socket.emit('data', a);
    socket.emit('data', b);
    expect(Buffer.concat(data)).toEqual(secret);
    expect(closed).toBe(true);
    expect(a.every((x) => x === 0)).toBe(true);
    expect(b.every((x) => x === 0)).toBe(true);
  });
});
