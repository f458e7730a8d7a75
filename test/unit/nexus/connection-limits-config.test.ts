// The connection-cap variables of Nexus and the Keeper (docs/design.md § Limits):
// defaults, overrides, and one-line refusals of invalid values.
import { describe, expect, it } from 'vitest';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { loadKeeperConfig } from '../../../src/keeper/config.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

const nexusEnv = (extra: Record<string, string> = {}) => ({ SPIKE_NEXUS_BACKEND_STORE: 'memory', ...extra });

describe('connection caps', () => {
  it('defaults: 1024 in all, 64 per peer (Nexus and Keeper)', () => {
    expect(loadNexusConfig(nexusEnv())).toMatchObject({ maxConnections: 1024, maxConnectionsPerPeer: 64 });
    expect(loadKeeperConfig({})).toMatchObject({ maxConnections: 1024, maxConnectionsPerPeer: 64 });
  });

  it('set by SPIKE_NEXUS_MAX_CONNECTIONS[_PER_PEER] and SPIKE_KEEPER_MAX_CONNECTIONS[_PER_PEER]', () => {
    expect(loadNexusConfig(nexusEnv({ SPIKE_NEXUS_MAX_CONNECTIONS: '10', SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER: '3' }))).toMatchObject({
      maxConnections: 10,
      maxConnectionsPerPeer: 3,
    });
    expect(loadKeeperConfig({ SPIKE_KEEPER_MAX_CONNECTIONS: '7', SPIKE_KEEPER_MAX_CONNECTIONS_PER_PEER: '2' })).toMatchObject({
      maxConnections: 7,
      maxConnectionsPerPeer: 2,
    });
  });

  it.each(['0', '-1', 'many', '1.5'])('refuses %j, naming the variable', (v) => {
    expect(() => loadNexusConfig(nexusEnv({ SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER: v }))).toThrow(ConfigError);
    expect(() => loadNexusConfig(nexusEnv({ SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER: v }))).toThrow(/SPIKE_NEXUS_MAX_CONNECTIONS_PER_PEER/);
    expect(() => loadKeeperConfig({ SPIKE_KEEPER_MAX_CONNECTIONS: v })).toThrow(/SPIKE_KEEPER_MAX_CONNECTIONS/);
  });
});
