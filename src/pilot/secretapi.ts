// Shared by the `spike secret` commands: upstream's path check and its
// stdout.HandleAPIError texts, with the exit codes of docs/design.md § Exit codes.
import { CliError, ExitCode, NotReadyError } from './output/exit.js';
import type { NexusAnswer } from './runtime.js';
import { callFailure } from './session.js';

/** Upstream validSecretPath (client side; no length limit). */
const SECRET_PATH = /^[a-zA-Z0-9._\-/()?+*|[\]{}\\]+$/;

export function checkSecretPath(path: string): void {
  if (!SECRET_PATH.test(path)) throw new CliError(ExitCode.usage, `Invalid secret path: ${path.replace(/[^\x20-\x7e]/g, '?')}`);
}

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
