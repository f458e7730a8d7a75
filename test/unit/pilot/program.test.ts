import { describe, expect, it } from 'vitest';
import { CliError, ExitCode, NotReadyError } from '../../../src/pilot/output/exit.js';
import { parseFormat } from '../../../src/pilot/output/format.js';
import { reportFailure } from '../../../src/pilot/output/report.js';
import { fake, ID, json, runProgram } from './fakes.js';

/** Parses argv like main.ts does and returns the exit code plus what was printed. */
async function run(args: string[], f = fake({ spiffeId: ID.restore, stdin: `spike:1:${'11'.repeat(32)}`, answer: () => json(200, { collected: 1, remaining: 1, restored: false }) })) {
  return runProgram(args, f);
}

describe('the commander tree', () => {
  it('--version and --help exit 0 without opening an identity', async () => {
    const f = fake({ spiffeId: ID.restore });
    f.deps.openIdentity = () => Promise.reject(new Error('must not be called'));
    const v = await run(['--version'], f);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    const h = await run(['--help'], f);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Exit codes:');
  });

  it('operator restore and the restore alias run the same command', async () => {
    for (const args of [['operator', 'restore'], ['restore']]) {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Shards collected: 1');
      expect(r.calls).toHaveLength(1);
    }
  });

  it('usage errors exit 2 with one Error line', async () => {
    for (const args of [['nope'], ['operator', 'restore', '--bogus'], ['secret', 'get'], ['secret', 'get', 'p', '-v', '-1'], ['restore', '-f', 'xml']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(ExitCode.usage);
      expect(r.err, args.join(' ')).toMatch(/^Error: [^\n]+\n$/);
      expect(r.calls).toEqual([]);
    }
  });

  it('`spike help` exits 0', async () => {
    const r = await run(['help']);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toContain('Exit codes:');
  });

  it('a bare group prints its help and exits 2', async () => {
    const r = await run(['operator']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toContain('recover');
    expect(r.err).not.toContain('Error:');
  });
});

describe('reportFailure', () => {
  it('prints one line and never a stack', () => {
    const lines: string[] = [];
    expect(reportFailure(new CliError(ExitCode.filesystem, 'a\nb'), (s) => void lines.push(s))).toBe(4);
    expect(reportFailure(new Error('boom\n    at x (y.js:1:1)'), (s) => void lines.push(s))).toBe(1);
    expect(reportFailure(new NotReadyError(ExitCode.nexus, 'x'), (s) => void lines.push(s))).toBe(1);
    expect(lines).toEqual(['Error: a b\n', 'Error: unexpected failure (boom)\n', 'Error: x\n']);
  });
});

describe('parseFormat', () => {
  it('accepts upstream aliases and refuses the rest', () => {
    expect(['human', 'h', 'plain', 'p', ''].map((f) => parseFormat(f))).toEqual(Array(5).fill('human'));
    expect(['json', 'j'].map((f) => parseFormat(f))).toEqual(['json', 'json']);
    expect(() => parseFormat('yaml')).toThrow("invalid format 'yaml'. Valid formats are: human/h/plain/p, json/j");
    expect(() => parseFormat('xml')).toThrow(CliError);
    expect(parseFormat('y', ['human', 'json', 'yaml'])).toBe('yaml');
  });

  it('ignores letter case', () => {
    expect(['JSON', 'Json', 'J', 'HUMAN', 'Plain', 'P'].map((f) => parseFormat(f))).toEqual(['json', 'json', 'json', 'human', 'human', 'human']);
    expect(['YAML', 'Yaml', 'Y'].map((f) => parseFormat(f, ['human', 'json', 'yaml']))).toEqual(['yaml', 'yaml', 'yaml']);
    expect(() => parseFormat('YAML')).toThrow("invalid format 'YAML'. Valid formats are: human/h/plain/p, json/j");
  });

  it('-format=json (one dash, read by commander as -f ormat=json) gets a hint', () => {
    expect(() => parseFormat('ormat=json')).toThrow('unknown format "ormat=json"; did you mean --format json?');
    expect(() => parseFormat('ormat=Yaml', ['human', 'json', 'yaml'])).toThrow('unknown format "ormat=Yaml"; did you mean --format Yaml?');
    expect(() => parseFormat('ormat')).toThrow('unknown format "ormat"; did you mean --format <format>?');
    expect(() => parseFormat('normal')).toThrow("invalid format 'normal'.");
  });
});
