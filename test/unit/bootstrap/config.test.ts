import { describe, expect, it } from 'vitest';
import { loadBootstrapConfig } from '../../../src/bootstrap/config.js';

describe('loadBootstrapConfig', () => {
  it('has upstream defaults', () => {
    const c = loadBootstrapConfig({ HOME: '/home/u' });
    expect(c.backend).toBe('sqlite');
    expect(c.keeperPeers).toEqual([]);
    expect(c.shamir).toMatchObject({ shares: 3, threshold: 2 });
    expect(c.nexusApiUrl.href).toBe('https://localhost:8553/');
    expect(c.nexusDataDir).toBe('/home/u/.spike/data');
    expect(c.force).toBe(false);
    expect(c.timeoutMs).toBe(0);
    expect(c.keeperTimeoutMs).toBe(30_000);
    expect(c.keeperMaxRetries).toBe(5);
    expect(c.keeperRetryInitialMs).toBe(2_000);
    expect(c.keeperRetryMaxMs).toBe(30_000);
    expect(c.verificationTimeoutMs).toBe(30 * 60_000);
  });

  it('reads overrides and refuses invalid values', () => {
    const c = loadBootstrapConfig({
      SPIKE_NEXUS_DATA_DIR: '/srv/spike',
      SPIKE_BOOTSTRAP_FORCE: 'true',
      SPIKE_NEXUS_BACKEND_STORE: 'LITE',
      SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443,https://k2:8543',
    });
    expect(c.nexusDataDir).toBe('/srv/spike/data');
    expect(c.force).toBe(true);
    expect(c.backend).toBe('lite');
    expect(c.keeperPeers.map((u) => u.origin)).toEqual(['https://k1:8443', 'https://k2:8543']);
    expect(c.database).toBeUndefined();
    // postgres: the database as Nexus reads it (the password from its file, never shown).
    const pg = loadBootstrapConfig({ SPIKE_NEXUS_BACKEND_STORE: 'postgres', SPIKE_NEXUS_DATABASE_URL: 'postgres://spike:pw-in-url@db:5432/spike' });
    expect(pg.backend).toBe('postgres');
    expect(pg.database).toMatchObject({ url: 'postgres://spike@db:5432/spike', passwordFrom: 'url', password: 'pw-in-url' });
    expect(JSON.stringify(pg.database)).not.toContain('pw-in-url');
    expect(() => loadBootstrapConfig({ SPIKE_NEXUS_BACKEND_STORE: 'postgres' })).toThrow(/^SPIKE_NEXUS_DATABASE_URL: must be set for the postgres backend/);
    expect(() => loadBootstrapConfig({ SPIKE_NEXUS_BACKEND_STORE: 'mysql' })).toThrow(/SPIKE_NEXUS_BACKEND_STORE/);
    expect(() => loadBootstrapConfig({ SPIKE_BOOTSTRAP_FORCE: 'maybe' })).toThrow(/SPIKE_BOOTSTRAP_FORCE/);
    expect(() => loadBootstrapConfig({ SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES: '0' })).toThrow(/SPIKE_BOOTSTRAP_KEEPER_MAX_RETRIES/);
    expect(() => loadBootstrapConfig({ SPIKE_NEXUS_KEEPER_PEERS: 'http://k1' })).toThrow(/SPIKE_NEXUS_KEEPER_PEERS/);
  });
});
