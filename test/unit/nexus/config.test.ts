import { describe, expect, it } from 'vitest';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

const PEERS = 'https://localhost:8443,https://localhost:8543,https://localhost:8643';

describe('loadNexusConfig', () => {
  it('upstream defaults, plus our recovery max interval default of 5s', () => {
    const c = loadNexusConfig({ SPIKE_NEXUS_KEEPER_PEERS: PEERS, HOME: '/home/u' });
    expect(c.listen).toEqual({ host: undefined, port: 8553 });
    expect(c.backend).toBe('sqlite');
    expect(c.keeperPeers.map((u) => u.port)).toEqual(['8443', '8543', '8643']);
    expect(c.shamir).toEqual({ shares: 3, threshold: 2, maxShareCount: 1000 });
    expect(c.keeperUpdateIntervalMs).toBe(300_000);
    expect(c.recoveryMaxIntervalMs).toBe(5_000);
    expect(c.dbPath).toBe('/home/u/.spike/data/spike.db');
    expect(c.maxSecretVersions).toBe(10);
    expect(c.maxCiphertextSize).toBe(65536);
  });

  it('reads every variable', () => {
    const c = loadNexusConfig({
      SPIKE_NEXUS_KEEPER_PEERS: 'https://a:1,https://b:2',
      SPIKE_NEXUS_SHAMIR_SHARES: '2',
      SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
      SPIKE_NEXUS_TLS_PORT: '127.0.0.1:0',
      SPIKE_NEXUS_BACKEND_STORE: 'LITE',
      SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '2s',
      SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: '1s',
      SPIKE_NEXUS_DATA_DIR: '/srv/spike',
      SPIKE_NEXUS_MAX_SECRET_VERSIONS: '3',
    });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.backend).toBe('lite');
    expect(c.keeperUpdateIntervalMs).toBe(2000);
    expect(c.recoveryMaxIntervalMs).toBe(1000);
    expect(c.dataDir).toBe('/srv/spike/data');
    expect(c.maxSecretVersions).toBe(3);
  });

  it('memory needs no keepers', () => {
    expect(loadNexusConfig({ SPIKE_NEXUS_BACKEND_STORE: 'memory', HOME: '/h' }).keeperPeers).toEqual([]);
  });

  it.each([
    [{ SPIKE_NEXUS_BACKEND_STORE: 'mysql', SPIKE_NEXUS_KEEPER_PEERS: PEERS }, /SPIKE_NEXUS_BACKEND_STORE/],
    [{ SPIKE_NEXUS_BACKEND_STORE: 'postgres', SPIKE_NEXUS_KEEPER_PEERS: PEERS }, /SPIKE_NEXUS_DATABASE_URL: must be set/],
    [{ SPIKE_NEXUS_BACKEND_STORE: 'postgres', SPIKE_NEXUS_DATABASE_URL: 'postgres://db/spike' }, /SPIKE_NEXUS_KEEPER_PEERS: must be configured/],
    [{}, /SPIKE_NEXUS_KEEPER_PEERS: must be configured/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: 'https://a:1,https://b:2' }, /keeper count mismatch/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '0s' }, /SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL: '-5m' }, /SPIKE_NEXUS_KEEPER_UPDATE_INTERVAL/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_RECOVERY_MAX_INTERVAL: 'soon' }, /SPIKE_NEXUS_RECOVERY_MAX_INTERVAL/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_TLS_PORT: '8553' }, /SPIKE_NEXUS_TLS_PORT/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_SHAMIR_THRESHOLD: '4' }, /SPIKE_NEXUS_SHAMIR_THRESHOLD/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: PEERS, SPIKE_NEXUS_MAX_SECRET_VERSIONS: '0' }, /SPIKE_NEXUS_MAX_SECRET_VERSIONS/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: 'http://a:1,https://b,https://c' }, /SPIKE_NEXUS_KEEPER_PEERS/],
  ])('rejects invalid values with a one-line ConfigError (%j)', (env, re) => {
    let err: unknown;
    try {
      loadNexusConfig({ HOME: '/h', ...env });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  });
});
