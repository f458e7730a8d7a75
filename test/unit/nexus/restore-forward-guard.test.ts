// The restore forwarding guard (docs/design.md § Restore through any replica):
// the forwarded-caller header counts only from Nexus's own ID, and the restore
// role is always checked on the original caller. IDs are upstream SPIKE's
// literal role paths (spike-sdk-go spiffeid), not built by our helpers.
import { describe, expect, it } from 'vitest';
import { FORWARDED_CALLER_HEADER, restoreCallerOf } from '../../../src/nexus/restore/forward-guard.js';

const roots = { nexus: ['spike.ist'], pilot: ['spike.ist'] };
const NEXUS = 'spiffe://spike.ist/spike/nexus';
const RESTORE = 'spiffe://spike.ist/spike/pilot/role/restore';
const RECOVER = 'spiffe://spike.ist/spike/pilot/role/recover';
const SUPERUSER = 'spiffe://spike.ist/spike/pilot/role/superuser';
const KEEPER = 'spiffe://spike.ist/spike/keeper/1';
const WORKLOAD = 'spiffe://spike.ist/workload/app';

describe('restoreCallerOf', () => {
  it('names the header as lower-case (as Node reports header names)', () => {
    expect(FORWARDED_CALLER_HEADER).toBe(FORWARDED_CALLER_HEADER.toLowerCase());
  });

  it('a direct call: the TLS peer is the caller and needs the restore role', () => {
    expect(restoreCallerOf(RESTORE, undefined, roots)).toEqual({ ok: true, caller: RESTORE });
    expect(restoreCallerOf(RECOVER, undefined, roots)).toMatchObject({ ok: false, caller: RECOVER, why: 'not_restore_role' });
    expect(restoreCallerOf(undefined, undefined, roots)).toMatchObject({ ok: false, caller: null });
  });

  it('ignores the header from anyone but Nexus', () => {
    for (const peer of [RECOVER, SUPERUSER, KEEPER, WORKLOAD]) {
      const r = restoreCallerOf(peer, RESTORE, roots);
      expect(r, peer).toMatchObject({ ok: false, caller: peer, why: 'not_restore_role' });
      expect(r.via, peer).toBeUndefined();
    }
    // A restore operator naming someone else still acts as itself.
    expect(restoreCallerOf(RESTORE, RECOVER, roots)).toEqual({ ok: true, caller: RESTORE });
    // No TLS peer: the header gives nothing.
    expect(restoreCallerOf(undefined, RESTORE, roots)).toMatchObject({ ok: false, caller: null });
    // Nexus of another trust domain is not Nexus.
    expect(restoreCallerOf('spiffe://other.example/spike/nexus', RESTORE, roots)).toMatchObject({ ok: false, why: 'not_restore_role' });
  });

  it('from Nexus: the forwarded caller must hold the restore role', () => {
    expect(restoreCallerOf(NEXUS, RESTORE, roots)).toEqual({ ok: true, caller: RESTORE, via: NEXUS });
    expect(restoreCallerOf(`${NEXUS}/replica-b`, RESTORE, roots)).toEqual({ ok: true, caller: RESTORE, via: `${NEXUS}/replica-b` });
    for (const c of [RECOVER, SUPERUSER, KEEPER, WORKLOAD, NEXUS, 'spiffe://other.example/spike/pilot/role/restore']) {
      expect(restoreCallerOf(NEXUS, c, roots), c).toMatchObject({ ok: false, caller: c, via: NEXUS, why: 'not_restore_role' });
    }
  });

  it('from Nexus: no header, a malformed one or several are refused (Nexus itself has no restore role)', () => {
    expect(restoreCallerOf(NEXUS, undefined, roots)).toMatchObject({ ok: false, caller: NEXUS, via: NEXUS, why: 'forwarded_without_caller' });
    for (const h of ['', 'restore', `${RESTORE} `, `${RESTORE}\n`, 'https://spike.ist/spike/pilot/role/restore']) {
      expect(restoreCallerOf(NEXUS, h, roots), JSON.stringify(h)).toMatchObject({ ok: false, caller: null, via: NEXUS, why: 'forwarded_caller_malformed' });
    }
    expect(restoreCallerOf(NEXUS, [RESTORE, RESTORE], roots)).toMatchObject({ ok: false, caller: null, why: 'forwarded_caller_malformed' });
  });
});
