// The group-commit failpoint: SPIKE_NEXUS_FAILPOINTS accepts
// `store.group_before_commit`, and the SQLite gate Nexus builds reaches its
// hook once per group, inside the transaction (a throw there stores nothing).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFailpoints } from '../../../../src/common/failpoint.js';
import { loadNexusConfig } from '../../../../src/nexus/config.js';
import { gateFor } from '../../../../src/nexus/nexus.js';
import { StoreError } from '../../../../src/nexus/store/index.js';
import { tempDir, testKey } from './helpers.js';

const BASE = {
  SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443,https://k2:8443,https://k3:8443',
  SPIKE_NEXUS_SHAMIR_SHARES: '3',
  SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('store.group_before_commit', () => {
  it('is a failpoint name the config accepts (with the rotation names)', () => {
    const c = loadNexusConfig({ ...BASE, SPIKE_NEXUS_FAILPOINTS: 'store.group_before_commit@3,rotation.in_batch' });
    expect([...c.failpoints]).toEqual([
      ['store.group_before_commit', 3],
      ['rotation.in_batch', 1],
    ]);
  });

  it('fires inside the N-th group transaction: that group is not stored, the groups before it are', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dataDir = join(t.dir, 'data');
    const config = { ...loadNexusConfig({ ...BASE, SPIKE_NEXUS_DATA_DIR: dataDir }), failpoints: new Map([['store.group_before_commit', 2]]) };
    const fired: string[] = [];
    // The apps SIGKILL themselves here; the test's kill throws instead, as a crash inside the transaction would end it.
    const failpoints = createFailpoints(config.failpoints, () => {
      throw new Error('killed at the failpoint');
    }, (name, pass) => fired.push(`${name}@${pass}`));
    const store = await gateFor(config, failpoints).open(testKey());
    cleanups.push(() => store.close());
    expect(await Promise.all([store.grouped.putSecret('one/a', { v: 'a' }), store.grouped.putSecret('one/b', { v: 'b' })])).toEqual([1, 1]);
    const second = await Promise.allSettled([store.grouped.putSecret('two/a', { v: 'a' }), store.grouped.putSecret('two/b', { v: 'b' })]);
    expect(fired).toEqual(['store.group_before_commit@2']);
    for (const r of second) expect(((r as PromiseRejectedResult).reason as StoreError).code).toBe('io');
    expect(await store.getSecret('one/b')).toEqual({ v: 'b' });
    await expect(store.getSecret('two/a')).rejects.toThrow(/not found/);
    expect(await store.listSecretPaths()).toEqual(['one/a', 'one/b']);
  });
});
