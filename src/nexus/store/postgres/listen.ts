// LISTEN on one PostgreSQL channel over a dedicated connection (not a pooled
// one: a pooled connection goes back to the pool and its LISTEN with it), so
// that several Nexus replicas on one database learn of each other's writes.
// Writers NOTIFY inside their write transaction; PostgreSQL delivers the
// notification on COMMIT only, and never for a rolled-back write.
//
// A notification sent while this connection was down is lost for good: the
// owner is told (onLost) at once, and told again (onListening) only once a new
// connection LISTENs — everything before that moment may have been missed, so
// a cache must be dropped then. A connection that breaks silently (a network
// partition: no RST, no FIN) is found by a ping every `pingIntervalMs` that
// must be answered within `pingTimeoutMs`. Reconnects back off (250 ms → 5 s).
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Backoff } from '../../../util/backoff.js';
import { singleClientConfig } from './client-config.js';
import type { PostgresConfig } from './connection.js';

/** The channel policy writes notify on (payload: the policy's name). */
export const POLICY_CHANNEL = 'spike_ts_policies';

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface ChangeListenerOptions {
  /** The database (as for connectPostgres; only the connection settings are used). */
  readonly config: PostgresConfig;
  /** A lowercase SQL identifier (quoted as it is). */
  readonly channel: string;
  /** A notification on the channel (another replica's committed write, or ours). */
  onNotify(payload: string): void;
  /** LISTEN is in effect (first time, and after every reconnect): anything before may have been missed. */
  onListening(): void;
  /** The connection failed or was lost: notifications are missed until the next onListening. Called once per loss. */
  onLost(error: Error): void;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Default 5 000 ms. */
  readonly pingIntervalMs?: number;
  /** Default 5 000 ms. */
  readonly pingTimeoutMs?: number;
}

export interface ChangeListener {
  /** True while LISTEN is in effect on a live connection. */
  readonly listening: boolean;
  /** Ends the connection and the reconnects (idempotent). */
  close(): Promise<void>;
}

export function startChangeListener(opts: ChangeListenerOptions): ChangeListener {
  if (!CHANNEL_NAME.test(opts.channel)) throw new Error(`not a channel name: ${JSON.stringify(opts.channel)}`);
  const pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
  const clientConfig = singleClientConfig(opts.config, pingTimeoutMs);
  const backoff = new Backoff({ initialMs: opts.retryInitialMs ?? 250, maxMs: opts.retryMaxMs ?? 5_000, jitter: 0.2 });
  let closed = false;
  let listening = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let lostReported = false;
  let connecting: Promise<void> | undefined;

  const lost = (c: pg.Client, e: Error): void => {
    if (c !== client) return; // an old connection's late event
    client = undefined;
    listening = false;
    if (pingTimer !== undefined) clearInterval(pingTimer);
    pingTimer = undefined;
    c.end().catch(() => undefined);
    if (!lostReported) {
      lostReported = true;
      opts.onLost(e);
    }
    if (!closed) retryTimer = setTimeout(connect, backoff.next());
  };

  const connect = (): void => {
    retryTimer = undefined;
    if (closed) return;
    const c = new pg.Client(clientConfig);
    client = c;
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c, new Error('the LISTEN connection was closed')));
    c.on('notification', (m) => {
      if (c === client && m.channel === opts.channel) opts.onNotify(m.payload ?? '');
    });
    connecting = (async () => {
      try {
        await c.connect();
        await c.query(`LISTEN "${opts.channel}"`);
      } catch (e) {
        lost(c, e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (c !== client || closed) return;
      listening = true;
      lostReported = false;
      backoff.reset();
      pingTimer = setInterval(() => {
        c.query('SELECT 1').catch((e: unknown) => lost(c, e instanceof Error ? e : new Error(String(e))));
      }, opts.pingIntervalMs ?? 5_000);
      pingTimer.unref();
      opts.onListening();
    })();
  };

  connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      if (closed) return;
      closed = true;
      listening = false;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      if (pingTimer !== undefined) clearInterval(pingTimer);
      await Promise.race([connecting?.catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
      const c = client;
      client = undefined;
      // A connection gone silent would hold end() until TCP gives up: wait a moment, no more.
      if (c !== undefined) await Promise.race([c.end().catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
    },
  };
}
