// Shared by the `spike secret` commands: upstream's path check and its
// stdout.HandleAPIError texts, with the exit codes of docs/design.md § Exit codes.
import { CliError, ExitCode } from './exit.js';
import type { NexusAnswer } from './runtime.js';
import { callFailure } from './session.js';

/** Upstream validSecretPath (client side; no length limit). */
const SECRET_PATH = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$/;

export function checkSecretPath(path: string): void {
  if (!SECRET_PATH.test(path)) throw new CliError(ExitCode.usage, `Invalid secret path: ${path.replace(/[^\x20-\x7e]/g, '?')}`);
}

/** Thrown for 503: main prints upstream's not-ready text instead of an `Error:` line. */
export class NotReadyError extends CliError {}

/** Maps a non-200 answer to upstream's message (HandleAPIError order). */
export function answerFailure(answer: NexusAnswer): CliError {
  switch (answer.status) {
    case 503:
      return new NotReadyError(ExitCode.nexus, 'SPIKE is not ready yet.');
    case 404:
      return new CliError(ExitCode.nexus, 'Resource not found.');
    case 400:
      return new CliError(ExitCode.nexus, 'Invalid request.');
    case 401:
      return new CliError(ExitCode.nexus, 'Unauthorized access.');
    default:
      return new CliError(ExitCode.nexus, `Failed to connect to SPIKE Nexus. (HTTP ${answer.status})`);
  }
}

export function secretCallFailure(e: unknown): CliError {
  return callFailure(e, 'Failed to connect to SPIKE Nexus.');
}

/** Go encoding/json string escaping (HTML-safe, as MarshalIndent does). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go json.MarshalIndent(map[string]string, "", indent): keys sorted, `{}` when empty. */
export function goJsonIndentMap(m: Readonly<Record<string, string>>, indent: string): string {
  const keys = Object.keys(m).sort(goStringCompare);
  if (keys.length === 0) return '{}';
  const body = keys.map((k) => `${indent}${goJsonString(k)}: ${goJsonString(m[k] as string)}`).join(',\n');
  return `{\n${body}\n}`;
}

/** Go sorts map keys by bytes (UTF-8), not UTF-16 code units. */
export function goStringCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
