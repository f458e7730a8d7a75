// Child processes of the bench: a spawned app with its JSON log lines parsed
// as they arrive, waiting on log events (docs/contracts.md) instead of
// sleeping, and timing helpers. Every process started here is tracked so that
// `killAll()` can end it, whatever happens.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const live = new Set();

/** A running (or exited) process whose stdout/stderr JSON lines are kept with their arrival time. */
export class Proc {
  constructor(name, command, args, opts) {
    this.name = name;
    this.lines = [];
    this.raw = [];
    this.waiters = [];
    this.exitCode = undefined;
    this.startedAt = performance.now();
    // opts.stdoutFd: the child's stdout goes to that file descriptor (a file: written synchronously, complete at exit).
    this.child = spawn(command, args, { ...opts, stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', opts.stdoutFd ?? 'pipe', 'pipe'] });
    live.add(this.child);
    if (opts.stdin !== undefined) this.child.stdin.end(opts.stdin);
    // Short runs keep their whole output; servers only their log events (parsing
    // every audit line would steal CPU from the processes being measured).
    this.capture = opts.capture === true;
    this.stdout = '';
    this.stderr = '';
    const reader = (which) => {
      let rest = '';
      return (chunk) => {
        const text = rest + chunk.toString('utf8');
        if (this.capture) this[which] += chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) this.#line(p);
      };
    };
    this.child.stdout?.on('data', reader('stdout'));
    this.child.stderr.on('data', reader('stderr'));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.endedAt = performance.now();
        this.exitCode = code ?? signal;
        live.delete(this.child);
        for (const w of this.waiters.splice(0)) w.fail(new Error(`${this.name} exited (${this.exitCode}) before '${w.msg}'\n${this.tail()}`));
        resolve(this.exitCode);
      });
    });
  }

  #line(text) {
    if (text.trim() === '') return;
    if (!this.capture && !text.includes('"msg":')) return; // audit lines carry no `msg`
    if (!this.capture && this.lines.length > 1000) this.lines.splice(0, 500);
    if (this.raw.length > 100) this.raw.splice(0, 50);
    let l;
    try {
      l = JSON.parse(text);
      if (typeof l !== 'object' || l === null) throw new Error('not an object');
    } catch {
      this.raw.push(text);
      return;
    }
    l._at = performance.now();
    this.lines.push(l);
    for (const w of [...this.waiters]) {
      if (l.msg === w.msg) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.ok(l);
      }
    }
  }

  /** The first line with `msg` (already logged or future); rejects on exit or after `timeoutMs`. */
  waitFor(msg, timeoutMs) {
    const hit = this.lines.find((l) => l.msg === msg);
    if (hit) return Promise.resolve(hit);
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} exited (${this.exitCode}) before '${msg}'\n${this.tail()}`));
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        fail(new Error(`${this.name}: no '${msg}' within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      const w = {
        msg,
        ok: (l) => (clearTimeout(timer), ok(l)),
        fail: (e) => (clearTimeout(timer), fail(e)),
      };
      this.waiters.push(w);
    });
  }

  tail(n = 10) {
    return [...this.lines.slice(-n).map((l) => JSON.stringify(l)), ...this.raw.slice(-n)].join('\n');
  }

  running() {
    return this.exitCode === undefined;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(signal = 'SIGTERM', graceMs = 5000) {
    if (!this.running()) return this.exitCode;
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/** Runs a command to completion with a hard deadline; resolves with { code, ms, stdout, stderr }. */
export async function runTimed(name, command, args, opts, timeoutMs) {
  const p = new Proc(name, command, args, { ...opts, capture: true });
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(t);
  return { code, ms: p.endedAt - p.startedAt, stdout: p.stdout, stderr: p.stderr };
}

/** SIGKILLs every process still running that this module started. */
export function killAll() {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
