// Shared pieces of the root-key rotation e2e tests (test/e2e/rotation*.test.ts):
// the built `spike` with a stack's pilot environment, Nexus's status and
// rotate answers over the in-process mTLS client, waiting for a condition on
// the status (polling, never a fixed sleep), seeding many secrets with a few
// requests in flight, reading every one back, and the files of
// `spike operator recover`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getSecret, putSecret } from '../../src/client/index.js';
import { rotateResponse, statusResponse, type RotateResponse, type StatusResponse } from '../../src/protocol/messages.js';
import { PATH_OPERATOR_ROTATE, PATH_OPERATOR_STATUS, urlFor } from '../../src/protocol/paths.js';
import { runSpike, type CliRun } from './fakenexus.js';
import type { Proc, Stack, StackClient } from './stack.js';
import { statusOfError } from './status.js';

/** `spike args…` with the stack's `pilot` environment plus `extra`; `stdin` is written then closed. */
export function spike(stack: Stack, args: readonly string[], extra: Record<string, string> = {}, stdin?: string | Buffer): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(stack.envFor('pilot', { SPIKE_HTTP_CLIENT_TIMEOUT: '60s', ...extra }))) if (v !== undefined) env[k] = v;
  return runSpike(args, { env, stdin, killAfterMs: 300_000 });
}

/** Nexus's `/v1/operator/status` answer (any Pilot role may ask; answered while not ready too). */
export async function nexusStatus(c: StackClient, nexus: URL): Promise<StatusResponse> {
  const res = await c.http.postJson(urlFor(nexus, PATH_OPERATOR_STATUS), Buffer.from('{}'));
  if (res.status !== 200) throw new Error(`status answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
  return statusResponse.decode(res.body);
}

export interface RotateCall {
  status: number;
  body: string;
  answer?: RotateResponse;
}

/** One `POST /v1/operator/rotate` `{}` (superuser); never throws for an HTTP answer. */
export async function postRotate(c: StackClient, nexus: URL): Promise<RotateCall> {
  const res = await c.http.postJson(urlFor(nexus, PATH_OPERATOR_ROTATE), Buffer.from('{}'), { timeoutMs: 120_000 });
  const body = res.body.toString('utf8');
  return { status: res.status, body, ...(res.status === 200 ? { answer: rotateResponse.decode(res.body) } : {}) };
}

/**
 * Polls the status until `done(status)` holds; transport errors (Nexus
 * restarting) are retried. Polling is the condition here: a rotation's end has
 * no answer to wait on when it was started with --no-wait or resumed after a crash.
 */
export async function waitForStatus(
  c: StackClient,
  stack: Stack,
  done: (s: StatusResponse) => boolean,
  what: string,
  timeoutMs = 240_000,
  /** A status that can never lead to `done` (fails at once instead of at the timeout). */
  never?: (s: StatusResponse) => boolean,
): Promise<StatusResponse> {
  const end = Date.now() + timeoutMs;
  let last: StatusResponse | string;
  for (;;) {
    let s: StatusResponse | undefined;
    try {
      s = await nexusStatus(c, stack.nexusUrl);
      last = s;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (s !== undefined && done(s)) return s;
    if (s !== undefined && never?.(s) === true) throw new Error(`waiting for ${what}, the status showed ${JSON.stringify(s)}`);
    if (Date.now() > end) throw new Error(`status never showed ${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}\n${stack.procs.get('nexus')?.tail() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ready, no rotation in progress, a fingerprint known. */
export const settled = (s: StatusResponse): boolean => s.ready && s.rotation === '' && /^[0-9a-f]{64}$/.test(s.fingerprint);

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/** Puts every `path → {v}` (one version each), `concurrency` at a time. */
export async function seedSecrets(c: StackClient, nexus: URL, secrets: ReadonlyMap<string, string>, concurrency = 12): Promise<void> {
  const entries = [...secrets];
  await pool(entries.length, concurrency, async (i) => {
    const [p, v] = entries[i]!;
    await putSecret(c.http, nexus, p, { v });
  });
}

/** Reads every `path` (current version) and returns the ones missing or not equal to `{v}` (with what came back). */
export async function lostSecrets(c: StackClient, nexus: URL, expected: ReadonlyMap<string, string>, concurrency = 12): Promise<string[]> {
  const lost: string[] = [];
  const entries = [...expected];
  await pool(entries.length, concurrency, async (i) => {
    const [p, v] = entries[i]!;
    try {
      const got = await getSecret(c.http, nexus, p);
      if (got.v !== v || Object.keys(got).length !== 1) lost.push(`${p}: got ${JSON.stringify(got)}`);
    } catch (e) {
      lost.push(`${p}: ${String(statusOfError(e))}`);
    }
  });
  return lost.sort();
}

export interface RecoveryFiles {
  /** The manifest's set fingerprint (64 hex). */
  fingerprint: string;
  manifestPath: string;
  /** Shard id → the file's path. */
  files: Map<number, string>;
  /** Shard id → the 32-byte value (hex), read from `spike:<id>:<hex>`. */
  hex: Map<number, string>;
}

/** Reads what `spike operator recover` wrote into `<recoveryDir>/recover`. */
export function readRecovery(recoveryDir: string): RecoveryFiles {
  const dir = join(recoveryDir, 'recover');
  const manifestPath = join(dir, 'spike.recovery.manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { fingerprint?: unknown };
  if (typeof manifest.fingerprint !== 'string') throw new Error(`no fingerprint in ${manifestPath}`);
  const files = new Map<number, string>();
  const hex = new Map<number, string>();
  for (const f of readdirSync(dir)) {
    const m = /^spike\.recovery\.(\d+)\.txt$/.exec(f);
    if (!m) continue;
    const id = Number(m[1]);
    files.set(id, join(dir, f));
    const parts = readFileSync(join(dir, f), 'latin1').trim().split(':');
    if (parts.length !== 3 || parts[0] !== 'spike' || Number(parts[1]) !== id || !/^[0-9a-f]{64}$/.test(parts[2] ?? '')) throw new Error(`unexpected shard file ${f}`);
    hex.set(id, parts[2]!);
  }
  return { fingerprint: manifest.fingerprint, manifestPath, files, hex };
}

/** Whether `p` ended by SIGKILL (a failpoint's end), once it exited. */
export function killedBySigkill(stack: Stack, name: string): boolean {
  const p = stack.proc(name);
  return p.child.signalCode === 'SIGKILL';
}

/**
 * A total loss: the `killed` processes SIGKILLed, the Keepers started again
 * (empty) and Nexus started again; resolves with Nexus once it waits for a
 * restore with nothing collected (threshold 2).
 */
export async function totalLoss(stack: Stack, killed: readonly string[]): Promise<Proc> {
  for (const n of killed) await stack.kill(n);
  await stack.startKeepers();
  const nexus = await stack.startNexus();
  await nexus.waitForEvent('restore_needed', { where: (l) => l.collected === 0 && l.threshold === 2 });
  return nexus;
}
