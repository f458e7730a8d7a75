// Steps every Nexus-talking command shares: configuration, the Pilot's own
// role check (before any network call), and the identity, always closed.
// What a failed call looks like is calls.ts's job.
import { ConfigError, type Env } from '../../protocol/config/env.js';
import { loadPilotConfig, type PilotConfig } from '../config.js';
import {
  isPilotOperator,
  isPilotRecover,
  isPilotRestore,
  pilotRecoverId,
  pilotRestoreId,
  pilotSuperuserId,
} from '../../protocol/roles.js';
import { CliError, ExitCode } from '../output/exit.js';
import type { PilotDeps, PilotIdentity } from '../runtime.js';
import { MEMORY_WARNING_TEXT } from '../output/texts.js';

export function loadConfig(env: Env): PilotConfig {
  try {
    return loadPilotConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(ExitCode.usage, `Invalid configuration: ${e.message}`);
    throw e;
  }
}

export type PilotRole = 'superuser' | 'recover' | 'restore';

interface RoleFacts {
  /** Upstream's predicate (spike-sdk-go spiffeid). */
  test: (id: string, roots: readonly string[]) => boolean;
  /** The role's SPIFFE ID in trust domain `td`. */
  id: (td: string) => string;
  /** The local-stack script that registers the Pilot with this role. */
  script: string;
}

/** The Pilot roles as the docs name them (docs/cli.md, the role table). */
export const PILOT_ROLES: Readonly<Record<PilotRole, RoleFacts>> = {
  superuser: { test: isPilotOperator, id: pilotSuperuserId, script: 'hack/spire-server-entry-su-register.sh' },
  recover: { test: isPilotRecover, id: pilotRecoverId, script: 'hack/spire-server-entry-recover-register.sh' },
  restore: { test: isPilotRestore, id: pilotRestoreId, script: 'hack/spire-server-entry-restore-register.sh' },
};

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] as string}`;
}

/**
 * Upstream's *OrDie role checks, as one `Error:` line and exit 3: the role(s)
 * the command needs, the SPIFFE ID that would do, the one this Pilot has,
 * upstream's `access_unauthorized`, and the script that grants the role.
 */
export function requireRole(spiffeId: string, roles: PilotRole | readonly PilotRole[], cfg: PilotConfig): void {
  const wanted: readonly PilotRole[] = typeof roles === 'string' ? [roles] : roles;
  const roots = cfg.trustRoots.pilot;
  if (wanted.some((r) => PILOT_ROLES[r].test(spiffeId, roots))) return;
  const ids = wanted.flatMap((r) => roots.map((td) => PILOT_ROLES[r].id(td.trim())));
  const scripts = wanted.map((r) => PILOT_ROLES[r].script);
  const shown = spiffeId.replace(/[^\x20-\x7e]/g, '?');
  throw new CliError(
    ExitCode.identity,
    `this command needs the ${orList(wanted)} role (${orList(ids)}), but this SPIKE Pilot is ${shown} (access_unauthorized); ` +
      `grant it with ${orList(scripts)}.`,
  );
}

/** Runs `fn` with the Pilot's identity and always closes it. */
export async function withIdentity<T>(deps: PilotDeps, cfg: PilotConfig, fn: (id: PilotIdentity) => Promise<T>): Promise<T> {
  if (cfg.showMemoryWarning) deps.io.err(MEMORY_WARNING_TEXT);
  const identity = await deps.openIdentity(cfg);
  try {
    return await fn(identity);
  } finally {
    await identity.close();
  }
}
