// Start-up steps the servers and Bootstrap share: one-line fatal errors on
// stderr (never a stack trace), configuration loading, and acquiring the
// process's own SVID with a deadline and a role check.
import { describeError, type Logger } from './log.js';
import { X509Source } from '../spiffe/workloadapi.js';

export type Die = (message: string, code?: number) => never;

/** `die(message)`: "<program>: <message>" on stderr, then exit (1 unless told otherwise). */
export function fatalFor(program: string): Die {
  return (message: string, code = 1): never => {
    process.stderr.write(`${program}: ${message}\n`);
    process.exit(code);
  };
}

/** Runs a config loader; an invalid value ends the process with its one-line message. */
export function loadConfigOrDie<T>(die: Die, load: () => T): T {
  try {
    return load();
  } catch (e) {
    return die(describeError(e));
  }
}

export interface IdentityOptions {
  spiffe: { endpointSocket: string; sourceTimeoutMs: number };
  logger: Logger;
  die: Die;
  /** The role this process must have, e.g. `isKeeper(id, roots)`. */
  allowed: (id: string) => boolean;
  /** Says what is required when the SVID has another ID. */
  refusal: (id: string) => string;
}

/** The Workload API source and our own SPIFFE ID; exits with one line when either is unusable. */
export async function acquireIdentity(opts: IdentityOptions): Promise<{ source: X509Source; self: string }> {
  let source: X509Source;
  try {
    source = await X509Source.create({ address: opts.spiffe.endpointSocket, timeoutMs: opts.spiffe.sourceTimeoutMs });
  } catch (e) {
    return opts.die(`cannot get an X509-SVID: ${describeError(e)}`);
  }
  source.on('error', (e: unknown) => opts.logger.warn('workload API stream error', { error: describeError(e) }));
  const self = source.getX509Svid().id.toString();
  if (!opts.allowed(self)) {
    await source.close();
    return opts.die(opts.refusal(self));
  }
  return { source, self };
}
