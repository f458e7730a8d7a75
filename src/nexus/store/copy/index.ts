// Moving a store between backends (docs/postgres.md § Moving a store):
//
//   parseStoreEndpoint('sqlite:PATH' | 'postgres:URL'): StoreEndpoint
//   openCopySource(endpoint, { password? }): Promise<SourceSide>
//   openCopyTarget(endpoint, { password? }): Promise<TargetSide>
//   copyStore(source, target, { batchSize?, afterBatch?, now? }): Promise<CopyResult>
//
// Library only: no printing, no exit. Failures are CopyError (one line, `reason`).
import { openPostgresSource, openPostgresTarget } from './postgres-side.js';
import { openSqliteSource, openSqliteTarget } from './sqlite-side.js';
import { postgresLocation, type StoreEndpoint } from './endpoint.js';
import type { SourceSide, TargetSide } from './side.js';

export { copyStore, DEFAULT_BATCH_SIZE, type CopyOptions, type CopyResult, type TableCount } from './copy.js';
export { CopyError, type CopyFailure } from './errors.js';
export { EndpointError, parseStoreEndpoint, urlHasPassword, type StoreEndpoint } from './endpoint.js';
export { COPY_APPLICATION_NAME } from './postgres-side.js';
export { createSqliteSchema } from './sqlite-side.js';
export type { SourceSide, TargetSide } from './side.js';
export { COPIED_TABLES, type CopiedTable } from './tables.js';

export interface EndpointSecrets {
  /** The PostgreSQL password (SPIKE_NEXUS_DATABASE_PASSWORD_FILE), for a postgres endpoint. */
  readonly password?: string;
}

export async function openCopySource(endpoint: StoreEndpoint, secrets: EndpointSecrets = {}): Promise<SourceSide> {
  if (endpoint.kind === 'sqlite') return openSqliteSource(endpoint);
  return openPostgresSource(postgresLocation(endpoint, secrets.password));
}

export async function openCopyTarget(endpoint: StoreEndpoint, secrets: EndpointSecrets = {}): Promise<TargetSide> {
  if (endpoint.kind === 'sqlite') return openSqliteTarget(endpoint);
  return openPostgresTarget(postgresLocation(endpoint, secrets.password));
}
