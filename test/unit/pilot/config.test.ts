import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config/env.js';
import { loadPilotConfig } from '../../../src/pilot/config.js';

describe('loadPilotConfig', () => {
  it('has upstream defaults', () => {
    const c = loadPilotConfig({ HOME: '/home/a', USER: 'a' });
    expect(c.nexusUrl.href).toBe('https://localhost:8553/');
    expect(c.trustRoots.pilot).toEqual(['spike.ist']);
    expect(c.trustRoots.nexus).toEqual(['spike.ist']);
    expect(c.spiffe).toEqual({ endpointSocket: 'unix:///tmp/spire-agent/public/api.sock', sourceTimeoutMs: 30_000 });
    expect(c.recoveryDir).toEqual({ customDir: undefined, homeDir: '/home/a', user: 'a' });
    expect(c.maxShareCount).toBe(1000);
    expect(c.httpTimeoutMs).toBe(60_000);
    expect(c.showMemoryWarning).toBe(false);
  });

  it('reads every variable', () => {
    const c = loadPilotConfig({
      SPIKE_NEXUS_API_URL: 'https://nexus.example:9000/prefix',
      SPIKE_TRUST_ROOT_PILOT: 'a.org, b.org',
      SPIKE_TRUST_ROOT_NEXUS: 'c.org',
      SPIFFE_ENDPOINT_SOCKET: 'unix:///run/api.sock',
      SPIKE_SPIFFE_SOURCE_TIMEOUT: '2s',
      SPIKE_PILOT_RECOVERY_DIR: '/srv/r',
      SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT: '5',
      SPIKE_HTTP_CLIENT_TIMEOUT: '1500ms',
      SPIKE_PILOT_SHOW_MEMORY_WARNING: 'TRUE',
    });
    expect(c.nexusUrl.href).toBe('https://nexus.example:9000/prefix');
    expect(c.trustRoots.pilot).toEqual(['a.org', 'b.org']);
    expect(c.trustRoots.nexus).toEqual(['c.org']);
    expect(c.spiffe).toEqual({ endpointSocket: 'unix:///run/api.sock', sourceTimeoutMs: 2000 });
    expect(c.recoveryDir.customDir).toBe('/srv/r');
    expect(c.maxShareCount).toBe(5);
    expect(c.httpTimeoutMs).toBe(1500);
    expect(c.showMemoryWarning).toBe(true);
  });

  it('refuses invalid values naming the variable', () => {
    for (const [name, value] of [
      ['SPIKE_NEXUS_API_URL', 'http://x'],
      ['SPIKE_HTTP_CLIENT_TIMEOUT', '0s'],
      ['SPIKE_HTTP_CLIENT_TIMEOUT', 'soon'],
      ['SPIKE_SPIFFE_SOURCE_TIMEOUT', '-1s'],
      ['SPIKE_NEXUS_SHAMIR_MAX_SHARE_COUNT', '0'],
      ['SPIKE_PILOT_SHOW_MEMORY_WARNING', 'maybe'],
    ] as const) {
      expect(() => loadPilotConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadPilotConfig({ [name]: value })).toThrow(name);
    }
  });
});
