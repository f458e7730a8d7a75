// `spike completion bash|zsh|fish`: the scripts are run in the real shells.
// bash: the script is sourced in a non-interactive bash, COMP_WORDS and
// COMP_CWORD set as readline would, _spike called, COMPREPLY read. zsh: parsed
// (zsh -n) and _spike run with compsys's functions stubbed to print what
// they are given. fish: parsed (fish -n) and asked with `complete -C`. zsh
// and fish are skipped (said so) where they are not installed; bash is not.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { COMMANDS } from '../../../src/pilot/program.js';
import { fake, ID, runProgram } from './fakes.js';

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAS_ZSH = has('zsh');
const HAS_FISH = has('fish');

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spike-completion-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runProgram(['completion', shell], fake({ spiffeId: ID.superuser }));
    if (r.code !== ExitCode.ok) throw new Error(`spike completion ${shell} exited ${r.code}: ${r.err}`);
    scripts[shell] = join(dir, `spike.${shell}`);
    writeFileSync(scripts[shell], r.out);
  }
  // Files for file completion, in a directory of their own (the shells run there).
  mkdirSync(join(dir, 'shards'));
  for (const f of ['spike.recovery.1.txt', 'spike.recovery.2.txt', 'notes.md']) writeFileSync(join(dir, 'shards', f), '');
  writeFileSync(
    join(dir, 'complete.bash'),
    // Each COMPREPLY element in <…>: an element holding a line break would show.
    'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _spike; for w in "${COMPREPLY[@]}"; do printf "<%s>\\n" "$w"; done\n',
  );
  writeFileSync(
    join(dir, 'complete.zsh'),
    [
      'compdef() { : }',
      'compset() { : }',
      // Like compsys's, it has a local reply of its own: an array named reply would read empty.
      '_describe() { local -a reply items; items=("${(@P)${@[-1]}}"); print -l -- ${items%%:*} }',
      'compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -l -- "$@" }',
      '_files() { print -- "<files>" }',
      'source "$1"; shift; words=("$@"); CURRENT=$#; _spike',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the command line `words` (the last one is the word under the cursor). */
function bash(...words: string[]): string[] {
  const out = execFileSync('bash', [join(dir, 'complete.bash'), scripts.bash as string, ...words], { cwd: dir, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (/^<.*>$/.test(l) ? l.slice(1, -1) : `broken element: ${l}`));
}

describe('spike completion bash, run in bash', () => {
  it('spike op<TAB> completes to operator', () => {
    expect(bash('spike', 'op')).toEqual(['operator']);
  });

  it('spike <TAB> offers every top-level command (later ones too: the list is the live tree)', () => {
    expect(bash('spike', '')).toEqual(expect.arrayContaining(['operator', 'secret', 'policy', 'recover', 'restore', 'completion', 'help']));
  });

  it.each([
    [['spike', 'operator', 're'], ['recover', 'restore']],
    [['spike', 'secret', 'get', '--'], ['--version', '--format', '--raw', '--help']],
    [['spike', 'secret', 'list', '-f', ''], ['human', 'json', 'yaml']],
    [['spike', 'operator', 'status', '--format', ''], ['human', 'json']],
    [['spike', 'secret', 'list', '--format', '=', 'y'], ['yaml']],
    [['spike', 'secret', 'metadata', 'g'], ['get']],
    [['spike', 'restore', '--re'], ['--reset']],
    [['spike', 'operator', 'preflight', '--for', ''], ['recover', 'restore']],
    [['spike', 'policy', 'create', '--permissions', 'w'], ['write']],
    [['spike', 'completion', ''], ['bash', 'zsh', 'fish']],
    [['spike', 'help', 'po'], ['policy']],
    [['spike', 'operator', 'restore', '--file', 'shards/spike'], ['shards/spike.recovery.1.txt', 'shards/spike.recovery.2.txt']],
    [['spike', 'operator', 'verify', 'shards/spike.recovery.1.txt', 'shards/n'], ['shards/notes.md']],
    [['spike', 'recover', '-R', 'shards/no'], ['shards/notes.md']],
    // -f is --file on cipher (files), --format elsewhere (formats).
    [['spike', 'cipher', 'encrypt', '-f', 'shards/spike'], ['shards/spike.recovery.1.txt', 'shards/spike.recovery.2.txt']],
    [['spike', 'cipher', 'decrypt', '-o', 'shards/n'], ['shards/notes.md']],
    // A flag's value is not a command word: `-f json` is skipped, `get` still names the command.
    [['spike', 'secret', 'get', '-f', 'json', 'secrets/db', ''], []],
    [['spike', 'secret', 'get', 'secrets/db', '--r'], ['--raw']],
    // A secret path is no local file: nothing is offered.
    [['spike', 'secret', 'get', 'shards/sp'], []],
  ])('%j → %j', (words, expected) => {
    expect(bash(...words)).toEqual(expected);
  });

  it('every command of the live tree completes from its first letters under its parent', () => {
    const paths = [...COMMANDS.map((c) => [c.group, c.name]), ['recover'], ['restore'], ['completion'], ['secret', 'metadata', 'get']];
    for (const path of paths) {
      const name = path[path.length - 1] as string;
      expect(bash('spike', ...path.slice(0, -1), name.slice(0, 2)), path.join(' ')).toContain(name);
    }
  });

  it('an unknown shell is a usage error', async () => {
    const r = await runProgram(['completion', 'powershell'], fake({ spiffeId: ID.superuser }));
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/^Error: [^\n]*powershell[^\n]*bash, zsh, fish[^\n]*\n$/);
    expect(r.out).toBe('');
  });
});

describe.skipIf(!HAS_ZSH)('spike completion zsh, run in zsh (skipped without zsh)', () => {
  const zsh = (...words: string[]): string[] =>
    execFileSync('zsh', [join(dir, 'complete.zsh'), scripts.zsh as string, ...words], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '');

  it('parses (zsh -n)', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh as string], { encoding: 'utf8' }).stderr).toBe('');
  });

  it('spike op<TAB>: the top-level commands (compsys then keeps operator)', () => {
    expect(zsh('spike', 'op')).toEqual(expect.arrayContaining(['operator', 'secret', 'policy', 'recover', 'restore', 'completion', 'help']));
    expect(zsh('spike', 'op')).not.toContain('rotate');
  });

  // compsys filters by the typed prefix itself: the stubs show every candidate _spike hands it.
  it.each([
    [['spike', 'operator', 're'], ['recover', 'restore', 'status', 'verify', 'preflight', 'rotate', 'help']],
    [['spike', 'secret', 'get', '--'], ['-v', '--version', '-f', '--format', '--raw', '-h', '--help']],
    [['spike', 'secret', 'list', '-f', ''], ['human', 'json', 'yaml']],
    [['spike', 'secret', 'list', '--format=j'], ['human', 'json', 'yaml']],
    [['spike', 'completion', ''], ['bash', 'zsh', 'fish']],
    [['spike', 'operator', 'restore', '--file', ''], ['<files>']],
  ])('%j → %j', (words, expected) => {
    expect(zsh(...words)).toEqual(expected);
  });
});

describe.skipIf(!HAS_FISH)('spike completion fish, run in fish (skipped without fish)', () => {
  const fish = (line: string): string[] =>
    execFileSync('fish', ['-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish as string, line], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0] as string);

  it('parses (fish -n)', () => {
    expect(spawnSync('fish', ['-n', scripts.fish as string], { encoding: 'utf8' }).stderr).toBe('');
  });

  it.each([
    ['spike op', ['operator']],
    ['spike operator re', ['recover', 'restore']],
    ['spike secret list -f ', ['human', 'json', 'yaml']],
    ['spike completion ', ['bash', 'fish', 'zsh']],
    ['spike operator restore --file shards/spike', ['shards/spike.recovery.1.txt', 'shards/spike.recovery.2.txt']],
  ])('%j → %j', (line, expected) => {
    expect(fish(line).sort()).toEqual([...expected].sort());
  });

  it('offers the flags of the command typed, not of another', () => {
    const flags = fish('spike secret get --');
    expect(flags).toEqual(expect.arrayContaining(['--version', '--format', '--raw', '--help']));
    expect(flags).not.toContain('--reset');
  });
});
