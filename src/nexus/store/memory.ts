// The `memory` backend (upstream `memory`): everything in process memory,
// deep-copied in and out, nothing persisted, no root key.
import type { SecretWrite, StoreBackend } from './store-backend.js';
import { createStore } from './core.js';
import { compareBytewise } from './order.js';
import type { MemoryStoreOptions, Policy, SecretStore } from './types.js';
import type { SecretHeader } from './versioning.js';

interface MemorySecret {
  header: SecretHeader;
  values: Map<number, Record<string, string>>;
}

function copyRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(r)) out[k] = v;
  return out;
}

function copyPolicy(p: Policy): Policy {
  return {
    name: p.name,
    spiffeIdPattern: p.spiffeIdPattern,
    pathPattern: p.pathPattern,
    permissions: [...p.permissions],
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
  };
}

function copyHeader(h: SecretHeader): SecretHeader {
  return { metadata: { ...h.metadata }, versions: new Map(h.versions) };
}

function memoryBackend(): StoreBackend {
  const secrets = new Map<string, MemorySecret>();
  const policies = new Map<string, Policy>();
  return {
    kind: 'memory',
    // Every write changes the maps only after its last check, so a write that throws changed nothing.
    atomically: (fn) => fn(),
    inTransaction: () => true,
    loadCurrentVersion: (path) => secrets.get(path)?.header.metadata.currentVersion,
    loadVersionInfo(path, version) {
      const v = secrets.get(path)?.header.versions.get(version);
      return v === undefined ? undefined : { ...v };
    },
    loadHeader(path) {
      const s = secrets.get(path);
      return s === undefined ? undefined : copyHeader(s.header);
    },
    loadValues(path, version) {
      const v = secrets.get(path)?.values.get(version);
      return v === undefined ? undefined : copyRecord(v);
    },
    writeSecret(path, write: SecretWrite) {
      const s = secrets.get(path) ?? { header: write.header, values: new Map<number, Record<string, string>>() };
      s.header = copyHeader(write.header);
      if (write.insert !== undefined) s.values.set(write.insert.version, copyRecord(write.insert.values));
      for (const n of write.removed) s.values.delete(n);
      secrets.set(path, s);
    },
    listPaths: () => [...secrets.keys()].sort(compareBytewise),
    loadPolicy(name) {
      const p = policies.get(name);
      return p === undefined ? undefined : copyPolicy(p);
    },
    savePolicy(policy) {
      policies.set(policy.name, copyPolicy(policy));
    },
    deletePolicy: (name) => policies.delete(name),
    listPolicies: () => [...policies.values()].sort((a, b) => compareBytewise(a.name, b.name)).map(copyPolicy),
    close() {
      secrets.clear();
      policies.clear();
    },
  };
}

export function openMemoryStore(opts: MemoryStoreOptions): SecretStore {
  return createStore(memoryBackend(), {
    maxVersions: opts.maxVersions,
    now: opts.now ?? (() => new Date()),
    ...(opts.groupCommit === undefined ? {} : { groupCommit: opts.groupCommit }),
  });
}
