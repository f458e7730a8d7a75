import { describe, expect, it } from 'vitest';
import {
  bootstrapId,
  isBootstrap,
  isKeeper,
  isLiteWorkload,
  isNexus,
  isPilotOperator,
  isPilotRecover,
  isPilotRestore,
  isWellFormedPeerId,
  keeperId,
  keeperIdOf,
  liteWorkloadId,
  nexusId,
  peerCanTalkToKeeper,
  pilotRecoverId,
  pilotRestoreId,
  pilotSuperuserId,
} from '../../../src/protocol/roles.js';

const R = ['spike.ist'];

describe('ID builders (upstream spiffeid.go)', () => {
  it('build the upstream templates', () => {
    expect(nexusId('spike.ist')).toBe('spiffe://spike.ist/spike/nexus');
    expect(keeperId('spike.ist')).toBe('spiffe://spike.ist/spike/keeper');
    expect(keeperIdOf('spike.ist', 2)).toBe('spiffe://spike.ist/spike/keeper/2');
    // upstream IsKeeper is a prefix rule: a per-keeper ID is still a Keeper
    expect(isKeeper(keeperIdOf('spike.ist', 2), R)).toBe(true);
    expect(isKeeper('spiffe://spike.ist/spike/keeperx', R)).toBe(false);
    expect(bootstrapId('spike.ist')).toBe('spiffe://spike.ist/spike/bootstrap');
    expect(pilotSuperuserId('spike.ist')).toBe('spiffe://spike.ist/spike/pilot/role/superuser');
    expect(pilotRecoverId('spike.ist')).toBe('spiffe://spike.ist/spike/pilot/role/recover');
    expect(pilotRestoreId('spike.ist')).toBe('spiffe://spike.ist/spike/pilot/role/restore');
    expect(liteWorkloadId('spike.ist')).toBe('spiffe://spike.ist/spike/workload/role/lite');
  });
});

describe('predicates (upstream auth.go)', () => {
  it('match the base or below it, nothing else', () => {
    expect(isPilotRecover('spiffe://spike.ist/spike/pilot/role/recover', R)).toBe(true);
    expect(isPilotRecover('spiffe://spike.ist/spike/pilot/role/recover/alice', R)).toBe(true);
    expect(isPilotRecover('spiffe://spike.ist/spike/pilot/role/recoverx', R)).toBe(false);
    expect(isPilotRecover('spiffe://spike.ist/spike/pilot/role/Recover', R)).toBe(false);
    expect(isPilotRecover('spiffe://other.org/spike/pilot/role/recover', R)).toBe(false);
  });
  it('roles are disjoint', () => {
    const su = pilotSuperuserId('spike.ist');
    expect(isPilotOperator(su, R)).toBe(true);
    expect(isPilotRecover(su, R)).toBe(false);
    expect(isPilotRestore(su, R)).toBe(false);
    expect(isPilotOperator(pilotRestoreId('spike.ist'), R)).toBe(false);
    expect(isNexus(keeperId('spike.ist'), R)).toBe(false);
    expect(isKeeper(keeperId('spike.ist'), R)).toBe(true);
    expect(isBootstrap(bootstrapId('spike.ist'), R)).toBe(true);
    expect(isLiteWorkload(liteWorkloadId('spike.ist') + '/x', R)).toBe(true);
  });
  it('any listed trust root matches', () => {
    expect(isNexus('spiffe://b.org/spike/nexus', ['a.org', 'b.org'])).toBe(true);
    expect(isNexus('spiffe://c.org/spike/nexus', ['a.org', 'b.org'])).toBe(false);
  });
  it('peerCanTalkToKeeper = Nexus or Bootstrap', () => {
    const roots = { nexus: R, bootstrap: ['b.org'] };
    expect(peerCanTalkToKeeper(nexusId('spike.ist'), roots)).toBe(true);
    expect(peerCanTalkToKeeper(bootstrapId('b.org'), roots)).toBe(true);
    expect(peerCanTalkToKeeper(bootstrapId('spike.ist'), roots)).toBe(false);
    expect(peerCanTalkToKeeper(keeperId('spike.ist'), roots)).toBe(false);
  });
  it('peer-ID well-formedness as upstream validation', () => {
    expect(isWellFormedPeerId('spiffe://spike.ist/spike/nexus')).toBe(true);
    expect(isWellFormedPeerId('spiffe://spike.ist')).toBe(true);
    expect(isWellFormedPeerId('spiffe://spike.ist/a b')).toBe(false);
    expect(isWellFormedPeerId('https://spike.ist/x')).toBe(false);
  });
});
