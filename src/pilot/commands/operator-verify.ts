// `spike operator verify [files|dir]`: checks shard files offline against the
// manifest spike.recovery.manifest.json (no Workload API, no Nexus) and names
// every bad file: missing, malformed (typo), an id not in the set, a file
// whose name and content disagree, a value that does not match (typo or
// another set); with at least `threshold` good shards, also that they
// rebuild the manifest's whole set. Exit 0 when all is well, 2 otherwise.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../output/exit.js';
import { FORMAT_HELP, parseFormat } from '../output/format.js';
import { jsonDocument } from '../output/json.js';
import { planRecoveryDir } from '../breakglass/recovery-directory.js';
import type { PilotDeps } from '../runtime.js';
import { loadConfig } from '../nexus/session.js';
import { displayFingerprint, MANIFEST_FILE, type Manifest } from '../breakglass/manifest.js';
import type { ShardDecrypter } from '../breakglass/age.js';
import type { ShardInput, VerifyReport } from '../breakglass/verify.js';

export const VERIFY_SUMMARY = 'Check recovery shard files offline against the shard manifest';

export interface VerifyOptions {
  format: string;
  manifest?: string;
  identity?: string;
  fingerprint?: string;
}

const SHARD_NAME = /^spike\.recovery\.[1-9][0-9]{0,6}\.txt(\.age)?$/;

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function shardFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => SHARD_NAME.test(n))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .map((n) => join(dir, n));
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'error';
    throw new CliError(ExitCode.usage, `Cannot read directory ${dir} (${code}).`);
  }
}

interface Plan {
  manifestPath: string;
  /** Paths to check; `expected` ones are reported missing when absent. */
  paths: string[];
}

function plan(args: readonly string[], manifestFlag: string | undefined, defaultDir: () => string): Plan {
  if (args.length === 0) {
    // The recovery directory is a directory even before `recover` made it:
    // the manifest is looked for inside it, and a missing one lists no files.
    const dir = defaultDir();
    return { manifestPath: manifestFlag ?? join(dir, MANIFEST_FILE), paths: isDirectory(dir) ? shardFilesIn(dir) : [] };
  }
  const dirs = args.filter(isDirectory);
  const files = args.filter((t) => !dirs.includes(t));
  const manifestPath = manifestFlag ?? join(dirs[0] ?? dirname(files[0] as string), MANIFEST_FILE);
  const paths = [...files];
  for (const d of dirs) paths.push(...shardFilesIn(d));
  return { manifestPath, paths };
}

function report(m: Manifest, manifestPath: string, r: VerifyReport, describeSet: (m: Manifest) => string): string {
  const width = Math.max(...r.files.map((f) => f.file.length), 4);
  const lines = [
    `Manifest: ${manifestPath}`,
    `Shard set: ${displayFingerprint(m.fingerprint)}`,
    `  ${m.shares} shares, threshold ${m.threshold}, from ${m.nexusId}, exported ${m.exportedAt}, encryption ${m.encryption}`,
    '',
    ...r.files.map((f) => `${f.ok ? 'OK  ' : 'FAIL'}  ${f.file.padEnd(width)}  ${f.detail}`),
    '',
    describeSet(m),
    r.ok
      ? 'All checked shards are good.'
      : r.files.every((f) => f.ok)
        ? 'Verification FAILED: the set check failed.'
        : `Verification FAILED: ${r.files.filter((f) => !f.ok).length} of ${r.files.length} file(s) bad.`,
  ];
  return lines.join('\n') + '\n';
}

export async function runVerify(deps: PilotDeps, args: readonly string[], opts: VerifyOptions): Promise<void> {
  const format = parseFormat(opts.format);
  const [{ loadManifest, loadDecrypter, readShardInput }, { verifyShards, describeSet }] = await Promise.all([
    import('../breakglass/load.js'),
    import('../breakglass/verify.js'),
  ]);
  let defaultDir: string | undefined;
  const p = plan(args, opts.manifest, () => (defaultDir = planRecoveryDir(loadConfig(deps.env).recoveryDir).dir));
  if (opts.manifest === undefined && !existsSync(p.manifestPath)) {
    throw new CliError(ExitCode.usage, `No manifest at ${p.manifestPath} (pass --manifest <file>).`);
  }
  const m = loadManifest(p.manifestPath, opts.fingerprint);
  // In a directory (or with no arguments) every file the manifest lists must be there.
  const listed = args.length === 0 || args.every(isDirectory);
  if (listed) {
    const dir = defaultDir ?? (args[0] as string);
    for (const e of m.entries) {
      const path = join(dir, e.file);
      if (!p.paths.includes(path)) p.paths.push(path);
    }
    p.paths.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }
  if (p.paths.length === 0) throw new CliError(ExitCode.usage, 'No shard file to check.');
  const decrypter: ShardDecrypter | undefined = opts.identity === undefined ? undefined : await loadDecrypter(opts.identity);
  const inputs: ShardInput[] = [];
  try {
    for (const path of p.paths) inputs.push(await readShardInput(path, decrypter));
    const r = verifyShards(m, inputs);
    if (format === 'json') {
      deps.io.out(
        jsonDocument({
          manifest: p.manifestPath,
          fingerprint: m.fingerprint,
          shares: m.shares,
          threshold: m.threshold,
          ok: r.ok,
          files: r.files,
          set: r.set,
        }),
      );
    } else {
      deps.io.out(report(m, p.manifestPath, r, (mm) => describeSet(r.set, mm)));
    }
    if (!r.ok) throw new CliError(ExitCode.usage, 'Shard verification failed (see the report above).');
  } finally {
    for (const i of inputs) i.content?.fill(0);
  }
}

export function defineVerify(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(VERIFY_SUMMARY)
    .argument('[paths...]', 'shard files or a directory (default: the recovery directory)')
    .option('-m, --manifest <file>', `the manifest (default: ${MANIFEST_FILE} beside the shards)`)
    .option('-i, --identity <file>', 'age identity file, to check age-encrypted shard files (.age)')
    .option('--fingerprint <hex>', 'the shard set fingerprint you wrote down at export: refuse any other manifest')
    .option('-f, --format <format>', FORMAT_HELP, 'human')
    .addHelpText(
      'after',
      `
Works offline: no SPIFFE Workload API, no SPIKE Nexus. Shard values are never printed.

Exit codes:
  0  every checked file is good
  2  a file is bad (the report names each one), no manifest or no shard file
     was found, a directory cannot be read, or a usage error

Example:
  $ spike operator verify                          # the recovery directory
  $ spike operator verify ~/.spike/recover
  $ spike operator verify --manifest m.json spike.recovery.2.txt
  $ spike operator verify -i ~/alice.agekey spike.recovery.1.txt.age`,
    )
    .action(async (paths: string[], o: VerifyOptions) => runVerify(deps(), paths, o));
}
