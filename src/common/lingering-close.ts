// Lingering close (as Go's net/http closeWriteAndWait), for the HTTPS servers
// of Nexus and the Keepers: when a server answers and closes a connection
// whose input it has not all read (an early refusal, a body past the limit,
// a request its HTTP parser gave up on), closing the socket at once with
// input still unread makes the kernel send RST, and an RST can discard the
// answer still on its way to the client (or make the client's next write
// fail before it read the answer). Instead the socket half-closes (end(): TLS
// close_notify and FIN after the answer), reads and discards what the client
// still sends (up to `bytes`, then it stops reading; none of it reaches the
// HTTP parser any more, so no further request on that connection is served),
// and is destroyed when the client ends or after `timeMs`, whichever comes
// first. The socket stays counted by the connection caps while it lingers.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface LingerBounds {
  /** How long a socket may stay open after its answer was written (ms). */
  readonly timeMs: number;
  /** How many bytes of further input are read and discarded at most (then reading stops until the time bound). */
  readonly bytes: number;
}

export const DEFAULT_LINGER_BOUNDS: LingerBounds = Object.freeze({ timeMs: 1_000, bytes: 256 * 1024 });

export class LingeringClose {
  readonly #lingering = new Set<Socket>();
  /** Sockets taken over, each with the switch that turns its discarding on. */
  readonly #taken = new WeakMap<Socket, () => void>();
  #closing = false;

  constructor(readonly bounds: LingerBounds = DEFAULT_LINGER_BOUNDS) {
    if (!(bounds.timeMs > 0) || !(bounds.bytes >= 0)) throw new RangeError('lingering close: timeMs must be > 0 and bytes ≥ 0');
  }

  /**
   * Makes `req`'s socket linger when Node's HTTP server closes it after the
   * `Connection: close` answer (it calls socket.destroySoon() once the answer
   * is written); a request whose input was all read by then (or whose client
   * has already ended) closes as before. Call it when the answer is decided,
   * before it is sent.
   */
  arm(req: IncomingMessage): void {
    const socket = req.socket as Socket | null;
    // (fastify inject's fake socket has no destroySoon: nothing to do there)
    if (socket === null || socket.destroyed || typeof socket.destroySoon !== 'function' || this.#taken.has(socket)) return;
    // Listening now, while Node's HTTP parser still reads the body: a 'data'
    // listener takes the socket's input back from the parser (which otherwise
    // reads the handle directly), so the socket's own pause()/resume() govern
    // reading from here on (added only at the close, the parser may have
    // stopped the handle already and nothing would start it again).
    const discardFromNowOn = this.#discarder(socket);
    const immediate = socket.destroySoon.bind(socket);
    // An own property shadowing net.Socket.prototype.destroySoon, for this socket only.
    socket.destroySoon = () => {
      if (req.complete || socket.readableEnded || this.#closing) {
        immediate();
        return;
      }
      discardFromNowOn();
      this.#linger(socket);
    };
  }

  /**
   * Closes, lingering, a socket whose answer has just been written directly
   * (the HTTP server's 'clientError': the parser gave up on the request, or
   * its headers came too late). A socket already destroyed, not writable, or
   * with the server closing is destroyed at once; one already lingering is
   * left as it is (its timer runs).
   */
  closeAfterAnswer(socket: Socket): void {
    if (this.#lingering.has(socket)) return;
    if (socket.destroyed || !socket.writable || this.#closing) {
      socket.destroy();
      return;
    }
    (this.#taken.get(socket) ?? this.#discarder(socket))();
    this.#linger(socket);
  }

  isLingering(socket: Socket): boolean {
    return this.#lingering.has(socket);
  }

  /** Destroys the lingering sockets now, and any later one at once (the server is closing). */
  closeAll(): void {
    this.#closing = true;
    for (const s of [...this.#lingering]) s.destroy();
  }

  /**
   * A 'data' listener that, once the returned switch is turned, discards
   * what arrives (pausing the socket past the byte bound) and is the only
   * one left: the HTTP parser's own listener goes, so nothing that arrives
   * is parsed or served any more.
   */
  #discarder(socket: Socket): () => void {
    let on = false;
    let discarded = 0;
    const discard = (chunk: Buffer): void => {
      if (!on) return;
      discarded += chunk.length;
      // The rest of a refused body may hold a secret (a shard, a value): dropped zeroed.
      chunk.fill(0);
      // Past the byte bound: stop reading (no more work for this client), and
      // let the time bound destroy the socket; destroying it now would send the
      // very RST this avoids, the answer perhaps still unread.
      if (discarded > this.bounds.bytes) socket.pause();
    };
    socket.on('data', discard);
    const turnOn = (): void => {
      on = true;
      for (const l of socket.listeners('data')) if (l !== discard) socket.removeListener('data', l as (...args: unknown[]) => void);
    };
    this.#taken.set(socket, turnOn);
    return turnOn;
  }

  #linger(socket: Socket): void {
    if (socket.destroyed) return;
    this.#lingering.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.bounds.timeMs);
    timer.unref();
    // The client has sent everything: destroy once the answer is flushed (the timer still bounds it).
    socket.once('end', () => {
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    });
    socket.once('close', () => {
      clearTimeout(timer);
      this.#lingering.delete(socket);
    });
    socket.end();
    socket.resume();
  }
}
