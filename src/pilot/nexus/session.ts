// Steps every Nexus-talking command shares: configuration, the Pilot's own
// role check (before any network call), and the identity, always closed.
// What a failed call looks like is calls.ts's job.
import { ConfigError, type Env } from '../../protocol/config/env.js';
import { loadPilotConfig, type PilotConfig } from '../config.js';
import { isPilotOperator, isPilotRecover, isPilotRestore } from '../../protocol/roles.js';
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

const ROLE_CHECK: Record<PilotRole, { test: (id: string, roots: readonly string[]) => boolean; word: string }> = {
  superuser: { test: isPilotOperator, word: 'pilot' },
  recover: { test: isPilotRecover, word: 'recover' },
  restore: { test: isPilotRestore, word: 'restore' },
};

/** Upstream's *OrDie role checks, as one stderr line and exit 3. */
export function requireRole(spiffeId: string, role: PilotRole, cfg: PilotConfig): void {
  const { test, word } = ROLE_CHECK[role];
  if (!test(spiffeId, cfg.trustRoots.pilot)) {
    throw new CliError(
      ExitCode.identity,
      `you need a '${word}' SPIFFE ID to use this command (access_unauthorized; this SPIKE Pilot is '${spiffeId}')`,
    );
  }
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
