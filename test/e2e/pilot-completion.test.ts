// The built `spike completion bash` (dist/spike.js, no Workload API): its
// script, sourced in a real bash, completes `spike op<TAB>` to `operator`.
// Every --help of the built CLI ends with the Exit codes and Example sections.
// Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpike, SPIKE_BIN } from '../helpers/fakenexus.js';

const NOWHERE = { SPIFFE_ENDPOINT_SOCKET: 'unix:///tmp/pilot-no-such-dir/api.sock', HOME: '/tmp' };
let dir: string;

beforeAll(() => {
  if (!existsSync(SPIKE_BIN)) throw new Error(`${SPIKE_BIN} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'spike-completion-e2e-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spike completion (built CLI)', () => {
  it('spike completion bash completes spike op<TAB> to operator, in bash', async () => {
    const r = await runSpike(['completion', 'bash'], { env: NOWHERE });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const script = join(dir, 'spike.bash');
    writeFileSync(script, r.stdout);
    const complete = (...words: string[]): string =>
      execFileSync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _spike; for w in "${COMPREPLY[@]}"; do printf "<%s>\\n" "$w"; done', 'bash', script, ...words], {
        encoding: 'utf8',
      });
    // One <…> line per COMPREPLY element.
    expect(complete('spike', 'op')).toBe('<operator>\n');
    expect(complete('spike', 'operator', 're')).toBe('<recover>\n<restore>\n');
    // The completion function is registered for the command `spike`.
    expect(execFileSync('bash', ['-c', 'source "$1"; complete -p spike', 'bash', script], { encoding: 'utf8' })).toBe('complete -F _spike spike\n');
  });

  it('an unknown shell: exit 2, one Error line', async () => {
    const r = await runSpike(['completion', 'tcsh'], { env: NOWHERE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: [^\n]*tcsh[^\n]*\n$/);
  });

  it.each([[['--help']], [['operator', 'restore', '--help']], [['restore', '--help']], [['secret', 'get', '--help']], [['completion', '--help']]])(
    '%j prints the Exit codes and Example sections',
    async (args) => {
      const r = await runSpike(args, { env: NOWHERE });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\nExit codes:\n {2}0 {2}[^\n]+\n[\s\S]*\nExample:\n {2}\$ [^\n]*spike /);
    },
  );
});
