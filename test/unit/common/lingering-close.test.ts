// LingeringClose on a plain loopback TCP socket: what it reads and discards
// while a socket lingers (the rest of a refused body, which may hold a shard
// or a secret value) is zeroed before it is dropped.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { LingeringClose } from '../../../src/common/lingering-close.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function pair(): Promise<{ server: net.Socket; client: net.Socket }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  client.on('error', () => undefined);
  const server = await accepted;
  cleanups.push(() => {
    client.destroy();
    server.destroy();
    listener.close();
  });
  return { server, client };
}

describe('LingeringClose', () => {
  it('zeroes what it discards while the socket lingers', async () => {
    const { server, client } = await pair();
    const lingering = new LingeringClose({ timeMs: 60_000, bytes: 1024 * 1024 });
    // An HTTP request whose body is still coming (complete: false), as the server sees it.
    lingering.arm({ socket: server, complete: false } as unknown as IncomingMessage);
    const closed = new Promise((r) => server.once('close', r));
    server.destroySoon();
    expect(lingering.isLingering(server)).toBe(true);
    // Added after the discarder: sees each chunk once the discarder is done with it.
    const seen: Buffer[] = [];
    server.on('data', (c: Buffer) => seen.push(c));
    client.write(Buffer.from('spike:1:' + 'ab'.repeat(32)));
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(seen.every((c) => c.length > 0 && c.every((b) => b === 0))).toBe(true);
    // The client ends its side (by itself on the server's FIN): the lingering socket goes.
    await closed;
    expect(lingering.isLingering(server)).toBe(false);
  });
});
