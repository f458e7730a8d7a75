import { describe, expect, it } from 'vitest';
import { loadKeeperConfig } from '../../../src/keeper/config.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

describe('loadKeeperConfig', () => {
  it('has upstream defaults', () => {
    const c = loadKeeperConfig({});
    expect(c.listen).toEqual({ host: undefined, port: 8443 });
    expect(c.spiffe.endpointSocket).toBe('unix:///tmp/spire-agent/public/api.sock');
    expect(c.spiffe.sourceTimeoutMs).toBe(30_000);
    expect(c.trustRoots.nexus).toEqual(['spike.ist']);
    expect(c.readHeaderTimeoutMs).toBe(10_000);
    expect(c.logLevel).toBe('warn');
  });

  it('reads the variables and refuses bad values with a ConfigError naming them', () => {
    const c = loadKeeperConfig({ SPIKE_KEEPER_TLS_PORT: '127.0.0.1:8543', SPIKE_TRUST_ROOT_NEXUS: 'a.org, b.org' });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8543 });
    expect(c.trustRoots.nexus).toEqual(['a.org', 'b.org']);
    expect(() => loadKeeperConfig({ SPIKE_KEEPER_TLS_PORT: '8443' })).toThrow(/SPIKE_KEEPER_TLS_PORT/);
    expect(() => loadKeeperConfig({ SPIKE_HTTP_SERVER_READ_HEADER_TIMEOUT: 'soon' })).toThrow(ConfigError);
  });
});
