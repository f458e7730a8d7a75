// SPIKE_NEXUS_ADVERTISE_URL (docs/design.md § Restore through any replica):
// an https origin, normalised by WHATWG URL rules; anything else is a one-line error.
import { describe, expect, it } from 'vitest';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { defaultAdvertiseUrl } from '../../../src/nexus/restore/advertise.js';
import { ConfigError } from '../../../src/protocol/config/env.js';

const base = { SPIKE_NEXUS_KEEPER_PEERS: 'https://localhost:8443,https://localhost:8543,https://localhost:8643', HOME: '/home/u' };

describe('SPIKE_NEXUS_ADVERTISE_URL', () => {
  it('is absent by default (Nexus then uses https://<listen address or host name>:<port>)', () => {
    expect(loadNexusConfig(base).advertiseUrl).toBeUndefined();
  });

  it('keeps an https origin, normalised', () => {
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_ADVERTISE_URL: 'https://nexus-1.example:8553' }).advertiseUrl).toBe('https://nexus-1.example:8553');
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_ADVERTISE_URL: 'HTTPS://Nexus-1.Example:8553/' }).advertiseUrl).toBe('https://nexus-1.example:8553');
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_ADVERTISE_URL: 'https://[::1]:8553' }).advertiseUrl).toBe('https://[::1]:8553');
    // 443 is https's default port: WHATWG drops it.
    expect(loadNexusConfig({ ...base, SPIKE_NEXUS_ADVERTISE_URL: 'https://n.example:443' }).advertiseUrl).toBe('https://n.example');
  });

  it('refuses anything but an https origin', () => {
    for (const v of ['http://n.example:8553', 'n.example:8553', 'https://', 'https://u:p@n.example', 'https://n.example/v1', 'https://n.example/?a=1', 'https://n.example/#x', 'not a url']) {
      let err: unknown;
      try {
        loadNexusConfig({ ...base, SPIKE_NEXUS_ADVERTISE_URL: v });
      } catch (e) {
        err = e;
      }
      expect(err, v).toBeInstanceOf(ConfigError);
      expect((err as Error).message, v).toMatch(/SPIKE_NEXUS_ADVERTISE_URL.*https URL/);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('defaultAdvertiseUrl', () => {
  it('is the bound address, or the host name for a wildcard listener', () => {
    expect(defaultAdvertiseUrl('127.0.0.1', 8553, 'vm')).toBe('https://127.0.0.1:8553');
    expect(defaultAdvertiseUrl('10.1.2.3', 1, 'vm')).toBe('https://10.1.2.3:1');
    expect(defaultAdvertiseUrl('::1', 8553, 'vm')).toBe('https://[::1]:8553');
    expect(defaultAdvertiseUrl('[::1]', 8553, 'vm')).toBe('https://[::1]:8553');
    expect(defaultAdvertiseUrl('nexus-1.example', 8553, 'vm')).toBe('https://nexus-1.example:8553');
    for (const w of [undefined, '', '0.0.0.0', '::', '[::]']) expect(defaultAdvertiseUrl(w, 8553, 'vm'), String(w)).toBe('https://vm:8553');
  });
});
