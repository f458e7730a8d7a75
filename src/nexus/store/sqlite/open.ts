import type { KeyCheckResult, SecretStore, SqliteStoreOptions } from '../types.js';

export function openSqliteStore(_opts: SqliteStoreOptions): SecretStore {
  throw new Error('not implemented');
}

export function checkRootKey(_dataDir: string, _candidateKey: Uint8Array): KeyCheckResult {
  throw new Error('not implemented');
}

export function storeHoldsData(_dataDir: string): boolean {
  throw new Error('not implemented');
}
