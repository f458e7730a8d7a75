// Local checks of policy input, before anything is sent: upstream's
// permission list (sdk validation.ValidatePermissions) and the name and
// pattern rules Nexus applies (which would otherwise come back as a bare
// `Error: Invalid request.`).
import { CliError, ExitCode } from '../output/exit.js';

export const PERMISSIONS = ['read', 'write', 'list', 'execute', 'super'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const NAME = /^[a-zA-Z0-9-_ ]+$/;
const SPIFFEID_PATTERN = /^\^?spiffe:\/\/[\\a-zA-Z0-9.\-*()+?[\]]+(\/[\\/a-zA-Z0-9._\-*()+?[\]]+)*\$?$/;
const PATH_PATTERN = /^[a-zA-Z0-9._\-/^$()?+*|[\]{}\\]+$/;

const shown = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);

/** Split on `,`, trim, drop empties; each must be a known permission (upstream's texts). */
export function parsePermissions(list: readonly string[]): Permission[] {
  const out: Permission[] = [];
  for (const raw of list.flatMap((s) => s.split(','))) {
    const p = raw.trim();
    if (p === '') continue;
    if (!(PERMISSIONS as readonly string[]).includes(p)) {
      throw new CliError(
        ExitCode.usage,
        `[access_invalid_permission] invalid permission: '${shown(p)}'. valid permissions: 'read, write, list, execute, super'`,
      );
    }
    out.push(p as Permission);
  }
  if (out.length === 0) {
    throw new CliError(ExitCode.usage, '[access_invalid_permission] no valid permissions specified. valid permissions are: read, write, list, execute, super');
  }
  return out;
}

/** Nexus's ValidateName: `^[a-zA-Z0-9-_ ]+$`, at most 250 characters. */
export function checkPolicyName(name: string): void {
  if (!NAME.test(name) || name.length > 250) {
    throw new CliError(ExitCode.usage, `Invalid policy name: ${shown(name)} (letters, digits, '-', '_' and spaces; at most 250)`);
  }
}

/** Nexus's ValidateSPIFFEIDPattern: an optional `^`, then `spiffe://…`. */
export function checkSpiffeIdPattern(p: string): void {
  if (!SPIFFEID_PATTERN.test(p)) {
    throw new CliError(ExitCode.usage, `Invalid SPIFFE ID pattern: ${shown(p)} (must start with spiffe:// or ^spiffe://)`);
  }
}

/** Nexus's ValidatePathPattern: 1..500 characters of `[a-zA-Z0-9._\-/^$()?+*|[\]{}\\]`. */
export function checkPathPattern(p: string): void {
  if (!PATH_PATTERN.test(p) || p.length > 500) throw new CliError(ExitCode.usage, `Invalid path pattern: ${shown(p)}`);
}
