// One process of a built binary (dist/<bin>.js) for e2e tests: spawn it with
// an explicit environment, collect its output (raw text per stream, and every
// JSON log line parsed), wait for a log event with a timeout (rejecting at
// once if the process exits first), stop it, read its exit code.
//
//   const keeper = spawnBin('keeper', 'spike-keeper', [], minimalEnv({ SPIKE_KEEPER_TLS_PORT: '127.0.0.1:0' }));
//   const ev = await keeper.waitForEvent('keeper_listening');
//   expect(keeper.stderr()).toContain('"status":401');
//   expect(await keeper.stop()).toBe(0);
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const DIST = join(REPO, 'dist');

export type LogLine = Record<string, unknown> & { msg?: string; action?: string };

/** PATH and HOME of the test runner plus `extra`: what a binary needs to start, nothing inherited by accident. */
export function minimalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...extra };
}

/** Spawns `node dist/<bin>.js args` with exactly `env` (no stdin). */
export function spawnBin(name: string, bin: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const script = join(DIST, bin.endsWith('.js') ? bin : `${bin}.js`);
  return new Proc(name, spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

interface Waiter {
  match: (l: LogLine) => boolean;
  from: number;
  resolve: (l: LogLine) => void;
}

export interface WaitOptions {
  /** An extra condition on the line. */
  where?: (l: LogLine) => boolean;
  /** Only lines at or after this mark (see `mark()`). */
  after?: number;
  /** Default 30 s. */
  timeoutMs?: number;
}

/** One running (or exited) process with its output. */
export class Proc {
  /** Parsed JSON lines from stdout and stderr (audit), in arrival order. */
  readonly lines: LogLine[] = [];
  /** Non-JSON output lines (for error messages). */
  readonly raw: string[] = [];
  /** Resolves with the exit code (null when killed by a signal) once the process exited and its output is read. */
  readonly exited: Promise<number | null>;
  /** undefined while running. */
  exitCode: number | null | undefined = undefined;
  readonly startedAt = Date.now();
  readonly #text = { stdout: '', stderr: '' };
  #waiters: Waiter[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const pending = { stdout: '', stderr: '' };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.#text[stream] += text;
      const parts = (pending[stream] + text).split('\n');
      pending[stream] = parts.pop() ?? '';
      for (const p of parts) this.#line(p);
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    this.exited = new Promise((ok) => {
      // 'close' (not 'exit'): fires once the output pipes are drained too.
      child.once('close', (code) => {
        this.#line(pending.stdout);
        this.#line(pending.stderr);
        this.exitCode = code;
        ok(code);
      });
    });
  }

  #line(text: string): void {
    if (text.trim() === '') return;
    let l: LogLine;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== 'object' || v === null) throw new Error('not an object');
      l = { ...(v as LogLine), _at: Date.now() };
    } catch {
      this.raw.push(text);
      return;
    }
    const idx = this.lines.push(l) - 1;
    for (const w of [...this.#waiters]) {
      if (idx >= w.from && w.match(l)) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve(l);
      }
    }
  }

  /** Everything the process wrote on stdout so far. */
  stdout(): string {
    return this.#text.stdout;
  }

  /** Everything the process wrote on stderr so far (audit lines, start-up errors). */
  stderr(): string {
    return this.#text.stderr;
  }

  /** Lines whose `msg` (or audit `action`) is `msg`. */
  events(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg || l.action === msg);
  }

  /** A mark for `waitForEvent(..., { after })`: only lines logged after now. */
  mark(): number {
    return this.lines.length;
  }

  /** Resolves with the first line `msg` (matching `where`) at or after `after`; rejects on timeout or exit. */
  waitForEvent(msg: string, opts: WaitOptions = {}): Promise<LogLine> {
    const from = opts.after ?? 0;
    const match = (l: LogLine): boolean => (l.msg === msg || l.action === msg) && (opts.where?.(l) ?? true);
    const hit = this.lines.slice(from).find(match);
    if (hit) return Promise.resolve(hit);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise((ok, ko) => {
      const w: Waiter = { match, from, resolve: (l) => done(() => ok(l)) };
      const timer = setTimeout(() => done(() => ko(new Error(`${this.name}: no '${msg}' within ${timeoutMs}ms; output tail:\n${this.tail()}`))), timeoutMs);
      const onExit = (): void => done(() => ko(new Error(`${this.name} exited (${this.exitCode}) before '${msg}':\n${this.tail()}`)));
      void this.exited.then(onExit);
      let settled = false;
      const done = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((x) => x !== w);
        f();
      };
      this.#waiters.push(w);
    });
  }

  /**
   * Resolves once at least `n` lines `msg` (matching `where`) were logged. Log
   * lines travel through a pipe (and audit lines may be buffered), so a test
   * that counts them right after an HTTP answer must wait for them first.
   */
  async waitForCount(msg: string, n: number, opts: { where?: (l: LogLine) => boolean; timeoutMs?: number } = {}): Promise<LogLine[]> {
    const matching = (): LogLine[] => this.events(msg).filter((l) => opts.where?.(l) ?? true);
    if (matching().length < n) {
      await this.waitForEvent(msg, { where: (l) => (opts.where?.(l) ?? true) && matching().length >= n, timeoutMs: opts.timeoutMs ?? 5_000 });
    }
    return matching();
  }

  tail(n = 15): string {
    return [...this.lines.slice(-n).map((l) => JSON.stringify(l)), ...this.raw.slice(-n)].join('\n');
  }

  running(): boolean {
    return this.exitCode === undefined;
  }

  /** Sends `signal` (SIGKILL after `timeoutMs`) and waits for the exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    if (!this.running()) return this.exitCode ?? null;
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}
