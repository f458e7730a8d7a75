// How spike-dev-agent commands fail: a one-line message and an exit code
// (2: bad input or configuration, 1: the agent is unreachable or failed).
import { ConfigError } from '../../protocol/config/env.js';
import { DevCaError } from '../ca.js';
import { EntryError } from '../entries.js';
import { DevPathError } from '../paths.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Maps any thrown value to a CliError with a one-line, secret-free message. */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigError || e instanceof EntryError) return new CliError(e.message, 2);
  if (e instanceof DevCaError || e instanceof DevPathError) return new CliError(e.message, 1);
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') return new CliError(`${err.code}: ${err.path}`, 1);
  const msg = e instanceof Error ? e.message : String(e);
  return new CliError(msg.split('\n')[0] ?? 'unknown error', 1);
}
