// Steps every Nexus-talking command shares: configuration, the Pilot's own
// role check (before any network call), and turning client failures into the
// exit codes of docs/design.md § Exit codes.
import { ConfigError, type Env } from '../protocol/config/env.js';
import { loadPilotConfig, type PilotConfig } from './config.js';
import { isPilotOperator, isPilotRecover, isPilotRestore } from '../protocol/roles.js';
import { CliError, ExitCode, firstLine, oneLine } from './output/exit.js';
import type { NexusAnswer, PilotDeps, PilotIdentity } from './runtime.js';
import { MEMORY_WARNING_TEXT } from './output/texts.js';

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

interface ClientErrorLike {
  name: string;
  kind: string;
  message: string;
}

function isClientErrorLike(e: unknown): e is ClientErrorLike {
  return e instanceof Error && e.name === 'ClientError' && typeof (e as { kind?: unknown }).kind === 'string';
}

/**
 * A failed call to Nexus (no answer): `headline` is upstream's text; the
 * cause follows in parentheses. The server presenting a wrong SPIFFE ID is an
 * identity failure (exit 3); everything else exit 1.
 */
export function callFailure(e: unknown, headline: string): CliError {
  if (e instanceof CliError) return e;
  if (isClientErrorLike(e)) {
    // The client's message says which side failed (the server's SVID, or our own).
    if (e.kind === 'identity') return new CliError(ExitCode.identity, `${headline} (${oneLine(e.message)})`);
    return new CliError(ExitCode.nexus, `${headline} (${oneLine(e.message)})`);
  }
  return new CliError(ExitCode.nexus, `${headline} (${firstLine(e)})`);
}

/** The upstream error code of a non-200 answer (`{"err":"…"}`), if it has one. Zeroes nothing. */
export function answerCode(answer: NexusAnswer): string | undefined {
  if (answer.body.length === 0 || answer.body.length > 4096) return undefined;
  try {
    const v: unknown = JSON.parse(answer.body.toString('utf8'));
    if (typeof v === 'object' && v !== null) {
      for (const [k, val] of Object.entries(v)) {
        if (k.toLowerCase() === 'err' && typeof val === 'string' && /^[a-z0-9_]{1,64}$/.test(val)) return val;
      }
    }
  } catch {
    // not JSON: no code
  }
  return undefined;
}

/** `HTTP 401 access_unauthorized` — a short description of an error answer. */
export function describeAnswer(answer: NexusAnswer): string {
  const code = answerCode(answer);
  return code === undefined ? `HTTP ${answer.status}` : `HTTP ${answer.status} ${code}`;
}
