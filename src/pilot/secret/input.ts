// Local checks of `spike secret` input, before anything is sent: the secret
// path (upstream's client-side validSecretPath) and the version flags. The
// `-v/--versions` list of `delete|undelete` (upstream delete.go /
// undelete.go) is comma-separated integers, 0 = current version. Upstream
// trims each piece to validate it but delete re-parses the raw pieces, so
// `-v "1, 2"` sends [1]; here the validated list is what is sent.
import { CliError, ExitCode } from '../output/exit.js';

/** Upstream validSecretPath (client side; no length limit). */
const SECRET_PATH = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$/;

export function checkSecretPath(path: string): void {
  if (!SECRET_PATH.test(path)) throw new CliError(ExitCode.usage, `Invalid secret path: ${path.replace(/[^\x20-\x7e]/g, '?')}`);
}

/** Largest version number accepted (Go int on the server is 64-bit; JSON safety caps us). */
const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** Parses `"1, 2,3"` → [1, 2, 3]; `""` → [0]. Invalid input → CliError exit 2 with upstream's text. */
export function parseVersionList(raw: string): number[] {
  const text = raw === '' ? '0' : raw;
  return text.split(',').map((piece) => {
    const t = piece.trim();
    const shown = t.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
    // strconv.Atoi: optional sign, decimal digits.
    if (!/^[+-]?[0-9]+$/.test(t)) throw new CliError(ExitCode.usage, `Invalid version number: ${shown}`);
    const n = Number(t);
    if (n < 0) throw new CliError(ExitCode.usage, `Negative version number: ${shown}`);
    if (!Number.isSafeInteger(n) || n > MAX_VERSION) throw new CliError(ExitCode.usage, `Invalid version number: ${shown}`);
    return n === 0 ? 0 : n; // -0 → 0
  });
}

/** The single `-v/--version <n>` of `get` and `metadata get`: a whole number, 0 = current. */
export function parseSingleVersion(raw: string): number {
  const t = raw.trim();
  if (!/^[+]?[0-9]{1,15}$/.test(t)) {
    throw new CliError(ExitCode.usage, `Invalid version number: ${t.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)} (a whole number; 0 = current version)`);
  }
  return Number(t);
}
