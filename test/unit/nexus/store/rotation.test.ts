// Root-key rotation of the SQLite store (docs/design.md § Root-key rotation):
// begin → batches → finish keeps every value readable at every point, rows
// end up sealed with the new key only (raw plaintext bytes unchanged), a
// crash at any step resumes with either key, and the old key is retired.
// Expected values are the plaintexts put in; which key seals a row is
// checked with node:crypto and upstream's field salts, not the store's code.
import { createDecipheriv, createHash, createCipheriv, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkRootKey,
  KeyMismatchError,
  NotFoundError,
  openMemoryStore,
  openSqliteStore,
  RetiredKeyError,
  StoreError,
  storeHoldsData,
  withKeyChecker,
  type RotationStatus,
  type SecretStore,
  type StoreRotation,
} from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const OLD = testKey(1);
const NEW = testKey(2);
const OTHER = testKey(3);
const MAX_VERSIONS = 10;

// ---- independent AES-256-GCM (12-byte nonce, tag appended, no AAD) and field nonces

function gcmSeal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

function gcmOpen(key: Uint8Array, nonce: unknown, sealed: unknown): Buffer | undefined {
  if (!(nonce instanceof Uint8Array) || !(sealed instanceof Uint8Array) || nonce.length !== 12 || sealed.length < 16) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

function xorSalt(base: unknown, salt: string): Buffer | undefined {
  if (!(base instanceof Uint8Array) || base.length !== 12) return undefined;
  const s = Buffer.from(salt, 'ascii');
  return Buffer.from(base.map((b, i) => b ^ (s[i] ?? 0)));
}

// Upstream persist/field_nonce.go salts (metadata) and ours (policies).
const METADATA_FIELDS: [string, string][] = [
  ['encrypted_current_version', 'current_ver_'],
  ['encrypted_oldest_version', 'oldest_ver__'],
  ['encrypted_created_time', 'created_tim_'],
  ['encrypted_updated_time', 'updated_tim_'],
  ['encrypted_max_versions', 'max_versions'],
];
const POLICY_FIELDS: [string, string][] = [
  ['encrypted_spiffe_id_pattern', 'spiffeid_pat'],
  ['encrypted_path_pattern', 'path_pattern'],
  ['encrypted_permissions', 'permissions_'],
];

type Form = 'per-field' | 'shared-nonce' | 'single';
interface RowOpen {
  /** Plaintext bytes of the sealed fields (hex, joined with '|'). */
  plain: string;
  form: Form;
}

function openFields(key: Uint8Array, row: Record<string, unknown>, fields: [string, string][], shared: boolean): string | undefined {
  const out: string[] = [];
  for (const [col, salt] of fields) {
    const nonce = shared ? row['nonce'] : xorSalt(row['nonce'], salt);
    const p = gcmOpen(key, nonce, row[col]);
    if (p === undefined) return undefined;
    out.push(p.toString('hex'));
  }
  return out.join('|');
}

function openRow(table: string, key: Uint8Array, row: Record<string, unknown>): RowOpen | undefined {
  if (table === 'secrets') {
    const p = gcmOpen(key, row['nonce'], row['encrypted_data']);
    return p === undefined ? undefined : { plain: p.toString('hex'), form: 'single' };
  }
  const fields = table === 'policies' ? POLICY_FIELDS : METADATA_FIELDS;
  const perField = openFields(key, row, fields, false);
  if (perField !== undefined) return { plain: perField, form: 'per-field' };
  const shared = table === 'policies' ? openFields(key, row, fields, true) : undefined;
  return shared === undefined ? undefined : { plain: shared, form: 'shared-nonce' };
}

const ROW_IDS: Record<string, string> = { policies: 'name', secret_metadata: 'path', secrets: "path || '#' || version" };

/** Every sealed row of the store: id → which key opens it (and its plaintext). Read through a separate read-only connection. */
function sealedRows(dir: string): Map<string, { old?: RowOpen; new?: RowOpen; raw: string }> {
  const db = new Database(join(dir, 'spike.db'), { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, { old?: RowOpen; new?: RowOpen; raw: string }>();
    for (const table of ['policies', 'secret_metadata', 'secrets']) {
      for (const row of db.prepare(`SELECT ${ROW_IDS[table]} AS id, * FROM ${table}`).all() as Record<string, unknown>[]) {
        const raw = createHash('sha256').update(JSON.stringify(row, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))).digest('hex');
        const o = openRow(table, OLD, row);
        const n = openRow(table, NEW, row);
        out.set(`${table}:${String(row['id'])}`, { ...(o ? { old: o } : {}), ...(n ? { new: n } : {}), raw });
      }
    }
    return out;
  } finally {
    db.close();
  }
}

// ---- a data set and its expected contents

interface SecretModel {
  values: Record<string, string>;
  deleted: boolean;
}
interface Model {
  secrets: Map<string, Map<number, SecretModel>>;
  policies: Map<string, { spiffeIdPattern: string; pathPattern: string; permissions: string[] }>;
}

function valuesFor(i: number, v: number): Record<string, string> {
  return { user: `user-${i}-${v}`, pass: `p<&>${i}/${v}\u2028é😀`, [`k${v}`]: 'x'.repeat((i * 7 + v) % 50) };
}

/** ~150 secrets with 1–4 versions, some deleted, and 25 policies; returns what they must read back as. */
function populate(s: SecretStore, count = 150): Model {
  const model: Model = { secrets: new Map(), policies: new Map() };
  for (let i = 0; i < count; i++) {
    const path = `apps/svc-${String(i).padStart(3, '0')}/db`;
    const versions = new Map<number, SecretModel>();
    for (let v = 1; v <= 1 + (i % 4); v++) {
      expect(s.putSecret(path, valuesFor(i, v))).toBe(v);
      versions.set(v, { values: valuesFor(i, v), deleted: false });
    }
    if (i % 5 === 0) {
      s.deleteSecretVersions(path, [1]);
      versions.get(1)!.deleted = true;
    }
    if (i % 7 === 0) {
      s.deleteSecretVersions(path, []);
      versions.get(1 + (i % 4))!.deleted = true;
    }
    model.secrets.set(path, versions);
  }
  for (let i = 0; i < 25; i++) {
    const p = { spiffeIdPattern: `^spiffe://td/app-${i}$`, pathPattern: `^apps/svc-${i}/.*$`, permissions: i % 3 === 0 ? ['read', 'write'] : ['read'] };
    s.putPolicy({ name: `policy-${i}`, ...p });
    model.policies.set(`policy-${i}`, p);
  }
  return model;
}

/** A policy row as upstream writes it: one nonce shared by the three fields (upstream persist/policy.go). */
function insertUpstreamPolicy(dir: string, key: Uint8Array, model: Model): void {
  const p = { spiffeIdPattern: '^spiffe://td/upstream$', pathPattern: '^upstream/.*$', permissions: ['read', 'list'] };
  const nonce = randomBytes(12);
  const db = new Database(join(dir, 'spike.db'));
  try {
    db.prepare(
      'INSERT INTO policies (name, nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions, created_time, updated_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      'upstream-policy',
      nonce,
      gcmSeal(key, nonce, Buffer.from(p.spiffeIdPattern)),
      gcmSeal(key, nonce, Buffer.from(p.pathPattern)),
      gcmSeal(key, nonce, Buffer.from(p.permissions.join(','))),
      1767225600,
      1767225600,
    );
  } finally {
    db.close();
  }
  model.policies.set('upstream-policy', p);
}

function expectReadsBack(s: SecretStore, model: Model): void {
  expect(s.listSecretPaths()).toEqual([...model.secrets.keys()].sort());
  for (const [path, versions] of model.secrets) {
    let highestLive = 0;
    for (const [v, m] of versions) {
      if (m.deleted) {
        expect(() => s.getSecret(path, v)).toThrow(NotFoundError);
      } else {
        expect(s.getSecret(path, v)).toEqual(m.values);
        highestLive = Math.max(highestLive, v);
      }
    }
    if (highestLive === 0) {
      expect(() => s.getSecret(path)).toThrow(NotFoundError);
      continue;
    }
    const meta = s.getSecretMetadata(path);
    expect(meta.metadata.currentVersion).toBe(highestLive);
    expect(meta.metadata.maxVersions).toBe(MAX_VERSIONS);
    expect([...meta.versions.entries()].map(([v, info]) => [v, info.deletedTime !== null])).toEqual([...versions.entries()].map(([v, m]) => [v, m.deleted]));
    expect(s.getSecret(path)).toEqual(versions.get(highestLive)!.values);
  }
  const policies = s.listPolicies();
  expect(policies.map((p) => p.name)).toEqual([...model.policies.keys()].sort());
  for (const p of policies) {
    const want = model.policies.get(p.name)!;
    expect({ spiffeIdPattern: p.spiffeIdPattern, pathPattern: p.pathPattern, permissions: p.permissions }).toEqual(want);
  }
}

/**
 * name → sha256 + mtime of every file in a directory. `withoutShm`: leave out
 * the -shm index, which a read-only connection may create next to a non-empty
 * WAL (an unclean shutdown; see keycheck.ts) without changing any data.
 */
function fileState(dir: string, withoutShm = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (withoutShm && f.endsWith('-shm')) continue;
    out[f] = `${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}@${statSync(join(dir, f)).mtimeMs}`;
  }
  return out;
}

function expectStoreError(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}

function rotationOf(s: SecretStore): StoreRotation {
  expect(s.rotation).toBeDefined();
  return s.rotation!;
}

/** Runs batches until the phase is 'pushing'; returns the number of batches. */
function reencryptAll(r: StoreRotation, batch: number): number {
  let n = 0;
  while (r.status()?.phase === 'reencrypting') {
    r.reencryptBatch(batch);
    n++;
    expect(n).toBeLessThan(10_000);
  }
  return n;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function newDir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'data');
}

function open(dir: string, key: Uint8Array): SecretStore {
  const s = openSqliteStore({ dataDir: dir, rootKey: key, maxVersions: MAX_VERSIONS });
  cleanups.push(() => s.close());
  return s;
}

/** A store with the data set and an upstream-form policy, open with OLD. */
function seeded(): { dir: string; store: SecretStore; model: Model } {
  const dir = newDir();
  const first = open(dir, OLD);
  const model = populate(first);
  first.close();
  insertUpstreamPolicy(dir, OLD, model);
  return { dir, store: open(dir, OLD), model };
}

/** Copies spike.db and its WAL as they are on disk right now (what a crash at this instant leaves). */
function crashCopy(dir: string): string {
  const copy = newDir();
  mkdirSync(copy, { recursive: true });
  for (const f of ['spike.db', 'spike.db-wal']) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(copy, f));
  return copy;
}

/**
 * Opens a copy of a crash snapshot with `key`, checks that everything reads
 * back, resumes a running rotation (with a write in the middle), finishes it
 * and checks every row is sealed with the new key and the old key is retired.
 * Returns what happened.
 */
function resumeAfterCrash(snapDir: string, key: Uint8Array, model: Model, started: RotationStatus): string {
  const copy = crashCopy(snapDir);
  const files = fileState(copy, true);
  let s: SecretStore;
  try {
    s = open(copy, key);
  } catch (e) {
    const unchanged = JSON.stringify(fileState(copy, true)) === JSON.stringify(files);
    if (e instanceof RetiredKeyError) return `refused as retired, files ${unchanged ? 'unchanged' : 'CHANGED'}`;
    if (e instanceof KeyMismatchError) return `refused as mismatch${unchanged ? '' : ', files CHANGED'}`;
    throw e;
  }
  const m = structuredClone(model);
  expectReadsBack(s, m);
  const r = rotationOf(s);
  const status = r.status();
  if (status === undefined) {
    s.close();
    return 'no rotation';
  }
  expect(status).toMatchObject({ total: started.total, startedBy: started.startedBy, startedAt: started.startedAt });
  expect(r.withSealingKey((k) => k.equals(NEW))).toBe(true);
  expect(r.withPreviousKey((k) => k.equals(OLD))).toBe(true);
  // A write after the crash is sealed with the new key and survives the rest of the rotation.
  s.putSecret('after/crash', { ok: 'yes' });
  m.secrets.set('after/crash', new Map([[1, { values: { ok: 'yes' }, deleted: false }]]));
  expect(sealedRows(copy).get('secrets:after/crash#1')?.new).toBeDefined();
  reencryptAll(r, 77);
  expectReadsBack(s, m);
  r.finish();
  expectReadsBack(s, m);
  s.close();
  expect([...sealedRows(copy)].filter(([, v]) => v.new === undefined || v.old !== undefined).map(([id]) => id)).toEqual([]);
  expect([checkRootKey(copy, OLD), checkRootKey(copy, NEW)]).toEqual(['retired', 'match']);
  return 'resumed and finished';
}

describe('root-key rotation (SQLite)', () => {
  it('re-encrypts every row under the new key with identical plaintexts, serving reads and writes throughout, then retires the old key', () => {
    const { dir, store, model } = seeded();
    const r = rotationOf(store);
    expect(r.status()).toBeUndefined();
    expect(r.withPreviousKey(() => 'called')).toBeUndefined();
    expect(r.withSealingKey((k) => k.equals(OLD))).toBe(true);

    const before = sealedRows(dir);
    const totalRows = before.size;
    expect(totalRows).toBeGreaterThan(400);
    expect([...before.values()].every((v) => v.old !== undefined && v.new === undefined)).toBe(true);
    expect(before.get('policies:upstream-policy')?.old?.form).toBe('shared-nonce');

    // Warm the get path's caches before the rotation.
    expectReadsBack(store, model);

    const started = r.begin(NEW, 'spiffe://td/spike/pilot/role/superuser');
    expect(started).toMatchObject({ phase: 'reencrypting', done: 0, total: totalRows, unreadable: 0, startedBy: 'spiffe://td/spike/pilot/role/superuser' });
    expect(r.withSealingKey((k) => k.equals(NEW))).toBe(true);
    expect(r.withPreviousKey((k) => k.equals(OLD))).toBe(true);
    expect(checkRootKey(dir, OLD)).toBe('match');
    expect(checkRootKey(dir, NEW)).toBe('match');
    expect(checkRootKey(dir, OTHER)).toBe('mismatch');

    // Writes during the rotation are sealed with the new key.
    store.putSecret('during/rotation', { a: 'written-during' });
    model.secrets.set('during/rotation', new Map([[1, { values: { a: 'written-during' }, deleted: false }]]));
    store.putPolicy({ name: 'policy-3', spiffeIdPattern: '^spiffe://td/changed$', pathPattern: '^x$', permissions: ['list'] });
    model.policies.set('policy-3', { spiffeIdPattern: '^spiffe://td/changed$', pathPattern: '^x$', permissions: ['list'] });
    const firstPath = [...model.secrets.keys()][1]!;
    const freshVersion = store.putSecret(firstPath, { fresh: 'v' });
    model.secrets.get(firstPath)!.set(freshVersion, { values: { fresh: 'v' }, deleted: false });
    const during = sealedRows(dir);
    for (const id of ['secrets:during/rotation#1', 'secret_metadata:during/rotation', 'policies:policy-3', `secrets:${firstPath}#${freshVersion}`, `secret_metadata:${firstPath}`]) {
      expect(during.get(id)?.new, id).toBeDefined();
      expect(during.get(id)?.old, id).toBeUndefined();
    }
    expect(during.get('policies:policy-3')?.new?.form).toBe('per-field');

    let last = started;
    const progress: [string, number][] = [];
    while (last.phase === 'reencrypting') {
      last = r.reencryptBatch(50);
      progress.push([last.phase, last.done]);
      expectReadsBack(store, model);
    }
    const batches = Math.ceil(totalRows / 50);
    expect(progress).toEqual(Array.from({ length: batches }, (_, i) => (i + 1 < batches ? ['reencrypting', (i + 1) * 50] : ['pushing', totalRows])));
    expect(last).toMatchObject({ phase: 'pushing', done: totalRows, total: totalRows, unreadable: 0 });
    // In phase 'pushing' a batch changes nothing.
    expect(r.reencryptBatch(50)).toEqual(last);

    const after = sealedRows(dir);
    expect(after.size).toBe(totalRows + 3); // the new secret's row and metadata row, the new version's row
    expect([...after].filter(([, v]) => v.new === undefined || v.old !== undefined).map(([id]) => id)).toEqual([]);
    expect([...after].filter(([, v]) => v.new?.form === 'shared-nonce').map(([id]) => id)).toEqual([]);
    // Raw plaintext bytes unchanged for every row that existed at begin and was not rewritten by a write.
    const untouchedByWrites = [...before.keys()].filter((id) => during.get(id)?.new === undefined);
    expect(untouchedByWrites.length).toBe(totalRows - 2); // policy-3 and the metadata of the secret given a new version
    expect(untouchedByWrites.map((id) => [id, after.get(id)?.new?.plain])).toEqual(untouchedByWrites.map((id) => [id, before.get(id)?.old?.plain]));

    r.finish();
    expect(r.status()).toBeUndefined();
    expect(r.withPreviousKey(() => 'called')).toBeUndefined();
    expect(r.withSealingKey((k) => k.equals(NEW))).toBe(true);
    expectReadsBack(store, model);
    expect(checkRootKey(dir, OLD)).toBe('retired');
    expect(checkRootKey(dir, NEW)).toBe('match');
    expect(checkRootKey(dir, OTHER)).toBe('mismatch');
    expect(withKeyChecker(dir, (check) => [check(OLD), check(NEW), check(OTHER)])).toEqual(['retired', 'match', 'mismatch']);
    expect(storeHoldsData(dir)).toBe(true);
    store.close();

    // The old key is refused without a byte written; the new one opens.
    const files = fileState(dir);
    expect(() => open(dir, OLD)).toThrow(RetiredKeyError);
    expect(() => open(dir, OLD)).toThrow(KeyMismatchError);
    expect(checkRootKey(dir, OLD)).toBe('retired');
    expect(fileState(dir)).toEqual(files);
    const reopened = open(dir, NEW);
    expect(reopened.rotation?.status()).toBeUndefined();
    expectReadsBack(reopened, model);
    // A later rotation cannot go back to the retired key.
    expectStoreError(() => reopened.rotation!.begin(OLD, 'x'), 'invalid_input');
  });

  it('refuses a second begin, finish before pushing, batches or finish without a rotation, and bad keys', () => {
    const dir = newDir();
    const s = open(dir, OLD);
    s.putSecret('a', { b: 'c' });
    const r = rotationOf(s);
    expectStoreError(() => r.reencryptBatch(10), 'conflict');
    expectStoreError(() => r.finish(), 'conflict');
    expectStoreError(() => r.begin(OLD, 'x'), 'invalid_input');
    expectStoreError(() => r.begin(Buffer.alloc(32), 'x'), 'invalid_input');
    expectStoreError(() => r.begin(NEW.subarray(0, 31), 'x'), 'invalid_input');
    expectStoreError(() => r.begin(NEW, 42 as unknown as string), 'invalid_input');
    expect(r.status()).toBeUndefined();

    const given = Buffer.from(NEW);
    r.begin(given, 'spiffe://td/admin');
    given.fill(0); // the store keeps its own copy
    expectStoreError(() => r.begin(OTHER, 'x'), 'conflict');
    expectStoreError(() => r.finish(), 'conflict');
    expectStoreError(() => r.reencryptBatch(0), 'invalid_input');
    expectStoreError(() => r.reencryptBatch(1.5), 'invalid_input');
    expect(s.getSecret('a')).toEqual({ b: 'c' });
    expect(r.reencryptBatch(1)).toMatchObject({ phase: 'reencrypting', done: 1, total: 2 });
    expect(r.reencryptBatch(1)).toMatchObject({ phase: 'pushing', done: 2, total: 2 });
    r.finish();
    expectStoreError(() => r.finish(), 'conflict');
    expect(s.getSecret('a')).toEqual({ b: 'c' });
    s.close();
    expect(checkRootKey(dir, NEW)).toBe('match');
    expectStoreError(() => r.status(), 'closed');
    expectStoreError(() => r.begin(OTHER, 'x'), 'closed');
    expectStoreError(() => r.withSealingKey(() => 1), 'closed');
  });

  it('counts rows neither key opens as unreadable and leaves them as they are', () => {
    const dir = newDir();
    const s = open(dir, OLD);
    s.putSecret('good', { v: '1' });
    s.putSecret('foreign', { v: '2' });
    s.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    s.close();
    const db = new Database(join(dir, 'spike.db'));
    const nonce = randomBytes(12);
    db.prepare("UPDATE secrets SET nonce = ?, encrypted_data = ? WHERE path = 'foreign'").run(nonce, gcmSeal(OTHER, nonce, Buffer.from('{"v":"2"}')));
    db.prepare("UPDATE policies SET encrypted_path_pattern = X'00112233445566778899aabbccddeeff00' WHERE name = 'p'").run();
    db.close();
    const before = sealedRows(dir);

    const s2 = open(dir, OLD);
    const r = rotationOf(s2);
    r.begin(NEW, 'x');
    const status = r.reencryptBatch(100);
    expect(status).toMatchObject({ phase: 'pushing', total: 5, done: 5, unreadable: 2 });
    const after = sealedRows(dir);
    expect(after.get('secrets:foreign#1')?.raw).toBe(before.get('secrets:foreign#1')?.raw);
    expect(after.get('policies:p')?.raw).toBe(before.get('policies:p')?.raw);
    expect(after.get('secrets:good#1')?.new).toBeDefined();
    r.finish();
    expect(s2.getSecret('good')).toEqual({ v: '1' });
    expect(() => s2.getSecret('foreign')).toThrow(StoreError);
  });

  it('rolls a batch back when beforeCommit throws; the store stays usable and the next batch redoes it', () => {
    const { dir, store, model } = seeded();
    const r = rotationOf(store);
    r.begin(NEW, 'x');
    const first = r.reencryptBatch(100);
    const rowsBefore = sealedRows(dir);
    expect(() =>
      r.reencryptBatch(100, {
        beforeCommit: () => {
          throw new Error('killed');
        },
      }),
    ).toThrow('killed');
    expect(r.status()).toEqual(first);
    expect(sealedRows(dir)).toEqual(rowsBefore);
    expectReadsBack(store, model);
    expect(r.reencryptBatch(100).done).toBe(first.done + 100);
    reencryptAll(r, 100);
    r.finish();
    expectReadsBack(store, model);
  });

  it('survives a crash at every step: either key reopens the store, everything reads back, the rotation resumes and finishes', { timeout: 120_000 }, () => {
    const { dir, store, model } = seeded();
    const r = rotationOf(store);
    const snapshots: { step: string; dir: string }[] = [{ step: 'before begin', dir: crashCopy(dir) }];
    const started = r.begin(NEW, 'spiffe://td/admin');
    snapshots.push({ step: 'after begin', dir: crashCopy(dir) });
    let i = 0;
    while (r.status()?.phase === 'reencrypting') {
      i++;
      r.reencryptBatch(120, { beforeCommit: () => snapshots.push({ step: `inside batch ${i}`, dir: crashCopy(dir) }) });
      snapshots.push({ step: `after batch ${i} (${r.status()?.phase})`, dir: crashCopy(dir) });
    }
    expect(i).toBeGreaterThan(2);
    r.finish();
    snapshots.push({ step: 'after finish', dir: crashCopy(dir) });
    store.close();

    const outcomes = snapshots.flatMap((snap) => [
      [snap.step, 'old', resumeAfterCrash(snap.dir, OLD, model, started)],
      [snap.step, 'new', resumeAfterCrash(snap.dir, NEW, model, started)],
    ]);
    const running = (step: string): boolean => step !== 'before begin' && step !== 'after finish';
    expect(outcomes).toEqual(
      snapshots.flatMap(({ step }) => [
        [step, 'old', step === 'after finish' ? 'refused as retired, files unchanged' : running(step) ? 'resumed and finished' : 'no rotation'],
        [step, 'new', step === 'before begin' ? 'refused as mismatch' : running(step) ? 'resumed and finished' : 'no rotation'],
      ]),
    );
  });

  it('opens with neither a third key during a rotation nor writes anything then', () => {
    const { dir, store } = seeded();
    rotationOf(store).begin(NEW, 'x');
    store.close();
    const files = fileState(dir);
    expect(checkRootKey(dir, OTHER)).toBe('mismatch');
    expect(() => open(dir, OTHER)).toThrow(KeyMismatchError);
    expect(fileState(dir)).toEqual(files);
  });

  it('has no rotation on the memory store', () => {
    const m = openMemoryStore({ maxVersions: 3 });
    expect(m.rotation).toBeUndefined();
    m.close();
  });
});
