import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NexusState } from '../../../src/nexus/state/nexus-state.js';
import { RootKey } from '../../../src/nexus/state/rootkey.js';
import { sqliteGate } from '../../../src/nexus/state/store-gate.js';
import { captureLogger, FakeGate, keyOf } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('RootKey', () => {
  it('copies keys in, zeroes on replace and clear, refuses bad keys', () => {
    const rk = new RootKey();
    expect(rk.has()).toBe(false);
    const k = keyOf(1);
    rk.set(k);
    k.fill(9);
    let held: Buffer | undefined;
    expect(rk.use((b) => ((held = b), b[0]))).toBe(1);
    rk.set(keyOf(2));
    expect(held?.every((x) => x === 0)).toBe(true);
    rk.clear();
    expect(rk.has()).toBe(false);
    expect(() => rk.set(new Uint8Array(32))).toThrow();
    expect(() => rk.set(new Uint8Array(31).fill(1))).toThrow();
  });
});

describe('NexusState over the real SQLite store', () => {
  it('first key initialises the store; a different key is rejected and changes nothing; the right key reopens it', async () => {
    const dir = mkdtempSync('/tmp/nx-');
    dirs.push(dir);
    const a = captureLogger();
    const s1 = new NexusState({ gate: sqliteGate(dir, 10), log: a.log });
    expect(await s1.hasKeyCheck()).toBe(false);
    expect(await s1.install(keyOf(1), 'restore')).toEqual({ ok: true });
    await s1.store()?.grouped.putSecret('app/x', { k: 'v' });
    await s1.close();
    expect(s1.rootKey.has()).toBe(false);

    const b = captureLogger();
    const s2 = new NexusState({ gate: sqliteGate(dir, 10), log: b.log });
    expect(await s2.hasKeyCheck()).toBe(true);
    expect(await s2.install(keyOf(2), 'keepers')).toEqual({ ok: false, reason: 'mismatch' });
    expect(b.events('root_key_rejected')).toEqual([expect.objectContaining({ source: 'keepers', reason: 'key_check_mismatch' })]);
    expect(s2.ready()).toBe(false);
    expect(await s2.install(keyOf(1), 'keepers')).toEqual({ ok: true });
    expect(await s2.store()?.getSecret('app/x', 0)).toEqual({ k: 'v' });
    expect(await s2.install(keyOf(1), 'restore')).toEqual({ ok: false, reason: 'already_installed' });
    await s2.close();
  });
});

describe('NexusState.close', () => {
  it('waits for the store to close (an async store finishing its writes) before it returns', async () => {
    const { log } = captureLogger();
    const gate = new FakeGate();
    const openReal = gate.open.bind(gate);
    let release: (() => void) | undefined;
    let storeClosed = false;
    gate.open = async (key: Uint8Array) => {
      const store = await openReal(key);
      return {
        ...store,
        close: () =>
          new Promise<void>((resolve) => {
            release = () => {
              storeClosed = true;
              resolve();
            };
          }),
      };
    };
    const state = new NexusState({ gate, log });
    expect(await state.install(keyOf(1), 'keepers')).toEqual({ ok: true });
    let done = false;
    const closing = state.close().then(() => {
      done = true;
    });
    await vi.waitFor(() => expect(release).toBeDefined());
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release?.();
    await closing;
    expect(storeClosed).toBe(true);
    expect(state.rootKey.has()).toBe(false);
  });
});
