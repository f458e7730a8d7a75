// The LISTEN connection (src/nexus/store/postgres/listen.ts) on a real
// cluster, reached through a unix-socket proxy the test can freeze: a
// notification committed by another session arrives; one in a rolled-back
// transaction never does; a connection that goes silent (no RST, no FIN: the
// proxy stops forwarding) is found by the ping and reported lost once; a new
// connection LISTENs again and notifications arrive again.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChangeListener, type ChangeListener } from '../../../../src/nexus/store/postgres/listen.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';

let cluster: PostgresCluster;
let proxyDir: string;
beforeAll(async () => {
  cluster = await startPostgres();
  proxyDir = mkdtempSync(join(tmpdir(), 'pg-proxy-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(proxyDir, { recursive: true, force: true });
});

/** A unix-socket proxy in front of the cluster's socket; freeze() stops forwarding on the connections open now. */
async function startProxy(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const pairs: Array<[Socket, Socket]> = [];
  const frozen: Array<[Socket, Socket]> = [];
  const server: Server = createServer((client) => {
    const upstream = connect(join(cluster.socketDir, `.s.PGSQL.${cluster.port}`));
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(join(proxyDir, `.s.PGSQL.${cluster.port}`), resolve));
  return {
    url: `postgresql://spike@/spike?host=${encodeURIComponent(proxyDir)}&port=${cluster.port}`,
    freeze() {
      for (const [a, b] of pairs.splice(0)) {
        frozen.push([a, b]);
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    async close() {
      for (const [a, b] of [...pairs.splice(0), ...frozen.splice(0)]) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function notify(payload: string, commit = true): Promise<void> {
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query("SELECT pg_notify('spike_ts_test', $1)", [payload]);
    await c.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    await c.end();
  }
}

describe('startChangeListener', () => {
  it('delivers committed notifications only; a silent connection is found by the ping, reported once, and replaced', { timeout: 60_000 }, async () => {
    const proxy = await startProxy();
    const got: string[] = [];
    const log: string[] = [];
    let listener: ChangeListener | undefined;
    try {
      listener = startChangeListener({
        config: { url: proxy.url },
        channel: 'spike_ts_test',
        onNotify: (p) => got.push(p),
        onListening: () => log.push('listening'),
        onLost: (e) => log.push(`lost: ${e.message}`),
        retryInitialMs: 20,
        retryMaxMs: 20,
        pingIntervalMs: 100,
        pingTimeoutMs: 200,
      });
      await until(() => listener?.listening === true, 'LISTEN');
      await notify('rolled-back', false);
      await notify('one');
      await until(() => got.length > 0, 'the first notification');
      expect(got).toEqual(['one']);

      // Silent: nothing is forwarded any more, nothing is closed. New connections still get through.
      proxy.freeze();
      await until(() => log.length >= 2, 'the loss noticed');
      expect(log[1]).toMatch(/^lost: /);
      await until(() => log.length >= 3 && listener?.listening === true, 'a new LISTEN');
      expect(log.filter((l) => l.startsWith('lost')).length).toBe(1);
      expect(log[2]).toBe('listening');
      await notify('two');
      await until(() => got.length > 1, 'a notification after the reconnect');
      expect(got).toEqual(['one', 'two']);
    } finally {
      await listener?.close();
      await proxy.close();
    }
    expect(listener?.listening).toBe(false);
  });

  it('refuses a channel that is not a plain identifier', () => {
    expect(() => startChangeListener({ config: { url: cluster.url }, channel: 'x"; DROP TABLE policies; --', onNotify: () => {}, onListening: () => {}, onLost: () => {} })).toThrow(
      /not a channel name/,
    );
  });
});
