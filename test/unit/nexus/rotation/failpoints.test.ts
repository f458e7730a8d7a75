// SPIKE_NEXUS_FAILPOINTS: the spec's syntax, the N-th pass firing, and the
// config refusing anything else with one line naming the variable.
import { describe, expect, it } from 'vitest';
import { createFailpoints, parseFailpointSpec } from '../../../../src/common/failpoint.js';
import { ROTATION_FAILPOINTS } from '../../../../src/nexus/rotation/failpoint-names.js';
import { loadNexusConfig } from '../../../../src/nexus/config.js';
import { ConfigError } from '../../../../src/protocol/config/env.js';

const KNOWN = ROTATION_FAILPOINTS;
const BASE = {
  SPIKE_NEXUS_KEEPER_PEERS: 'https://k1:8443,https://k2:8443,https://k3:8443',
  SPIKE_NEXUS_SHAMIR_SHARES: '3',
  SPIKE_NEXUS_SHAMIR_THRESHOLD: '2',
};

describe('failpoints', () => {
  it('parses name and name@N, blanks ignored', () => {
    expect([...parseFailpointSpec(' rotation.in_batch@3 , rotation.after_finish', KNOWN)]).toEqual([
      ['rotation.in_batch', 3],
      ['rotation.after_finish', 1],
    ]);
  });

  it('refuses unknown names, bad counts, empty items and repeats', () => {
    for (const bad of ['rotation.nope', 'rotation.in_batch@0', 'rotation.in_batch@x', 'rotation.in_batch@', '', 'rotation.in_batch,', 'rotation.in_batch,rotation.in_batch@2', 'rotation.in_batch@-1']) {
      expect(() => parseFailpointSpec(bad, KNOWN), bad).toThrow(/failpoint/);
    }
  });

  it('fires exactly on the armed pass of the armed name (the kill runs once; other names never)', () => {
    const fired: string[] = [];
    const fp = createFailpoints(new Map([['rotation.after_batch', 3]]), () => fired.push('kill'), (name, pass) => fired.push(`${name}@${pass}`));
    for (let i = 0; i < 5; i++) {
      fp.hit('rotation.after_batch');
      fp.hit('rotation.in_batch');
    }
    expect(fired).toEqual(['rotation.after_batch@3', 'kill']);
    expect(fp.armed()).toEqual(['rotation.after_batch@3']);
    const none = createFailpoints(new Map(), () => fired.push('never'));
    none.hit('rotation.after_batch');
    expect(none.armed()).toEqual([]);
    expect(fired).toHaveLength(2);
  });

  it('SPIKE_NEXUS_FAILPOINTS in the Nexus config: empty by default, parsed when set, a ConfigError naming the variable when bad', () => {
    expect(loadNexusConfig(BASE).failpoints.size).toBe(0);
    expect([...loadNexusConfig({ ...BASE, SPIKE_NEXUS_FAILPOINTS: 'rotation.after_push_one@2' }).failpoints]).toEqual([['rotation.after_push_one', 2]]);
    let err: unknown;
    try {
      loadNexusConfig({ ...BASE, SPIKE_NEXUS_FAILPOINTS: 'rotation.before_lunch' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^SPIKE_NEXUS_FAILPOINTS: unknown failpoint "rotation.before_lunch"/);
  });
});
