import { describe, expect, it } from 'vitest';
import { loadDevAgentConfig } from '../../../src/devagent/config.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

describe('loadDevAgentConfig', () => {
  it('has upstream-style defaults', () => {
    const c = loadDevAgentConfig({ HOME: '/home/u' });
    expect(c).toEqual({ devDir: '/home/u/.spike/dev', trustDomain: 'spike.ist', svidTtlMs: 3_600_000, keeperCount: 3, logLevel: 'warn' });
  });

  it('reads SPIKE_DEV_DIR, the trust domain, the TTL and the keeper count', () => {
    const c = loadDevAgentConfig({
      SPIKE_DEV_DIR: '/tmp/x',
      SPIKE_TRUST_ROOT: 'example.org,other.org',
      SPIKE_DEV_AGENT_SVID_TTL: '90s',
      SPIKE_NEXUS_KEEPER_PEERS: 'https://localhost:8443,https://localhost:8543',
      SPIKE_SYSTEM_LOG_LEVEL: 'DEBUG',
    });
    expect(c).toEqual({ devDir: '/tmp/x', trustDomain: 'example.org', svidTtlMs: 90_000, keeperCount: 2, logLevel: 'debug' });
  });

  it('counts pinned SPIKE_NEXUS_KEEPER_PEERS items (URL=SPIFFE-ID) like plain ones', () => {
    const c = loadDevAgentConfig({
      SPIKE_DEV_DIR: '/tmp/x',
      SPIKE_NEXUS_KEEPER_PEERS: 'https://localhost:8443=spiffe://spike.ist/spike/keeper/1,https://localhost:8543=spiffe://spike.ist/spike/keeper/2',
    });
    expect(c.keeperCount).toBe(2);
    expect(() => loadDevAgentConfig({ SPIKE_DEV_DIR: '/tmp/x', SPIKE_NEXUS_KEEPER_PEERS: 'http://a:1=spiffe://spike.ist/spike/keeper/1' })).toThrow(/SPIKE_NEXUS_KEEPER_PEERS/);
  });

  it('prefers SPIKE_DEV_TRUST_DOMAIN (bare or spiffe://)', () => {
    expect(loadDevAgentConfig({ HOME: '/h', SPIKE_DEV_TRUST_DOMAIN: 'spiffe://dev.test', SPIKE_TRUST_ROOT: 'x.org' }).trustDomain).toBe('dev.test');
  });

  it('falls back to /tmp/.spike-$USER/dev without a home', () => {
    expect(loadDevAgentConfig({ HOME: 'relative', USER: 'bob' }).devDir).toBe('/tmp/.spike-bob/dev');
  });

  it.each([
    [{ SPIKE_DEV_DIR: 'relative/dir' }, /SPIKE_DEV_DIR/],
    [{ SPIKE_DEV_TRUST_DOMAIN: 'Bad Domain' }, /SPIKE_DEV_TRUST_DOMAIN/],
    [{ SPIKE_DEV_AGENT_SVID_TTL: '1x' }, /SPIKE_DEV_AGENT_SVID_TTL/],
    [{ SPIKE_DEV_AGENT_SVID_TTL: '10ms' }, /SPIKE_DEV_AGENT_SVID_TTL/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: 'http://x:1' }, /SPIKE_NEXUS_KEEPER_PEERS/],
    [{ SPIKE_NEXUS_KEEPER_PEERS: 'https://a:1,,https://b:2' }, /SPIKE_NEXUS_KEEPER_PEERS/],
    [{ SPIKE_SYSTEM_LOG_LEVEL: 'loud' }, /SPIKE_SYSTEM_LOG_LEVEL/],
  ])('refuses %j', (env, re) => {
    expect(() => loadDevAgentConfig({ HOME: '/h', ...env })).toThrow(ConfigError);
    expect(() => loadDevAgentConfig({ HOME: '/h', ...env })).toThrow(re);
  });
});
