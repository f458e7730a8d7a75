// The answer to a request Node's HTTP parser gave up on ('clientError':
// headers too large, headers not in before the deadline, malformed request):
// the very bytes fastify's default clientErrorHandler writes (fastify 5,
// fastify.js defaultClientErrorHandler: 431, 408 or 400 with its short JSON
// body), but then the socket closes lingering (lingering-close.ts) instead
// of being destroyed at once, so that no TCP reset discards the answer while
// the client is still sending (an oversized header block, say).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { LingeringClose } from './lingering-close.js';

/** The status and body fastify's default handler answers `err` with. */
export function clientErrorAnswer(err: NodeJS.ErrnoException): { status: number; body: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, body: '{"error":"Request Timeout","message":"Client Timeout","statusCode":408}' };
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, body: '{"error":"Request Header Fields Too Large","message":"Exceeded maximum allowed HTTP header size","statusCode":431}' };
  }
  return { status: 400, body: '{"error":"Bad Request","message":"Client Error","statusCode":400}' };
}

/** A fastify `clientErrorHandler` that answers as fastify's default does and closes the socket through `lingering`. */
export function lingeringClientErrorHandler(lingering: LingeringClose): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    // A reset connection, or one already gone: nothing to answer (as fastify's default).
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // Another error on a socket already answered and lingering (the parser reports each later chunk, the deadline check repeats).
    if (lingering.isLingering(socket)) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const { status, body } = clientErrorAnswer(err);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\n\r\n${body}`);
    lingering.closeAfterAnswer(socket);
  };
}
