// SPIKE role SPIFFE IDs and predicates (spike-sdk-go spiffeid/spiffeid.go
// and auth.go). Predicates compare strings exactly as
// upstream: `id == base || id startsWith base + "/"` for any trust root of
// the role; no normalisation, case-sensitive. Kept free of heavy imports:
// the CLI loads this on start-up.

function idFor(td: string, rolePath: string): string {
  return `spiffe://${td}/${rolePath}`;
}

export const NEXUS_PATH = 'spike/nexus';
export const KEEPER_PATH = 'spike/keeper';
export const BOOTSTRAP_PATH = 'spike/bootstrap';
export const PILOT_SUPERUSER_PATH = 'spike/pilot/role/superuser';
export const PILOT_RECOVER_PATH = 'spike/pilot/role/recover';
export const PILOT_RESTORE_PATH = 'spike/pilot/role/restore';
export const LITE_WORKLOAD_PATH = 'spike/workload/role/lite';

export const nexusId = (td: string): string => idFor(td, NEXUS_PATH);
/** Upstream's shared Keeper ID (every Keeper, `spike/keeper`); `isKeeper` accepts it and everything below it. */
export const keeperId = (td: string): string => idFor(td, KEEPER_PATH);
/** Keeper i's own ID, `spike/keeper/<i>` (docs/design.md § Identities); still a Keeper for upstream's prefix rule. */
export const keeperIdOf = (td: string, i: number): string => `${keeperId(td)}/${i}`;
export const bootstrapId = (td: string): string => idFor(td, BOOTSTRAP_PATH);
export const pilotSuperuserId = (td: string): string => idFor(td, PILOT_SUPERUSER_PATH);
export const pilotRecoverId = (td: string): string => idFor(td, PILOT_RECOVER_PATH);
export const pilotRestoreId = (td: string): string => idFor(td, PILOT_RESTORE_PATH);
export const liteWorkloadId = (td: string): string => idFor(td, LITE_WORKLOAD_PATH);

/** `id` is `base` or lies below it (`base/...`). */
function matchesBase(id: string, base: string): boolean {
  return id === base || id.startsWith(base + '/');
}

function matchesRole(id: string, roots: readonly string[], build: (td: string) => string): boolean {
  if (typeof id !== 'string') return false;
  return roots.some((td) => matchesBase(id, build(td.trim())));
}

/** Nexus (`SPIKE_TRUST_ROOT_NEXUS` roots). */
export const isNexus = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, nexusId);
/** Keeper (`SPIKE_TRUST_ROOT_KEEPER` roots). */
export const isKeeper = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, keeperId);
/** Bootstrap (`SPIKE_TRUST_ROOT_BOOTSTRAP` roots). */
export const isBootstrap = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, bootstrapId);
/** Pilot superuser, upstream `IsPilotOperator` (`SPIKE_TRUST_ROOT_PILOT` roots). */
export const isPilotOperator = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, pilotSuperuserId);
/** Pilot recover role (`SPIKE_TRUST_ROOT_PILOT` roots). */
export const isPilotRecover = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, pilotRecoverId);
/** Pilot restore role (`SPIKE_TRUST_ROOT_PILOT` roots). */
export const isPilotRestore = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, pilotRestoreId);
/** Lite workload (`SPIKE_TRUST_ROOT_LITE_WORKLOAD` roots). */
export const isLiteWorkload = (id: string, roots: readonly string[]): boolean => matchesRole(id, roots, liteWorkloadId);

/** Who may call a Keeper: Nexus or Bootstrap (upstream `PeerCanTalkToKeeper`). */
/** The trust roots `peerCanTalkToKeeper` needs (a part of config/shared.ts's TrustRoots; kept here so roles.ts imports no config). */
export interface KeeperCallerRoots {
  readonly nexus: readonly string[];
  readonly bootstrap: readonly string[];
}

export function peerCanTalkToKeeper(id: string, roots: KeeperCallerRoots): boolean {
  return isNexus(id, roots.nexus) || isBootstrap(id, roots.bootstrap);
}

/**
 * Upstream's route-guard check on a peer ID (`sdk:validation` ValidateSPIFFEID):
 * `^spiffe://[a-zA-Z0-9.-]+(/[a-zA-Z0-9._-]+)*$`. Failing IDs get 401.
 */
export function isWellFormedPeerId(id: string): boolean {
  return typeof id === 'string' && /^spiffe:\/\/[a-zA-Z0-9.-]+(\/[a-zA-Z0-9._-]+)*$/.test(id);
}
