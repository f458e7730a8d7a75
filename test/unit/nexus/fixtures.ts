// Test doubles for Nexus unit tests: a key-checked store gate over the real
// memory store, fake keepers, a capturing logger, and an app wired like
// main.ts but with the caller's SPIFFE ID taken from a test header.
import type { RestoreForwarding } from '../../../src/nexus/restore/forward.js';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createLogger, type Logger } from '../../../src/common/log.js';
import { asNexusStore, openMemoryStore } from '../../../src/nexus/store/index.js';
import type { KeyCheck, SecretsStore, StoreGate } from '../../../src/nexus/state/store-interface.js';
import { NexusState, type KeySource } from '../../../src/nexus/state/nexus-state.js';
import { RestoreCollector, type CollectorLimits } from '../../../src/nexus/restore/collector.js';
import { RateLimiter, type RateLimitOptions } from '../../../src/nexus/restore/rate-limit.js';
import { buildRoutes } from '../../../src/nexus/routes/index.js';
import type { RotationControl } from '../../../src/nexus/routes/route.js';
import { RotationEngine } from '../../../src/nexus/rotation/engine.js';
import { buildNexusApp } from '../../../src/nexus/server/app.js';
import { PolicyIndex } from '../../../src/nexus/auth/policy-index.js';
import { createEarlyFilter } from '../../../src/nexus/auth/early-filter.js';
import type { KeeperLink } from '../../../src/nexus/sync/keepers.js';
import { computeShares } from '../../../src/shamir/index.js';
import type { NexusBackend } from '../../../src/nexus/config.js';

export const TD = 'spike.ist';
export const IDS = {
  recover: `spiffe://${TD}/spike/pilot/role/recover`,
  restore: `spiffe://${TD}/spike/pilot/role/restore`,
  superuser: `spiffe://${TD}/spike/pilot/role/superuser`,
  bootstrap: `spiffe://${TD}/spike/bootstrap`,
  nexus: `spiffe://${TD}/spike/nexus`,
  keeper: `spiffe://${TD}/spike/keeper`,
};
export const PEER_HEADER = 'x-test-peer';

export interface LogLine {
  msg?: string;
  action?: string;
  [k: string]: unknown;
}

export function captureLogger(): { log: Logger; lines: LogLine[]; audits: LogLine[]; raw: string[]; events: (msg: string) => LogLine[] } {
  const lines: LogLine[] = [];
  const audits: LogLine[] = [];
  /** Every line as written (log and audit), before parsing. */
  const raw: string[] = [];
  const log = createLogger({
    component: 'nexus',
    level: 'debug',
    out: (l) => (raw.push(l), lines.push(JSON.parse(l) as LogLine)),
    auditOut: (l) => (raw.push(l), audits.push(JSON.parse(l) as LogLine)),
  });
  return { log, lines, audits, raw, events: (msg) => lines.filter((l) => l.msg === msg) };
}

/** A gate with SQLite-like key-check semantics, over the real memory store. */
export class FakeGate implements StoreGate {
  keyCheck: Buffer | undefined;
  opened = 0;
  maxVersions = 10;
  /** Clock of the stores it opens (tests set it for exact times). */
  now: (() => Date) | undefined;
  constructor(keyCheck?: Uint8Array) {
    this.keyCheck = keyCheck === undefined ? undefined : Buffer.from(keyCheck);
  }
  async hasKeyCheck(): Promise<boolean> {
    return this.keyCheck !== undefined;
  }
  async checkKey(key: Uint8Array): Promise<KeyCheck> {
    if (this.keyCheck === undefined) return 'empty';
    return key.length === 32 && timingSafeEqual(this.keyCheck, key) ? 'match' : 'mismatch';
  }
  /** Candidate keys checked through withKeyCheck (restore's search). */
  searched = 0;
  async withKeyCheck<T>(fn: (check: (key: Uint8Array) => KeyCheck) => T): Promise<T> {
    return fn((key) => {
      this.searched++;
      if (this.keyCheck === undefined) return 'empty';
      return key.length === 32 && timingSafeEqual(this.keyCheck, key) ? 'match' : 'mismatch';
    });
  }
  async open(key: Uint8Array): Promise<SecretsStore> {
    if (key.length === 32 && this.keyCheck === undefined) this.keyCheck = Buffer.from(key);
    this.opened++;
    return asNexusStore(openMemoryStore({ maxVersions: this.maxVersions, ...(this.now ? { now: this.now } : {}) }));
  }
  async close(): Promise<void> {}
}

export class FakeKeeper implements KeeperLink {
  shard: Uint8Array | undefined;
  down = false;
  fetches = 0;
  contributions = 0;
  /** Answer 200 with a null shard (a bad keeper). */
  nullAnswer = false;
  constructor(
    readonly id: number,
    readonly url = `https://keeper-${id}.test`,
  ) {}
  async fetchShard(): Promise<Uint8Array | undefined> {
    this.fetches++;
    if (this.down) throw new Error('ECONNREFUSED');
    if (this.nullAnswer) return undefined;
    return this.shard === undefined ? undefined : Uint8Array.from(this.shard);
  }
  async contributeShard(shard: Uint8Array): Promise<void> {
    if (this.down) throw new Error('ECONNREFUSED');
    this.contributions++;
    this.shard = Uint8Array.from(shard);
  }
}

export function keyOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export function sharesOf(key: Uint8Array, threshold = 2, n = 3): { id: number; value: Uint8Array }[] {
  return computeShares(key, threshold, n);
}

export function restoreBody(id: unknown, shard: unknown): string {
  return JSON.stringify({ id, shard });
}

export interface Harness {
  app: FastifyInstance;
  state: NexusState;
  gate: FakeGate;
  logs: ReturnType<typeof captureLogger>;
  installs: KeySource[];
  collector: RestoreCollector;
  post(path: string, body: string | Buffer | undefined, peer?: string, method?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  backend?: NexusBackend;
  threshold?: number;
  shares?: number;
  /** Key-check value already in the store (bootstrap happened). */
  storedKey?: Uint8Array;
  /** Install this key before the test. */
  installed?: Uint8Array;
  /** The restore rate limit (`now`: a fake clock). */
  rate?: RateLimitOptions;
  /** The restore collection's limits (values per id, candidate sets per call). */
  limits?: CollectorLimits;
  bodyLimit?: number;
  /** SPIKE_NEXUS_MAX_SECRET_VERSIONS of the stores the gate opens. */
  maxVersions?: number;
  /** Clock of the stores the gate opens. */
  now?: () => Date;
  /** The gate (default: a FakeGate holding `storedKey`). */
  gate?: FakeGate;
  /** The rotation engine the routes use (default: a real engine over the state; the fake gate's stores cannot rotate). */
  rotation?: RotationControl;
  /** Restore through another replica (the postgres backend's forwarding; default: none). */
  restoreForward?: RestoreForwarding;
}

export async function makeHarness(o: HarnessOptions = {}): Promise<Harness> {
  const backend = o.backend ?? 'sqlite';
  const threshold = o.threshold ?? 2;
  const shares = o.shares ?? 3;
  const logs = captureLogger();
  const gate = o.gate ?? new FakeGate(o.storedKey);
  if (o.maxVersions !== undefined) gate.maxVersions = o.maxVersions;
  gate.now = o.now;
  const installs: KeySource[] = [];
  const state = new NexusState({ gate, log: logs.log, onInstalled: (s) => installs.push(s) });
  if (backend === 'memory') await state.openKeyless();
  if (o.installed) await state.install(o.installed, 'keepers');
  installs.length = 0;
  const collector = new RestoreCollector(threshold, 15 * 60_000, Date.now, o.limits);
  const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
  const policies = new PolicyIndex(logs.log);
  const routes = buildRoutes({
    state,
    backend,
    roots,
    shamir: { threshold, shares, maxShareCount: 1000 },
    log: logs.log,
    collector,
    restoreLimiter: new RateLimiter(o.rate ?? { capacity: 100, refillMs: 1000 }),
    maxCiphertextSize: 65536,
    policies,
    rotation: o.rotation ?? new RotationEngine({ host: state, threshold, shares, log: logs.log, retryMaxMs: 50 }),
    ...(o.restoreForward === undefined ? {} : { restoreForward: o.restoreForward }),
  });
  const app = buildNexusApp({
    routes,
    backend,
    isReady: () => state.ready(),
    log: logs.log,
    peerIdOf: (req) => {
      const h = req.headers[PEER_HEADER];
      return typeof h === 'string' ? h : undefined;
    },
    bodyLimit: o.bodyLimit,
    earlyFilter: createEarlyFilter({ roots, backend, policies, state, log: logs.log }),
  });
  await app.ready();
  return {
    app,
    state,
    gate,
    logs,
    installs,
    collector,
    post: async (path, body, peer, method = 'POST') => {
      const res = await app.inject({
        method: method as 'POST',
        url: path,
        payload: body,
        headers: { ...(peer ? { [PEER_HEADER]: peer } : {}), 'content-type': 'application/json' },
      });
      return { status: res.statusCode, body: res.body, headers: res.headers };
    },
    close: async () => {
      await app.close();
      await state.close();
    },
  };
}
