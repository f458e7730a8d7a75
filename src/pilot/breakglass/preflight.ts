// `spike operator preflight` checks, as data: each check says PASS, WARN,
// FAIL or SKIP (a check that needs an earlier one that failed), one line of
// detail, and the exit code a failure stands for (docs/cli.md). The checks
// talk to the world only through `PreflightWorld`, so they are unit-testable.
import type { PilotConfig } from '../config.js';
import { isPilotRecover, isPilotRestore } from '../../protocol/roles.js';
import { CliError, ExitCode, firstLine, type ExitCodeValue } from '../output/exit.js';
import type { NexusAnswer } from '../runtime.js';
import { interpretStatusAnswer, type RestoreStatusView } from './status.js';

export type Purpose = 'recover' | 'restore' | 'any';
export type CheckResult = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

export interface Check {
  name: string;
  result: CheckResult;
  detail: string;
  /** Exit code when this check fails. */
  exitCode: ExitCodeValue;
}

/** An SVID older than this before expiry is a warning (the dev agent and SPIRE rotate well before). */
export const EXPIRY_WARN_MS = 5 * 60_000;

export interface PreflightSvid {
  spiffeId: string;
  notAfter: Date;
  /** POSTs to Nexus, recording the SPIFFE ID the server presented (even when it is refused). */
  callNexus(path: string, body: Uint8Array): Promise<{ answer?: NexusAnswer; error?: unknown; presentedId?: string }>;
  close(): Promise<void>;
}

export interface PreflightWorld {
  now(): Date;
  openSvid(cfg: PilotConfig): Promise<PreflightSvid>;
  /** Throws CliError when the recovery directory is unsafe; returns it otherwise. */
  checkRecoveryDir(cfg: PilotConfig): string;
  /** Memory hygiene findings (swap on, core dumps allowed); [] when none or unknown. */
  memoryRisks(): string[];
}

function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.round(m / 60)}h`;
}

const check = (name: string, result: CheckResult, detail: string, exitCode: ExitCodeValue = ExitCode.nexus): Check => ({
  name,
  result,
  detail,
  exitCode,
});

export async function runPreflightChecks(purpose: Purpose, cfg: PilotConfig, world: PreflightWorld): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check): void => void checks.push(c);

  // Recovery directory (needs no identity).
  try {
    const dir = world.checkRecoveryDir(cfg);
    add(check('recovery-dir', 'PASS', `${dir} is safe (or will be created 0700)`, ExitCode.filesystem));
  } catch (e) {
    const msg = e instanceof CliError ? e.message : firstLine(e);
    add(check('recovery-dir', purpose === 'restore' ? 'WARN' : 'FAIL', msg, ExitCode.filesystem));
  }
  const risks = world.memoryRisks();
  add(check('memory', risks.length === 0 ? 'PASS' : 'WARN', risks.length === 0 ? 'no swap, no core dumps' : risks.join('; ')));

  let svid: PreflightSvid | undefined;
  try {
    svid = await world.openSvid(cfg);
    add(check('workload-api', 'PASS', `X509-SVID from ${cfg.spiffe.endpointSocket}`, ExitCode.identity));
  } catch (e) {
    add(check('workload-api', 'FAIL', e instanceof CliError ? e.message : firstLine(e), ExitCode.identity));
    for (const n of ['role', 'svid-expiry', 'nexus', 'nexus-state']) add(check(n, 'SKIP', 'needs an SVID'));
    return checks;
  }
  try {
    const roots = cfg.trustRoots.pilot;
    const id = svid.spiffeId;
    const roles = [isPilotRecover(id, roots) && 'recover', isPilotRestore(id, roots) && 'restore'].filter((r): r is string => r !== false);
    const needed = purpose === 'any' ? ['recover', 'restore'] : [purpose];
    const hasRole = roles.some((r) => needed.includes(r));
    add(
      check(
        'role',
        hasRole ? 'PASS' : 'FAIL',
        hasRole ? `${id} has the '${roles.join("' and '")}' role` : `${id} lacks the '${needed.join("' or '")}' role (run hack/spire-server-entry-${needed[0]}-register.sh)`,
        ExitCode.identity,
      ),
    );
    const left = svid.notAfter.getTime() - world.now().getTime();
    add(
      check(
        'svid-expiry',
        left <= 0 ? 'FAIL' : left < EXPIRY_WARN_MS ? 'WARN' : 'PASS',
        left <= 0 ? `expired at ${svid.notAfter.toISOString()}` : `expires in ${fmtDuration(left)} (${svid.notAfter.toISOString()})`,
        ExitCode.identity,
      ),
    );

    const { PATH_OPERATOR_STATUS } = await import('../../protocol/paths.js');
    const call = await svid.callNexus(PATH_OPERATOR_STATUS, Buffer.from('{}'));
    if (call.answer === undefined) {
      const err = call.error;
      const kind = typeof err === 'object' && err !== null && 'kind' in err ? String(err.kind) : '';
      const wrongId = kind === 'identity';
      add(
        check(
          'nexus',
          'FAIL',
          wrongId
            ? `${cfg.nexusUrl.origin} presented ${call.presentedId ?? 'an unverifiable SVID'}, not a SPIKE Nexus ID of ${cfg.trustRoots.nexus.join(', ')}`
            : `${cfg.nexusUrl.origin} unreachable (${firstLine(err)})`,
          wrongId ? ExitCode.identity : ExitCode.nexus,
        ),
      );
      add(check('nexus-state', 'SKIP', 'needs SPIKE Nexus'));
      return checks;
    }
    add(check('nexus', 'PASS', `${cfg.nexusUrl.origin} is ${call.presentedId ?? 'SPIKE Nexus'}`));
    add(stateCheck(purpose, call.answer, hasRole));
  } finally {
    await svid.close();
  }
  return checks;
}

function stateCheck(purpose: Purpose, answer: NexusAnswer, hasRole: boolean): Check {
  let s: RestoreStatusView | 'unsupported';
  try {
    s = interpretStatusAnswer(answer);
  } catch (e) {
    if (!hasRole && answer.status === 401) return check('nexus-state', 'SKIP', 'needs the recover or restore role');
    return check('nexus-state', 'FAIL', e instanceof CliError ? e.message : firstLine(e));
  } finally {
    answer.body.fill(0);
  }
  if (s === 'unsupported') return check('nexus-state', 'WARN', 'unknown: this SPIKE Nexus has no status route (upstream Nexus)');
  if (s.ready) {
    if (purpose === 'restore') return check('nexus-state', 'WARN', 'SPIKE Nexus already has its root key: nothing to restore');
    return check('nexus-state', 'PASS', `ready (threshold ${s.threshold})`);
  }
  const waiting = `waiting for a restore: ${s.collected} of ${s.threshold} shards collected${s.ids.length > 0 ? ` (ids ${s.ids.join(', ')})` : ''}`;
  if (purpose === 'recover') return check('nexus-state', 'FAIL', `${waiting}; recover needs a healthy SPIKE Nexus`);
  return check('nexus-state', 'PASS', waiting);
}

/** The table for people. */
export function preflightTable(purpose: Purpose, checks: readonly Check[]): string {
  const w = Math.max(...checks.map((c) => c.name.length), 5);
  const lines = [`${'CHECK'.padEnd(w)}  RESULT  DETAIL`, ...checks.map((c) => `${c.name.padEnd(w)}  ${c.result.padEnd(6)}  ${c.detail}`)];
  const n = (r: CheckResult): number => checks.filter((c) => c.result === r).length;
  lines.push('', `Preflight for ${purpose === 'any' ? 'recover/restore' : purpose}: ${n('PASS')} passed, ${n('WARN')} warning(s), ${n('FAIL')} failed, ${n('SKIP')} skipped.`);
  return lines.join('\n') + '\n';
}

/** The exit code: 0 unless something failed (or, with `strict`, warned). */
export function preflightExitCode(checks: readonly Check[], strict: boolean): ExitCodeValue {
  const failed = checks.find((c) => c.result === 'FAIL');
  if (failed !== undefined) return failed.exitCode;
  if (strict && checks.some((c) => c.result === 'WARN')) return ExitCode.nexus;
  return ExitCode.ok;
}
