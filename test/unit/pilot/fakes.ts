// Fake PilotDeps for command tests: a scripted Nexus that records calls, and
// captured stdout/stderr.
import { Readable } from 'node:stream';
import { readLimited, readOneLine } from '../../../src/pilot/output/io.js';
import type { NexusAnswer, PilotClock, PilotDeps } from '../../../src/pilot/runtime.js';
import type { Env } from '../../../src/protocol/config/env.js';
import { CliError, ExitCode } from '../../../src/pilot/output/exit.js';
import { buildProgram } from '../../../src/pilot/program.js';
import { reportFailure } from '../../../src/pilot/output/report.js';

export interface Recorded {
  path: string;
  action: string | undefined;
  body: string;
}

export interface Fake {
  deps: PilotDeps;
  out: string[];
  err: string[];
  calls: Recorded[];
  closed: number;
  prompts: string[];
}

export interface FakeOptions {
  spiffeId: string;
  env?: Env;
  answer?: (call: Recorded) => NexusAnswer | Promise<NexusAnswer>;
  stdin?: string | Buffer;
  tty?: string;
  /** stdout is a terminal. */
  stdoutTty?: boolean;
  /** stderr is a terminal. */
  stderrTty?: boolean;
  /** stdin is a terminal (without `tty`, whose text the hidden prompt reads). */
  stdinTty?: boolean;
  /** What the echoed terminal prompt (readAnswer) reads, or the error it fails with (Ctrl-C). */
  answerLine?: string | Error;
  /** Time for commands that wait; default: the real clock. */
  clock?: PilotClock;
}

export function fake(o: FakeOptions): Fake {
  const f: Fake = { out: [], err: [], calls: [], closed: 0, prompts: [], deps: undefined as unknown as PilotDeps };
  f.deps = {
    env: o.env ?? { HOME: '/nonexistent-home' },
    io: {
      out: (t) => void f.out.push(t),
      err: (t) => void f.err.push(t),
      stdoutIsTty: () => o.stdoutTty === true,
      stdinIsTty: () => o.tty !== undefined || o.stdinTty === true,
      stderrIsTty: () => o.stderrTty === true,
      readStdin: (limit) => readLimited(Readable.from([Buffer.from(o.stdin ?? '')]), limit),
      readLine: (limit) => readOneLine(Readable.from([Buffer.from(o.stdin ?? '')]), limit),
      readHidden: async (prompt) => {
        f.prompts.push(prompt);
        return o.tty ?? '';
      },
      readAnswer: async (prompt) => {
        f.prompts.push(prompt);
        if (o.answerLine instanceof Error) throw o.answerLine;
        return o.answerLine ?? '';
      },
    },
    ...(o.clock ? { clock: o.clock } : {}),
    openIdentity: async () => ({
      spiffeId: o.spiffeId,
      connectNexus: async () => ({
        post: async (path, action, body) => {
          const call = { path, action, body: Buffer.from(body).toString('utf8') };
          f.calls.push(call);
          if (!o.answer) throw new Error('no nexus in this test');
          return o.answer(call);
        },
      }),
      close: async () => {
        f.closed++;
      },
    }),
  };
  return f;
}

export const json = (status: number, v: unknown): NexusAnswer => ({ status, body: Buffer.from(JSON.stringify(v)) });

export const ID = {
  recover: 'spiffe://spike.ist/spike/pilot/role/recover',
  restore: 'spiffe://spike.ist/spike/pilot/role/restore',
  superuser: 'spiffe://spike.ist/spike/pilot/role/superuser',
};

/** The CliError a command promise rejects with (fails the test otherwise). */
export async function failure(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error('expected a CliError');
}

/** Parses argv like main.ts does (against the fake `f`) and returns the exit code plus what was printed. */
export async function runProgram(args: string[], f: Fake) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
  let code: number = ExitCode.ok;
  try {
    const argv = ['node', 'spike', ...args];
    // As cli.ts does: only the command modules this command line needs.
    await (await buildProgram(() => f.deps, io, argv)).parseAsync(argv);
  } catch (e) {
    code = reportFailure(e, io.err);
  }
  return { code, out: out.join('') + f.out.join(''), err: err.join('') + f.err.join(''), calls: f.calls };
}
