// The memory backend's cipher key (src/nexus/cipher/keys.ts: a random key
// made for the process) is zeroed when Nexus closes: a real in-memory Nexus
// (startNexus, TLS listener on a free port, SVID from a fake Workload API),
// its cipher keys observed as nexus.ts made them.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CipherKeys } from '../../../src/nexus/cipher/keys.js';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { startNexus } from '../../../src/nexus/nexus.js';
import { X509Source } from '../../../src/spiffe/workloadapi.js';
import { FakeWorkloadApi } from '../../helpers/fakeworkloadapi.js';
import { createTestCa, svidResponse, type TestCa } from '../../helpers/testca.js';
import { captureLogger } from './fixtures.js';

/** Every CipherKeys made, with the process keys it handed to its seal calls. */
const made: { keys: CipherKeys; keysSeen: Buffer[] }[] = [];

vi.mock('../../../src/nexus/cipher/aead.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/nexus/cipher/aead.js')>();
  return {
    ...real,
    // Records the key each seal is made with (the memory backend's process key itself, not a copy).
    sealWith: (key: Buffer, plaintext: Uint8Array) => {
      made.at(-1)?.keysSeen.push(key);
      return real.sealWith(key, plaintext);
    },
  };
});
vi.mock('../../../src/nexus/cipher/keys.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/nexus/cipher/keys.js')>();
  return {
    ...real,
    cipherKeys: (...args: Parameters<typeof real.cipherKeys>) => {
      const keys = real.cipherKeys(...args);
      made.push({ keys, keysSeen: [] });
      return keys;
    },
  };
});

const TD = 'spike.ist';
let ca: TestCa;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  ca = await createTestCa(TD);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  made.length = 0;
});

describe('memory backend cipher key', () => {
  it('is zeroed when Nexus closes', async () => {
    const api = await FakeWorkloadApi.start();
    api.setResponse(svidResponse(ca, await ca.issue(`spiffe://${TD}/spike/nexus`)));
    const source = await X509Source.create({ address: api.address, timeoutMs: 5000 });
    source.on('error', () => {});
    cleanups.push(async () => {
      await source.close();
      await api.close();
    });
    const config = loadNexusConfig({ SPIKE_NEXUS_BACKEND_STORE: 'memory', SPIKE_NEXUS_TLS_PORT: '127.0.0.1:0', SPIKE_TRUST_ROOT: TD });
    const nexus = await startNexus(config, source, captureLogger().log);
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await nexus.close();
    });
    expect(made).toHaveLength(1);
    const entry = made[0]!;
    expect(entry.keys.seal(Buffer.from('data'))).toBeDefined();
    const key = entry.keysSeen[0]!;
    expect(key.length).toBe(32);
    expect(key.some((b) => b !== 0)).toBe(true);
    await nexus.close();
    closed = true;
    expect(key.every((b) => b === 0)).toBe(true);
  });
});
