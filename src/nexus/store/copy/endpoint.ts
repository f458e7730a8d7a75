// The two ends of `spike-nexus store copy`, as given:
//   sqlite:PATH    PATH is the directory holding spike.db (Nexus's data
//                  directory, $SPIKE_NEXUS_DATA_DIR/data), or that spike.db
//                  file itself (a path whose last component is spike.db).
//                  Relative paths are taken from the working directory.
//   postgres:URL   URL is postgres://… or postgresql://… as for
//                  SPIKE_NEXUS_DATABASE_URL (the `postgres:` prefix may be
//                  left out: postgres://… alone is understood).
import { basename, dirname, join, resolve } from 'node:path';
import { DB_FILE_NAME } from '../sqlite/schema.js';
import type { PostgresLocation } from './postgres-side.js';
import type { SqliteLocation } from './sqlite-side.js';

export type StoreEndpoint = ({ readonly kind: 'sqlite' } & SqliteLocation) | { readonly kind: 'postgres'; readonly url: string };

/** A malformed endpoint (a usage error). */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

const PG_URL = /^postgres(?:ql)?:\/\//i;

export function parseStoreEndpoint(text: string): StoreEndpoint {
  if (PG_URL.test(text)) return { kind: 'postgres', url: text };
  const m = /^(sqlite|postgres):(.*)$/s.exec(text);
  if (m === null) throw new EndpointError('expected sqlite:PATH or postgres:URL');
  const [, kind, rest = ''] = m;
  if (kind === 'postgres') {
    if (!PG_URL.test(rest)) throw new EndpointError('postgres: needs a postgres:// or postgresql:// URL');
    return { kind: 'postgres', url: rest };
  }
  if (rest === '') throw new EndpointError('sqlite: needs a path (the directory holding spike.db, or spike.db itself)');
  const path = resolve(rest);
  if (basename(path) === DB_FILE_NAME) return { kind: 'sqlite', dataDir: dirname(path), file: path };
  if (/\.(db|sqlite3?)$/i.test(path)) throw new EndpointError(`sqlite: the database file must be named ${DB_FILE_NAME} (Nexus opens no other), or give its directory`);
  return { kind: 'sqlite', dataDir: path, file: join(path, DB_FILE_NAME) };
}

/**
 * Whether a postgres URL carries a password (user:password@…). Conservative,
 * by the rule redactDatabaseUrl (src/nexus/database-config.ts) masks by: a
 * ':' anywhere before the last '@' counts.
 */
export function urlHasPassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url);
  if (m === null) return false;
  const after = m[1] ?? '';
  const at = after.lastIndexOf('@');
  const colon = after.indexOf(':');
  return at >= 0 && colon >= 0 && colon < at;
}

/** The store at `endpoint` as a PostgresLocation (with the password from a file, if any). */
export function postgresLocation(endpoint: { readonly url: string }, password: string | undefined): PostgresLocation {
  return password === undefined ? { url: endpoint.url } : { url: endpoint.url, password };
}
