// `spike operator preflight [--for recover|restore]`: before a break-glass
// step, check everything it needs — the Workload API and the SVID (role,
// expiry), SPIKE Nexus (reachable, the right SPIFFE ID, the right state) and
// the recovery directory — and print a PASS/WARN/FAIL table. Exit 0 unless a
// check FAILs: then the exit code of the first failed check (docs/cli.md:
// 1 Nexus, 3 identity, 4 filesystem); with --strict, WARNs and no FAIL exit 1.
import type { Command } from 'commander';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import { jsonDocument } from '../output/json.js';
import type { PilotDeps } from '../runtime.js';
import { loadConfig } from '../nexus/session.js';
import type { PreflightWorld, Purpose } from '../breakglass/preflight.js';

export const PREFLIGHT_SUMMARY = 'Check that a recover or restore can work, before you need it';

export interface PreflightOptions {
  format: string;
  for?: string;
  strict?: boolean;
}

function parsePurpose(v: string | undefined): Purpose {
  if (v === undefined) return 'any';
  if (v === 'recover' || v === 'restore') return v;
  throw new CliError(ExitCode.usage, `invalid --for '${v.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}'. Valid values are: recover, restore`);
}

export async function runPreflight(deps: PilotDeps, opts: PreflightOptions, world?: PreflightWorld): Promise<void> {
  const format = parseFormat(opts.format);
  const purpose = parsePurpose(opts.for);
  const cfg = loadConfig(deps.env);
  const { runPreflightChecks, preflightTable, preflightExitCode } = await import('../breakglass/preflight.js');
  const w = world ?? (await import('../breakglass/preflight-world.js')).realPreflightWorld;
  const checks = await runPreflightChecks(purpose, cfg, w);
  const code = preflightExitCode(checks, opts.strict === true);
  if (format === 'json') {
    deps.io.out(jsonDocument({ for: purpose, ok: code === ExitCode.ok, checks: checks.map(({ name, result, detail }) => ({ name, result, detail })) }));
  } else {
    deps.io.out(preflightTable(purpose, checks));
  }
  if (code !== ExitCode.ok) {
    const bad = checks.find((c) => c.result === 'FAIL') ?? checks.find((c) => c.result === 'WARN');
    throw new CliError(code, `Preflight failed: ${bad?.name ?? 'a check'} (${bad?.result ?? 'FAIL'}).`);
  }
}

export function definePreflight(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(PREFLIGHT_SUMMARY)
    .option('--for <step>', 'recover or restore (default: either)')
    .option('--strict', 'treat warnings as failures')
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .addHelpText(
      'after',
      `
Checks: recovery-dir, memory (swap, core dumps), workload-api, role,
svid-expiry (WARN under 5 minutes), nexus (reachable, presents a SPIKE Nexus
SPIFFE ID), nexus-state (recover: ready; restore: waiting for a restore).
A failed check exits with the code of the first one; with --strict, warnings
and no failed check exit 1.

Exit codes:
  0  no check FAILed (--strict: and none WARNed)
  1  a SPIKE Nexus check failed (unreachable, or not in the state the step
     needs), or --strict and a check WARNed with none FAILed
  2  usage error (bad --for, flag or format)
  3  an identity check failed (no Workload API or SVID, wrong role, or the
     server is not SPIKE Nexus)
  4  the recovery directory check failed (unsafe or not writable)

Example:
  $ spike operator preflight --for recover
  $ spike operator preflight --for restore -f json`,
    )
    .action(async (o: PreflightOptions) => runPreflight(deps(), o));
}
