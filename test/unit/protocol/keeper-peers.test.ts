// SPIKE_NEXUS_KEEPER_PEERS in both forms: plain URLs (upstream's, any Keeper
// ID, warned about) and URL=SPIFFE-ID pairs that pin each Keeper URL.
import { describe, expect, it } from 'vitest';
import { loadKeeperPeerList, unpinnedKeepersWarning } from '../../../src/protocol/config/shared.js';
import { loadNexusConfig } from '../../../src/nexus/config.js';
import { loadBootstrapConfig } from '../../../src/bootstrap/config.js';
import { isKeeper } from '../../../src/protocol/roles.js';

const ROOTS = ['spike.ist'];
const peers = (v: string, roots: readonly string[] = ROOTS) => loadKeeperPeerList({ SPIKE_NEXUS_KEEPER_PEERS: v }, roots);

describe('pinned form URL=SPIFFE-ID', () => {
  it('pins each URL to its ID, in order (spaces around items and = allowed)', () => {
    const p = peers('https://h:8443=spiffe://spike.ist/spike/keeper/1, https://h:8543 = spiffe://spike.ist/spike/keeper/2');
    expect(p.map((k) => [k.url.origin, k.id])).toEqual([
      ['https://h:8443', 'spiffe://spike.ist/spike/keeper/1'],
      ['https://h:8543', 'spiffe://spike.ist/spike/keeper/2'],
    ]);
    expect(unpinnedKeepersWarning(p)).toBeUndefined();
  });

  it('per-keeper IDs are still Keepers for upstream prefix rule', () => {
    // upstream spike-sdk-go IsKeeper: id == spiffe://td/spike/keeper or has prefix spiffe://td/spike/keeper/
    expect(isKeeper('spiffe://spike.ist/spike/keeper/1', ROOTS)).toBe(true);
    expect(isKeeper('spiffe://spike.ist/spike/keeper/42/a', ROOTS)).toBe(true);
  });

  it('accepts an ID in any keeper trust root, and any name below spike/keeper', () => {
    const p = peers('https://a:1=spiffe://corp.example/spike/keeper/eu-1,https://b:2=spiffe://spike.ist/spike/keeper/2', ['spike.ist', 'corp.example']);
    expect(p.map((k) => k.id)).toEqual(['spiffe://corp.example/spike/keeper/eu-1', 'spiffe://spike.ist/spike/keeper/2']);
  });

  it.each([
    ['https://a:1=spiffe://spike.ist/spike/keeper/1,https://b:2=spiffe://spike.ist/spike/keeper/1', /duplicate keeper SPIFFE ID spiffe:\/\/spike.ist\/spike\/keeper\/1 at position 2/],
    ['https://a:1=spiffe://spike.ist/spike/keeper/1,https://b:2', /1 of 2 keepers are pinned to a SPIFFE ID: pin every keeper .* or none/],
    ['https://a:1,https://b:2=spiffe://spike.ist/spike/keeper/2', /1 of 2 keepers are pinned/],
    ['https://a:1=spiffe://spike.ist/spike/nexus', /must lie below spiffe:\/\/spike.ist\/spike\/keeper\/ \(e.g. spiffe:\/\/spike.ist\/spike\/keeper\/1\)/],
    ['https://a:1=spiffe://spike.ist/spike/keeper', /must lie below spiffe:\/\/spike.ist\/spike\/keeper\//],
    ['https://a:1=spiffe://spike.ist/spike/keeperX/1', /must lie below/],
    ['https://a:1=spiffe://other.td/spike/keeper/1', /not in a SPIKE_TRUST_ROOT_KEEPER trust domain \(spike.ist\)/],
    ['https://a:1=', /invalid keeper SPIFFE ID "" at position 1/],
    ['https://a:1=keeper-1', /invalid keeper SPIFFE ID "keeper-1" at position 1/],
    ['https://a:1=spiffe://spike.ist/spike/keeper/1/', /invalid keeper SPIFFE ID/],
    ['https://a:1=spiffe://spike.ist/spike/keeper/a b', /invalid keeper SPIFFE ID/],
    ['https://a:1=spiffe://Spike.ist/spike/keeper/1', /lowercase trust domain/],
    ['https://a:1=spiffe://spike.ist/spike/keeper/../nexus', /no '.' or '..' segments/],
    ['http://a:1=spiffe://spike.ist/spike/keeper/1', /invalid url format at position 1/],
    ['https://a:1=spiffe://spike.ist/spike/keeper/1,https://a:1=spiffe://spike.ist/spike/keeper/2', /duplicate url found at position 2/],
  ])('refuses %s', (v, re) => {
    expect(() => peers(v)).toThrow(/^SPIKE_NEXUS_KEEPER_PEERS: /);
    expect(() => peers(v)).toThrow(re);
  });
});

describe('plain form (upstream)', () => {
  it('keeps working: no ID is derived from the position, and the warning says so', () => {
    const p = peers('https://h:8443,https://h:8543');
    expect(p.map((k) => [k.url.origin, k.id])).toEqual([
      ['https://h:8443', undefined],
      ['https://h:8543', undefined],
    ]);
    expect(unpinnedKeepersWarning(p)).toMatch(/^keeper shares are not pinned to keeper identities: /);
  });
  it('no keepers, no warning', () => {
    expect(unpinnedKeepersWarning([])).toBeUndefined();
  });
});

describe('Nexus and Bootstrap configs', () => {
  const env = {
    HOME: '/h',
    SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443=spiffe://td.example/spike/keeper/1,https://k2:8543=spiffe://td.example/spike/keeper/2',
    SPIKE_NEXUS_SHAMIR_SHARES: '2',
    SPIKE_TRUST_ROOT_KEEPER: 'td.example',
  };
  it('Nexus carries the pins, checked against SPIKE_TRUST_ROOT_KEEPER', () => {
    const c = loadNexusConfig(env);
    expect(c.keeperPeers.map((u) => u.origin)).toEqual(['https://k1:8443', 'https://k2:8543']);
    expect(c.keepers.map((k) => k.id)).toEqual(['spiffe://td.example/spike/keeper/1', 'spiffe://td.example/spike/keeper/2']);
    expect(() => loadNexusConfig({ ...env, SPIKE_TRUST_ROOT_KEEPER: 'spike.ist' })).toThrow(/not in a SPIKE_TRUST_ROOT_KEEPER trust domain/);
  });
  it('Bootstrap carries the pins', () => {
    const c = loadBootstrapConfig(env);
    expect(c.keepers.map((k) => [k.url.origin, k.id])).toEqual([
      ['https://k1:8443', 'spiffe://td.example/spike/keeper/1'],
      ['https://k2:8543', 'spiffe://td.example/spike/keeper/2'],
    ]);
  });
});
