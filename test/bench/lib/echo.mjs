// The baseline server of the throughput figures: echo-server.mjs in its own
// process, with Nexus's SVID (sent over IPC, never argv/env), accepting one
// client SPIFFE ID.
import { fork } from 'node:child_process';
import { join } from 'node:path';

/** Starts the echo server; resolves with { port, pid, stop }. */
export async function startEcho(nexusSvid, clientId) {
  const child = fork(join(import.meta.dirname, '..', 'echo-server.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { PATH: process.env.PATH } });
  const port = await new Promise((ok, ko) => {
    const t = setTimeout(() => ko(new Error('echo server did not start')), 10_000);
    child.once('message', (m) => (clearTimeout(t), ok(m.port)));
    child.once('exit', (c) => ko(new Error(`echo server exited ${c}`)));
    child.send({ cert: nexusSvid.cert, key: nexusSvid.key, ca: nexusSvid.ca, clientId });
  });
  return { port, pid: child.pid, stop: () => child.kill('SIGTERM') };
}
