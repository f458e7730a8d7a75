// Where `spike operator recover` writes shards (upstream spike-sdk-go
// config/fs) and the safety checks we add (docs/design.md § Recovery
// directory and files): every directory we own on the way — $SPIKE_PILOT_RECOVERY_DIR
// itself or ~/.spike or /tmp/.spike-$USER, and the `recover` folder — must be
// a real directory (not a symlink), owned by the current user and closed to
// group and others. Failures are CliError exit 4; nothing is written.
import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { CliError, ExitCode } from '../output/exit.js';
import { errnoOf } from './files.js';

export interface RecoveryDirInputs {
  /** SPIKE_PILOT_RECOVERY_DIR, when set (the shards go to `<it>/recover`). */
  customDir: string | undefined;
  /** The user's home directory, when known. */
  homeDir: string | undefined;
  /** $USER (or `spike`), for the /tmp fallback. */
  user: string;
}

export interface RecoveryDirPlan {
  /** The directory that holds the shard files. */
  dir: string;
  /** The directories to create (0700) and check, outermost first; `dir` is last. */
  chain: readonly string[];
}

/** Upstream's restricted locations for SPIKE_PILOT_RECOVERY_DIR. */
const RESTRICTED = ['/etc', '/sys', '/proc', '/dev', '/bin', '/sbin', '/usr', '/lib', '/lib64', '/boot', '/root'];

function fsError(message: string): CliError {
  return new CliError(ExitCode.filesystem, message);
}

/** Decides the recovery directory without touching the disk (upstream order). */
export function planRecoveryDir(inputs: RecoveryDirInputs): RecoveryDirPlan {
  if (inputs.customDir !== undefined) {
    const base = resolve(inputs.customDir);
    if (base === sep || RESTRICTED.some((r) => base === r || base.startsWith(r + sep))) {
      throw fsError(`SPIKE_PILOT_RECOVERY_DIR points to a restricted system location: ${base}`);
    }
    return { dir: join(base, 'recover'), chain: [base, join(base, 'recover')] };
  }
  if (inputs.homeDir !== undefined && isAbsolute(inputs.homeDir)) {
    const spike = join(inputs.homeDir, '.spike');
    return { dir: join(spike, 'recover'), chain: [spike, join(spike, 'recover')] };
  }
  const tmp = join('/tmp', `.spike-${inputs.user.replace(/[/\\]/g, '_')}`);
  return { dir: join(tmp, 'recover'), chain: [tmp, join(tmp, 'recover')] };
}

function describeFsError(e: unknown): string {
  const code = errnoOf(e);
  return code ?? (e instanceof Error ? e.message.split('\n')[0] ?? 'error' : 'error');
}

/** Throws unless `path` is a real directory owned by `uid` with no group/other permissions. */
export function checkDirectorySafe(path: string, uid: number): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    throw fsError(`Cannot inspect recovery directory ${path} (${describeFsError(e)}).`);
  }
  if (st.isSymbolicLink()) throw fsError(`Refusing to use recovery directory ${path}: it is a symbolic link.`);
  if (!st.isDirectory()) throw fsError(`Refusing to use recovery directory ${path}: it is not a directory.`);
  if (st.uid !== uid) {
    throw fsError(`Refusing to use recovery directory ${path}: it is owned by uid ${st.uid}, not by the current user (uid ${uid}).`);
  }
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw fsError(
      `Refusing to use recovery directory ${path}: it is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}; run chmod 700 on it).`,
    );
  }
}

/** Creates `path` with mode 0700 if missing (its parent must exist), then checks it. */
function ensureSafeDirectory(path: string, uid: number): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'EEXIST') {
      throw fsError(`Cannot create recovery directory ${path} (${describeFsError(e)}).`);
    }
  }
  checkDirectorySafe(path, uid);
}

/**
 * Checks without creating anything: the location is allowed and every part
 * that already exists is safe. Lets recover fail before fetching any shard.
 */
export function precheckRecoveryDir(inputs: RecoveryDirInputs, uid: number = currentUid()): string {
  const plan = planRecoveryDir(inputs);
  for (const d of plan.chain) {
    let exists = true;
    try {
      lstatSync(d);
    } catch {
      exists = false;
    }
    if (exists) checkDirectorySafe(d, uid);
  }
  return plan.dir;
}

/** Resolves, creates (0700) and checks the recovery directory; returns it. */
export function prepareRecoveryDir(inputs: RecoveryDirInputs, uid: number = currentUid()): string {
  const plan = planRecoveryDir(inputs);
  for (const d of plan.chain) ensureSafeDirectory(d, uid);
  return plan.dir;
}

export function currentUid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : 0;
}
