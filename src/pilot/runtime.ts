// What the commands need from the outside world, as interfaces, so that the
// commands can be tested without processes or sockets. cli.ts wires the real
// implementations (nexus/identity.ts, output/io.ts).
import type { Env } from '../protocol/config/env.js';
import type { PilotConfig } from './config.js';
import type { CallOptions } from '../client/transport.js';

export interface PilotIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes bytes to stdout as they are (cipher output); the buffer must not change afterwards. Absent: not supported. */
  outBytes?(bytes: Uint8Array): void;
  /** Writes to stderr. */
  err(text: string): void;
  /** Whether stdout is a terminal (`secret get` escapes control characters then). */
  stdoutIsTty(): boolean;
  /** Whether stdin is a terminal (restore prompts and hides input then; rotate asks for confirmation then). */
  stdinIsTty(): boolean;
  /** Whether stderr is a terminal (rotate draws its progress line there then). */
  stderrIsTty(): boolean;
  /** Reads stdin to EOF; more than `limit` bytes is an error (CliError, exit 2). */
  readStdin(limit: number): Promise<Buffer>;
  /** Shows `prompt` on the terminal and reads one line without echo. */
  readHidden(prompt: string): Promise<string>;
  /** Reads one line from stdin (without its line break; at most `limit` characters); '' at EOF. */
  readLine(limit: number): Promise<string>;
  /**
   * Shows `prompt` on the terminal (stderr) and reads one echoed line; ''
   * at EOF. Ctrl-C rejects with CliError exit 130.
   */
  readAnswer(prompt: string): Promise<string>;
}

export interface NexusAnswer {
  status: number;
  /** Raw body; the command zeroes it after decoding. */
  body: Buffer;
  /** The `Retry-After` header, when Nexus sent one (with a 429). */
  retryAfter?: string;
}

/** POSTs to SPIKE Nexus over mTLS with Nexus's SPIFFE ID pinned. Errors are the client's ClientError. */
export interface NexusCaller {
  post(path: string, action: string | undefined, body: Uint8Array, opts?: CallOptions): Promise<NexusAnswer>;
  /** The SPIFFE ID the server presented on the last connection, once known (recover records it in the manifest). */
  peerId?(): string | undefined;
}

/** The Pilot's SVID, from the Workload API. */
export interface PilotIdentity {
  /** The Pilot's own SPIFFE ID. */
  readonly spiffeId: string;
  /** Opens the mTLS client of Nexus (no network traffic until a call). */
  connectNexus(): Promise<NexusCaller>;
  /** Closes the client and the Workload API stream. Idempotent. */
  close(): Promise<void>;
}

/** Time, for commands that wait (rotate follows a rotation): tests pass a virtual one. */
export interface PilotClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface PilotDeps {
  env: Env;
  io: PilotIo;
  /** Default: the real clock (runtime-clock.ts). */
  clock?: PilotClock;
  /** Gets the SVID within cfg.spiffe.sourceTimeoutMs, or throws CliError (exit 3). */
  openIdentity(cfg: PilotConfig): Promise<PilotIdentity>;
}
