// The settings of a single pg.Client (outside the pool) on the store's
// database: the pool's connection settings (connection.ts), a per-query
// deadline, TCP keepalive, and the pool's application_name — a running Nexus
// then always holds a session by that name (store copy refuses while one is
// there). Used by the LISTEN connection (listen.ts) and the restore
// collector's lock connection.
import type pg from 'pg';
import { poolSettings, type PostgresConfig } from './connection.js';

export function singleClientConfig(config: PostgresConfig, queryTimeoutMs: number): pg.ClientConfig {
  const { pool } = poolSettings(config);
  return {
    ...(pool.host === undefined ? {} : { host: pool.host }),
    ...(pool.port === undefined ? {} : { port: pool.port }),
    ...(pool.user === undefined ? {} : { user: pool.user }),
    ...(pool.database === undefined ? {} : { database: pool.database }),
    ...(typeof pool.password === 'string' ? { password: pool.password } : {}),
    ...(pool.ssl === undefined ? {} : { ssl: pool.ssl }),
    ...(pool.connectionTimeoutMillis === undefined ? {} : { connectionTimeoutMillis: pool.connectionTimeoutMillis }),
    query_timeout: queryTimeoutMs,
    keepAlive: true,
    application_name: pool.application_name ?? 'spike-nexus',
  };
}
