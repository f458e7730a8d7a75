import type { MemoryStoreOptions, SecretStore } from './types.js';

export function openMemoryStore(_opts: MemoryStoreOptions): SecretStore {
  throw new Error('not implemented');
}
