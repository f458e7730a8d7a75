// `spike-nexus store copy --from STORE --to STORE`: moves a store between
// backends (docs/postgres.md § Moving a store). STORE is sqlite:PATH (the
// directory holding spike.db, or spike.db itself) or postgres:URL. Rows are
// copied as they are: no root key is needed and nothing is decrypted.
//
// The PostgreSQL password comes from SPIKE_NEXUS_DATABASE_PASSWORD_FILE (as
// Nexus reads it), never from the command line: a URL holding one is refused
// (every local user can read a process's arguments).
//
// Exit codes: 0 copied and verified; 1 the copy failed (one line on stderr;
// the target holds no copied row, so the same command can simply be run
// again); 2 a usage error (nothing was written).
//
// Tests only: SPIKE_NEXUS_STORE_COPY_FAILPOINTS=store_copy.batch_written[@N]
// makes the command SIGKILL itself after the N-th batch written into the
// (uncommitted) target.
import { Command, CommanderError, Option } from 'commander';
import { createFailpoints, FailpointSpecError, parseFailpointSpec } from '../../common/failpoint.js';
import { describeError } from '../../common/log.js';
import type { Env } from '../../protocol/config/env.js';
import { DATABASE_PASSWORD_FILE_VAR, readPasswordFile } from '../database-config.js';
import {
  copyStore,
  CopyError,
  EndpointError,
  openCopySource,
  openCopyTarget,
  parseStoreEndpoint,
  urlHasPassword,
  type CopyResult,
  type SourceSide,
  type StoreEndpoint,
  type TargetSide,
} from '../store/copy/index.js';

export const STORE_COPY_FAILPOINTS_VAR = 'SPIKE_NEXUS_STORE_COPY_FAILPOINTS';
export const STORE_COPY_FAILPOINTS = ['store_copy.batch_written'] as const;

export interface CommandIo {
  readonly env: Env;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const PROGRAM = 'spike-nexus store copy';

/** A usage error: exit 2, nothing opened. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

const STORE_HELP = `STORE is one of:
  sqlite:PATH    the directory holding spike.db (Nexus's $SPIKE_NEXUS_DATA_DIR/data),
                 or the spike.db file itself; a missing target is created (0700/0600)
  postgres:URL   postgres://user@host:port/database or
                 postgresql://user@/database?host=/socket/dir (TLS: ?sslmode=verify-full&sslrootcert=…)

Rows are copied as they are: no root key is needed, nothing is decrypted.
The target must be empty. Nexus must not run on either store (refused when
it has the SQLite file open or is connected to the PostgreSQL database).
Refused while a root-key rotation is in progress: finish the rotation first.
The copy is one transaction on the target, verified (counts, every column,
the key check) before it commits: after a failure the target holds no
copied row and the same command can be run again.

Environment:
  ${DATABASE_PASSWORD_FILE_VAR}  file holding the PostgreSQL password
                 (a password in a URL on the command line is refused)

Exit codes: 0 copied and verified, 1 failed (nothing copied), 2 usage error.`;

function endpoint(flag: string, text: string): StoreEndpoint {
  let ep: StoreEndpoint;
  try {
    ep = parseStoreEndpoint(text);
  } catch (e) {
    if (e instanceof EndpointError) throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
  if (ep.kind === 'postgres' && urlHasPassword(ep.url)) {
    throw new UsageError(
      `${flag}: the URL holds a password, and a command line is visible to every local user: put the password in a file and set ${DATABASE_PASSWORD_FILE_VAR}`,
    );
  }
  return ep;
}

function report(r: CopyResult, out: (line: string) => void): void {
  out(`copied ${r.source} -> ${r.target}`);
  const width = Math.max(...r.tables.map((t) => t.table.length));
  for (const t of r.tables) out(`  ${t.table.padEnd(width)}  ${String(t.copied).padStart(6)} rows (source ${t.source}, target ${t.target})`);
  out(`key check: ${r.keyCheck}`);
  out(`bootstrap marker: ${r.bootstrapMarker}`);
}

async function copy(io: CommandIo, fromText: string, toText: string): Promise<number> {
  const from = endpoint('--from', fromText);
  const to = endpoint('--to', toText);
  const spec = io.env[STORE_COPY_FAILPOINTS_VAR];
  let failpoints;
  try {
    failpoints = createFailpoints(spec === undefined || spec === '' ? new Map() : parseFailpointSpec(spec, STORE_COPY_FAILPOINTS), undefined, (name, n) =>
      io.err(`${PROGRAM}: failpoint ${name}@${n}: killing this process`),
    );
  } catch (e) {
    if (e instanceof FailpointSpecError) throw new UsageError(`${STORE_COPY_FAILPOINTS_VAR}: ${e.message}`);
    throw e;
  }
  if (failpoints.armed().length > 0) io.err(`${PROGRAM}: warning: failpoints armed (${failpoints.armed().join(', ')}): for tests only`);
  const passwordFile = io.env[DATABASE_PASSWORD_FILE_VAR];
  const needsPassword = from.kind === 'postgres' || to.kind === 'postgres';
  const password = needsPassword && passwordFile !== undefined && passwordFile !== '' ? readPasswordFile(passwordFile) : undefined;
  const secrets = password === undefined ? {} : { password };

  let source: SourceSide | undefined;
  let target: TargetSide | undefined;
  try {
    source = await openCopySource(from, secrets);
    target = await openCopyTarget(to, secrets);
    const result = await copyStore(source, target, { afterBatch: (_table, rows) => failpoints.hit('store_copy.batch_written', { rows }) });
    report(result, io.out);
    return 0;
  } finally {
    await target?.close();
    await source?.close();
  }
}

function buildProgram(io: CommandIo, done: (code: number) => void): Command {
  const program = new Command('spike-nexus store')
    .description('work on a store offline (Nexus stopped)')
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  program
    .command('copy')
    .description('copy every row of a store into an empty store of another backend (SQLite <-> PostgreSQL), as it is')
    .addOption(new Option('--from <store>', 'the store to copy (read only)').makeOptionMandatory())
    .addOption(new Option('--to <store>', 'the empty store to copy into').makeOptionMandatory())
    .addHelpText('after', `\n${STORE_HELP}`)
    .action(async (opts: { from: string; to: string }) => done(await copy(io, opts.from, opts.to)));
  return program;
}

/** Runs `spike-nexus store <args>`; resolves to the exit code. Never throws. */
export async function runStoreCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' ? 0 : 2;
    if (e instanceof UsageError || (e instanceof CopyError && e.reason === 'bad_url')) {
      io.err(`${PROGRAM}: ${e.message}`);
      return 2;
    }
    io.err(`${PROGRAM}: ${describeError(e)}`);
    return 1;
  }
}
