// The answer to a request Node's HTTP parser gave up on: the bytes must be
// those fastify's own default clientErrorHandler writes (taken from fastify
// itself, the handler a plain fastify server listens with), and the socket
// must not be destroyed at once but closed through the lingering close.
import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import Fastify from 'fastify';
import { lingeringClientErrorHandler } from '../../../src/common/client-error.js';
import { LingeringClose } from '../../../src/common/lingering-close.js';

/** A socket stand-in that records what is written and whether it was destroyed. */
class FakeSocket {
  written = '';
  destroyed = false;
  writable = true;
  write(s: string): boolean {
    this.written += s;
    return true;
  }
  destroy(): this {
    this.destroyed = true;
    this.writable = false;
    return this;
  }
}

/** What fastify's default handler writes for `code` (and whether it destroys the socket). */
function fastifyDefault(code: string): FakeSocket {
  const app = Fastify({ logger: false });
  const [handler] = app.server.listeners('clientError') as ((err: Error, socket: FakeSocket) => void)[];
  if (handler === undefined) throw new Error('fastify installs no clientError listener');
  const s = new FakeSocket();
  handler(Object.assign(new Error(code), { code }), s);
  return s;
}

/** What ours writes; the lingering close is recorded instead of run. */
function ours(code: string, socket = new FakeSocket()): { socket: FakeSocket; lingered: unknown[] } {
  const lingered: unknown[] = [];
  const lingering = new LingeringClose();
  lingering.closeAfterAnswer = (s) => {
    lingered.push(s);
  };
  lingeringClientErrorHandler(lingering)(Object.assign(new Error(code), { code }), socket as unknown as Socket);
  return { socket, lingered };
}

describe('answer to a request the HTTP parser gave up on', () => {
  for (const [code, status] of [
    ['HPE_HEADER_OVERFLOW', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_INVALID_METHOD', 400],
    ['HPE_INVALID_CHUNK_SIZE', 400],
  ] as const) {
    it(`${code}: the same bytes as fastify's default (${status}), then a lingering close instead of the immediate destroy`, () => {
      const theirs = fastifyDefault(code);
      expect(theirs.written).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(theirs.destroyed).toBe(true);
      const { socket, lingered } = ours(code);
      expect(socket.written).toBe(theirs.written);
      expect(socket.destroyed).toBe(false);
      expect(lingered).toEqual([socket]);
    });
  }

  it('a connection reset, or a socket already destroyed: nothing written, nothing more done (as fastify)', () => {
    expect(ours('ECONNRESET')).toEqual({ socket: new FakeSocket(), lingered: [] });
    const gone = new FakeSocket().destroy();
    expect(ours('HPE_HEADER_OVERFLOW', gone).socket.written).toBe('');
    expect(ours('HPE_HEADER_OVERFLOW', gone).lingered).toEqual([]);
  });

  it('a socket no longer writable: destroyed, nothing written', () => {
    const s = new FakeSocket();
    s.writable = false;
    const r = ours('HPE_HEADER_OVERFLOW', s);
    expect(r.socket.written).toBe('');
    expect(r.socket.destroyed).toBe(true);
    expect(r.lingered).toEqual([]);
  });
});
