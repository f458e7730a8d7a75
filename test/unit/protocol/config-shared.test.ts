import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config/env.js';
import {
  loadKeeperPeers,
  loadShamirConfig,
  loadSpiffeConfig,
  loadTrustRoots,
  logLevel,
  nexusApiUrl,
  nexusDataDir,
} from '../../../src/protocol/config/shared.js';

describe('loadSpiffeConfig', () => {
  it('has upstream defaults', () => {
    expect(loadSpiffeConfig({})).toEqual({ endpointSocket: 'unix:///tmp/spire-agent/public/api.sock', sourceTimeoutMs: 30_000 });
  });
  it('reads values and refuses a bad duration', () => {
    expect(loadSpiffeConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x.sock', SPIKE_SPIFFE_SOURCE_TIMEOUT: '2s' })).toEqual({
      endpointSocket: 'unix:///x.sock',
      sourceTimeoutMs: 2000,
    });
    expect(() => loadSpiffeConfig({ SPIKE_SPIFFE_SOURCE_TIMEOUT: 'soon' })).toThrow(/SPIKE_SPIFFE_SOURCE_TIMEOUT/);
  });
});

describe('loadTrustRoots', () => {
  it('defaults every role to spike.ist', () => {
    const r = loadTrustRoots({});
    expect(r).toEqual({ pilot: ['spike.ist'], nexus: ['spike.ist'], keeper: ['spike.ist'], bootstrap: ['spike.ist'], liteWorkload: ['spike.ist'] });
  });
  it('splits and trims lists, refuses empty items', () => {
    expect(loadTrustRoots({ SPIKE_TRUST_ROOT_PILOT: 'a.org, b.org' }).pilot).toEqual(['a.org', 'b.org']);
    expect(() => loadTrustRoots({ SPIKE_TRUST_ROOT_NEXUS: 'a.org,' })).toThrow(ConfigError);
  });
});

describe('loadShamirConfig', () => {
  it('defaults to 3 shares, threshold 2, max 1000', () => {
    expect(loadShamirConfig({})).toEqual({ shares: 3, threshold: 2, maxShareCount: 1000 });
  });
  it('refuses threshold > shares and values < 1', () => {
    expect(() => loadShamirConfig({ SPIKE_NEXUS_SHAMIR_THRESHOLD: '4' })).toThrow(/SPIKE_NEXUS_SHAMIR_THRESHOLD/);
    expect(() => loadShamirConfig({ SPIKE_NEXUS_SHAMIR_SHARES: '0' })).toThrow(/SPIKE_NEXUS_SHAMIR_SHARES/);
    expect(() => loadShamirConfig({ SPIKE_NEXUS_SHAMIR_THRESHOLD: '0' })).toThrow(ConfigError);
    expect(() => loadShamirConfig({ SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT: '0' })).toThrow(ConfigError);
    expect(() => loadShamirConfig({ SPIKE_NEXUS_SHAMIR_SHARES: 'x' })).toThrow(ConfigError);
  });
  it('accepts threshold == shares', () => {
    expect(loadShamirConfig({ SPIKE_NEXUS_SHAMIR_SHARES: '5', SPIKE_NEXUS_SHAMIR_THRESHOLD: '5' })).toMatchObject({ shares: 5, threshold: 5 });
  });
});

describe('loadKeeperPeers', () => {
  it('is empty when unset', () => {
    expect(loadKeeperPeers({})).toEqual([]);
    expect(() => loadKeeperPeers({}, { required: true })).toThrow(/SPIKE_NEXUS_KEEPER_PEERS: must be configured/);
  });
  it('parses the dev list in order', () => {
    const peers = loadKeeperPeers({ SPIKE_NEXUS_KEEPER_PEERS: 'https://localhost:8443, https://localhost:8543,https://localhost:8643' });
    expect(peers.map((u) => u.port)).toEqual(['8443', '8543', '8643']);
  });
  it.each([
    ['https://a:1,,https://b:2', /empty url found at position 2/],
    ['https://a:1,http://b:2', /invalid url format at position 2/],
    ['https://a:1,nonsense', /invalid url format at position 2/],
    ['https://a:1,https://b:2,https://a:1/', /duplicate url found at position 3/],
  ])('refuses %s', (v, re) => {
    expect(() => loadKeeperPeers({ SPIKE_NEXUS_KEEPER_PEERS: v })).toThrow(re);
  });
});

describe('nexusDataDir', () => {
  it('follows upstream resolution', () => {
    expect(nexusDataDir({ SPIKE_NEXUS_DATA_DIR: '/srv/spike' })).toBe('/srv/spike/data');
    expect(nexusDataDir({ HOME: '/home/al' })).toBe('/home/al/.spike/data');
    expect(() => nexusDataDir({ SPIKE_NEXUS_DATA_DIR: 'rel' })).toThrow(ConfigError);
  });
});

describe('nexusApiUrl and logLevel', () => {
  it('defaults and validates', () => {
    expect(nexusApiUrl({}).href).toBe('https://localhost:8553/');
    expect(() => nexusApiUrl({ SPIKE_NEXUS_API_URL: 'http://x' })).toThrow(/SPIKE_NEXUS_API_URL/);
    expect(logLevel({})).toBe('warn');
    expect(logLevel({ SPIKE_SYSTEM_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(() => logLevel({ SPIKE_SYSTEM_LOG_LEVEL: 'loud' })).toThrow(/SPIKE_SYSTEM_LOG_LEVEL/);
  });
});
