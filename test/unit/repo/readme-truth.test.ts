// README.md (and docs/cli.md's command reference) stays true to the code.
// The rules, each checked against the real source of truth:
//
// Commands and flags of `spike`: the commander tree of src/pilot/program.ts
// (buildProgram, every command and alias; commander's implicit help
// command and -h/--help are left out).
//  - README.md contains every command path as text, `spike <path>` (group
//    commands such as `spike secret metadata` included).
//  - A command's ENTRY in a Markdown file is the union of (a) every table row
//    whose first cell has a code span naming the command and (b) every
//    section whose heading has a code span naming it (the section runs to
//    the next heading of the same or a higher level). A code span names
//    `<bin> <path>` when its text is exactly that or starts with it followed
//    by a space (arguments: `spike secret get <path> [key]`); the root
//    command is named by `<bin>` alone or `<bin> -…`. Every long flag of the
//    command must occur in its entry as `--flag` (not followed by a letter,
//    digit or dash). README.md: every command has a non-empty entry; docs/cli.md:
//    every command other than a group has one (its `### \`spike …\`` heading;
//    the aliases `spike recover`/`spike restore` may use their operator command's).
// Server binaries (README.md, same entry rule):
//  - spike-nexus: the `store` subcommands and their long flags from
//    `spike-nexus store [<command>] --help` (runStoreCommand, the real parser);
//  - spike-dev-agent: its commander commands and options, read from
//    src/devagent/main.ts (it builds its program at import, so the source is
//    parsed: `<var>.command('x')` hangs under `<var>`, options belong to the
//    command defined last before them);
//  - spike-bootstrap: its usage line (src/bootstrap/args.ts USAGE) as a code span;
//  - spike-keeper and spike-nexus take no arguments but --help (and
//    `store …`): their mains parse process.argv with parseServerArgs, and
//    their README rows say what --help and any other argument do.
// Environment variables: every name in a quoted string literal matching
// (SPIKE|SPIFFE)_[A-Z0-9_]+ in src/**/*.ts is taken as read by the code
// (they are read through src/protocol/config/env.ts by name), except
// ENV_NOT_IN_TABLE below (each with its reason). Each must be named in the
// first cell of a row of README's `## Environment variables` table, and
// each name there must be read by the code. In a cell, a shorthand `_X`
// after a full name F (`SPIKE_TRUST_ROOT_PILOT`, `_NEXUS`) stands for
// P + `_X` for some underscore prefix P of F (F itself included): it covers
// each such name, and at least one of them must be read by the code.
// The hack/ scripts: every variable they take from the caller
// (`${NAME:-…}` or `${NAME:=…}` in hack/*.sh) that src/ does not read is named
// in README's `## The local stack (\`hack/\`)` section (subsections included),
// except HACK_INTERNAL below (each with its reason).
// Exit codes: every code of src/pilot/output/exit.ts has a row in the exit-code
// tables of README.md (`### Exit codes`) and docs/cli.md (`## Exit codes`)
// whose meaning contains the code's keyword (EXIT_KEYWORDS, each also checked
// to occur in exit.ts's own comment of that code), and no row has another code.
// Test command: README's `## Test` block runs `npm test`, a script of
// package.json whose `npm run <step>`s its comment names in order; every
// `npm run <name>` / `npm test` written in README is a script of package.json.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { USAGE as BOOTSTRAP_USAGE } from '../../../src/bootstrap/args.js';
import { runStoreCommand } from '../../../src/nexus/commands/store-copy.js';
import { ExitCode } from '../../../src/pilot/output/exit.js';
import { buildProgram } from '../../../src/pilot/program.js';
import type { PilotDeps } from '../../../src/pilot/runtime.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Variables the code reads that README's table does not list, and why. */
const ENV_NOT_IN_TABLE: Readonly<Record<string, string>> = {
  SPIKE_NEXUS_STORE_COPY_FAILPOINTS: 'tests only; README § Moving a store names it where the command is described',
};

/** Variables hack/ reads with a default that are not the user's to set, and why. */
const HACK_INTERNAL: Readonly<Record<string, string>> = {
  SPIKE_START_ARGS: "set by hack/start.sh for one spike_start call (the dev agent's `run`)",
  SPIKE_PG_SEARCH_ROOT: 'tests only: replaces /usr/lib/postgresql where the PostgreSQL binaries are looked for',
};

/** The word each exit code's meaning must contain (in README, docs/cli.md and exit.ts's comment of that code). */
const EXIT_KEYWORDS: Readonly<Record<keyof typeof ExitCode, string>> = {
  ok: 'success',
  nexus: 'Nexus',
  usage: 'usage',
  identity: 'identity',
  filesystem: 'filesystem',
  refused: 'restore',
  interrupted: 'Ctrl-C',
};

// ---------------------------------------------------------------- Markdown

/** The lines of a Markdown text with fenced code blocks blanked (so that `#` comments in them are no headings). */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** The text of every code span of a line (single or double backticks). */
function codeSpans(line: string): string[] {
  return [...line.matchAll(/(`+)(.+?)\1/g)].map((m) => (m[2] ?? '').trim());
}

/** The cells of a table row (`\|` inside a cell kept as `|`), or undefined for a line that is no row. */
function tableCells(line: string): string[] | undefined {
  if (!line.trimStart().startsWith('|')) return undefined;
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.replace(/\\\|/g, '|').trim());
  return cells.every((c) => /^:?-+:?$/.test(c)) ? undefined : cells;
}

interface Section {
  readonly heading: string;
  readonly level: number;
  readonly body: string;
}

/** Every heading with the text up to the next heading of the same or a higher level. */
function sections(text: string): Section[] {
  const lines = proseLines(text);
  const raw = text.split('\n');
  const heads = lines.flatMap((l, i) => {
    const m = /^(#{1,6})\s+(.*)$/.exec(l);
    return m === null ? [] : [{ i, level: (m[1] ?? '').length, heading: m[2] ?? '' }];
  });
  return heads.map((h, k) => {
    const end = heads.slice(k + 1).find((n) => n.level <= h.level)?.i ?? raw.length;
    return { heading: h.heading, level: h.level, body: raw.slice(h.i, end).join('\n') };
  });
}

function sectionNamed(text: string, heading: string): Section {
  const s = sections(text).find((x) => x.heading === heading);
  if (s === undefined) throw new Error(`no heading "${heading}"`);
  return s;
}

/** Whether a code span's text names `<bin> <path>` (the root: `<bin>` or `<bin> -…`). */
function spanNames(span: string, bin: string, path: readonly string[]): boolean {
  if (path.length === 0) return span === bin || span.startsWith(`${bin} -`);
  const name = `${bin} ${path.join(' ')}`;
  return span === name || span.startsWith(`${name} `);
}

/** A command's entry: the table rows and sections that name it (see the header). */
function entryOf(text: string, bin: string, path: readonly string[]): string {
  const rows = proseLines(text).filter((l) => {
    const first = tableCells(l)?.[0];
    return first !== undefined && codeSpans(first).some((s) => spanNames(s, bin, path));
  });
  const secs = sections(text).filter((s) => codeSpans(s.heading).some((sp) => spanNames(sp, bin, path)));
  return [...rows, ...secs.map((s) => s.body)].join('\n');
}

/** The long flags of `flags` that `entry` does not mention. */
function missingFlags(entry: string, flags: readonly string[]): string[] {
  return flags.filter((f) => !new RegExp(`${f.replace(/[-]/g, '\\-')}(?![A-Za-z0-9-])`).test(entry));
}

// ---------------------------------------------------------------- the code

interface CliCommand {
  readonly path: readonly string[];
  readonly flags: readonly string[];
  readonly group: boolean;
}

const noDeps = (): PilotDeps => {
  throw new Error('walking the command tree must not need dependencies');
};

async function spikeCommands(): Promise<CliCommand[]> {
  const program = await buildProgram(noDeps, { out: () => undefined, err: () => undefined });
  const walk = (cmd: Command, path: readonly string[]): CliCommand[] => [
    { path, flags: cmd.options.flatMap((o) => (o.long === undefined || o.long === '--help' ? [] : [o.long])), group: cmd.commands.length > 0 },
    ...cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => walk(c, [...path, c.name()])),
  ];
  return walk(program, []);
}

/** Commands and long flags of a commander help text (`Commands:` and `Options:` sections). */
function fromHelp(help: string): { commands: string[]; flags: string[] } {
  const part = (title: string): string[] => {
    const m = new RegExp(`^${title}:\\n((?:  .*\\n?)*)`, 'm').exec(help);
    return (m?.[1] ?? '').split('\n').filter((l) => /^ {2}\S/.test(l));
  };
  return {
    commands: part('Commands').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((c) => c !== 'help'),
    flags: part('Options')
      .flatMap((l) => [...l.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]))
      .filter((f) => f !== '--help'),
  };
}

async function storeHelp(args: readonly string[]): Promise<string> {
  let out = '';
  const io = { env: {}, out: (l: string) => (out += `${l}\n`), err: (l: string) => (out += `${l}\n`) };
  expect(await runStoreCommand([...args, '--help'], io)).toBe(0);
  return out;
}

async function nexusCommands(): Promise<CliCommand[]> {
  const top = fromHelp(await storeHelp([]));
  const subs = await Promise.all(top.commands.map(async (c) => ({ path: ['store', c], flags: fromHelp(await storeHelp([c])).flags, group: false })));
  return [{ path: ['store'], flags: top.flags, group: true }, ...subs];
}

/** spike-dev-agent's commands and options, parsed from src/devagent/main.ts (see the header). */
function devAgentCommands(): CliCommand[] {
  const src = read('src/devagent/main.ts');
  const pathOfVar = new Map<string, readonly string[]>([['program', []]]);
  const found: { path: readonly string[]; at: number; flags: string[] }[] = [];
  for (const m of src.matchAll(/(?:const\s+(\w+)\s*=\s*)?(\w+)\s*\.command\('([a-z-]+)'\)/g)) {
    const parent = pathOfVar.get(m[2] ?? '');
    if (parent === undefined) throw new Error(`.command on unknown ${m[2]}`);
    const path = [...parent, m[3] ?? ''];
    if (m[1] !== undefined) pathOfVar.set(m[1], path);
    found.push({ path, at: m.index, flags: [] });
  }
  for (const m of src.matchAll(/\.option\('(?:-\w, )?(--[a-z][a-z0-9-]*)/g)) {
    const owner = found.filter((f) => f.at < m.index).at(-1);
    if (owner === undefined) throw new Error(`option ${m[1]} before any command`);
    owner.flags.push(m[1] ?? '');
  }
  return found.map((f) => ({ path: f.path, flags: f.flags, group: found.some((g) => g.path.length > f.path.length && f.path.every((p, i) => g.path[i] === p)) }));
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((n) => {
    const p = `${dir}/${n}`;
    return statSync(join(root, p)).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every SPIKE_/SPIFFE_ name written as a whole string literal in src/. */
function envReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const f of tsFiles('src')) {
    for (const m of read(f).matchAll(/(['"`])((?:SPIKE|SPIFFE)_[A-Z0-9_]+)\1/g)) names.add(m[2] ?? '');
  }
  return names;
}

interface EnvTable {
  readonly full: Set<string>;
  /** Each shorthand with the names it may stand for. */
  readonly shorthands: { readonly text: string; readonly candidates: readonly string[] }[];
}

function envTable(readme: string): EnvTable {
  const full = new Set<string>();
  const shorthands: EnvTable['shorthands'] = [];
  for (const line of proseLines(sectionNamed(readme, 'Environment variables').body)) {
    const first = tableCells(line)?.[0];
    if (first === undefined || first === 'variable') continue;
    let base: string | undefined;
    for (const span of codeSpans(first)) {
      if (/^(SPIKE|SPIFFE)_[A-Z0-9_]+$/.test(span)) {
        full.add(span);
        base ??= span;
      } else if (/^_[A-Z0-9_]+$/.exec(span) !== null && base !== undefined) {
        const parts = base.split('_');
        const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('_')).slice(1);
        shorthands.push({ text: `${base} … ${span}`, candidates: prefixes.map((p) => p + span) });
      } else {
        throw new Error(`env table: unexpected name ${span} in "${first}"`);
      }
    }
  }
  return { full, shorthands };
}

// ---------------------------------------------------------------- tests

const readme = read('README.md');
const cliDoc = read('docs/cli.md');

describe('README.md names every spike command and each of its flags', async () => {
  const commands = await spikeCommands();

  it('the walk reaches the tree', () => {
    const names = commands.map((c) => c.path.join(' '));
    expect(names).toEqual(expect.arrayContaining(['', 'secret metadata get', 'cipher encrypt', 'completion', 'recover']));
  });

  it.each(commands.filter((c) => c.path.length > 0).map((c) => [`spike ${c.path.join(' ')}`] as const))('%s is in README', (name) => {
    expect(readme.includes(name), name).toBe(true);
  });

  it.each(commands.map((c) => [`spike ${c.path.join(' ')}`.trim(), c] as const))('%s: README entry has every long flag', (_n, c) => {
    const entry = entryOf(readme, 'spike', c.path);
    expect(entry, 'no table row or heading names it').not.toBe('');
    expect(missingFlags(entry, c.flags)).toEqual([]);
  });

  it.each(commands.filter((c) => !c.group && c.path.length > 0).map((c) => [`spike ${c.path.join(' ')}`, c] as const))('%s: docs/cli.md entry has every long flag', (_n, c) => {
    const canonical = c.path.length === 1 && ['recover', 'restore'].includes(c.path[0] ?? '') ? ['operator', ...c.path] : c.path;
    const entry = entryOf(cliDoc, 'spike', canonical) + entryOf(cliDoc, 'spike', c.path);
    expect(entry, 'no table row or heading names it').not.toBe('');
    expect(missingFlags(entry, c.flags)).toEqual([]);
  });
});

describe('README.md names the server binaries’ commands and flags', async () => {
  const nexus = await nexusCommands();
  const agent = devAgentCommands();

  it('the parsers are read', () => {
    expect(nexus.map((c) => c.path.join(' '))).toContain('store copy');
    expect(nexus.find((c) => c.path.join(' ') === 'store copy')?.flags).toEqual(expect.arrayContaining(['--from', '--to']));
    expect(agent.map((c) => c.path.join(' '))).toEqual(expect.arrayContaining(['run', 'entry', 'entry set', 'entry list', 'socket']));
    expect(agent.find((c) => c.path.join(' ') === 'entry list')?.flags).toContain('--json');
  });

  it.each([...nexus.map((c) => ['spike-nexus', c] as const), ...agent.map((c) => ['spike-dev-agent', c] as const)].map(([bin, c]) => [`${bin} ${c.path.join(' ')}`, bin, c] as const))(
    '%s',
    (name, bin, c) => {
      expect(readme.includes(name), name).toBe(true);
      const entry = entryOf(readme, bin, c.path);
      expect(entry, 'no table row or heading names it').not.toBe('');
      expect(missingFlags(entry, c.flags)).toEqual([]);
    },
  );

  it('spike-bootstrap: its usage line', () => {
    const usage = BOOTSTRAP_USAGE.replace(/^usage:\s*/, '');
    expect(readme.split('\n').some((l) => codeSpans(l).some((s) => s === usage || s.startsWith(`${usage} `)))).toBe(true);
  });

  it('spike-keeper and spike-nexus: no arguments but --help (src/common/server-args.ts), and the README says so', () => {
    for (const [bin, main] of [
      ['spike-keeper', 'src/keeper/main.ts'],
      ['spike-nexus', 'src/nexus/main.ts'],
    ] as const) {
      expect(read(main)).toContain('parseServerArgs(process.argv.slice(2)');
      const entry = entryOf(readme, bin, []);
      expect(entry, bin).toContain('`--help` prints the usage line (exit 0), anything else exits 2');
    }
  });
});

describe('README.md lists exactly the environment variables the code reads', () => {
  const code = envReadByCode();
  const table = envTable(readme);
  const covered = (v: string): boolean => table.full.has(v) || table.shorthands.some((s) => s.candidates.includes(v));

  it('the code is read', () => {
    expect(code).toContain('SPIKE_NEXUS_API_URL');
    expect(code).toContain('SPIFFE_ENDPOINT_SOCKET');
  });

  it('every variable read is in the table (or excluded with a reason)', () => {
    expect([...code].filter((v) => !(v in ENV_NOT_IN_TABLE) && !covered(v))).toEqual([]);
  });

  it('every excluded variable is read by the code and still named in README', () => {
    for (const v of Object.keys(ENV_NOT_IN_TABLE)) {
      expect(code).toContain(v);
      expect(readme).toContain(v);
      expect(covered(v), `${v} is in the table: drop the exclusion`).toBe(false);
    }
  });

  it('every variable in the table is read by the code', () => {
    expect([...table.full].filter((v) => !code.has(v))).toEqual([]);
    expect(table.shorthands.filter((s) => !s.candidates.some((c) => code.has(c))).map((s) => s.text)).toEqual([]);
  });
});

describe('README.md names the variables the hack/ scripts take', () => {
  const taken = new Set(
    readdirSync(join(root, 'hack'))
      .filter((n) => n.endsWith('.sh'))
      .flatMap((n) => [...read(`hack/${n}`).matchAll(/\$\{((?:SPIKE|SPIFFE|DEMO)_[A-Z0-9_]+):[-=]/g)].map((m) => m[1] ?? '')),
  );
  const code = envReadByCode();

  it('the scripts are read', () => {
    expect(taken).toContain('SPIKE_NEXUS_REPLICAS');
  });

  it('every one not read by src/ is in § The local stack (or internal, with a reason)', () => {
    const stack = sectionNamed(readme, 'The local stack (`hack/`)').body;
    const named = (v: string): boolean => new RegExp(`\\b${v}\\b`).test(stack);
    expect([...taken].filter((v) => !code.has(v) && !(v in HACK_INTERNAL) && !named(v))).toEqual([]);
    expect(Object.keys(HACK_INTERNAL).filter((v) => !taken.has(v))).toEqual([]);
  });
});

describe('the exit-code tables match src/pilot/output/exit.ts', () => {
  const exitSource = read('src/pilot/output/exit.ts');

  it('every code has a keyword found in its own comment in exit.ts', () => {
    expect(Object.keys(EXIT_KEYWORDS).sort()).toEqual(Object.keys(ExitCode).sort());
    for (const [name, word] of Object.entries(EXIT_KEYWORDS)) {
      const m = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${name}:`).exec(exitSource);
      expect(m?.[1]?.toLowerCase(), name).toContain(word.toLowerCase());
    }
  });

  it.each([
    ['README.md', readme, 'Exit codes'],
    ['docs/cli.md', cliDoc, 'Exit codes'],
  ])('%s', (_file, text, heading) => {
    const rows = new Map<number, string>();
    for (const line of proseLines(sectionNamed(text, heading).body)) {
      const cells = tableCells(line);
      if (cells === undefined || cells[0] === 'code') continue;
      rows.set(Number(cells[0]), cells.slice(1).join(' '));
    }
    const codes = Object.entries(ExitCode);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual(codes.map(([, c]) => c).sort((a, b) => a - b));
    for (const [name, code] of codes) {
      expect(rows.get(code)?.toLowerCase(), `${code} (${name})`).toContain(EXIT_KEYWORDS[name as keyof typeof ExitCode].toLowerCase());
    }
  });
});

describe('the test and script commands README states are package.json scripts', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  it('§ Test runs `npm test`, whose steps its comment names in order', () => {
    const block = /```sh\n([^\n]*)\n/.exec(sectionNamed(readme, 'Test').body)?.[1] ?? '';
    const [command, comment = ''] = block.split('#').map((s) => s.trim());
    expect(command).toBe('npm test');
    const steps = (scripts.test ?? '').split('&&').flatMap((s) => /^\s*npm run (\S+)\s*$/.exec(s)?.slice(1) ?? []);
    expect(steps.length).toBeGreaterThan(0);
    const at = steps.map((s) => comment.indexOf(s));
    expect(at.every((i) => i >= 0), `"${comment}" names ${steps.join(', ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('every `npm run <name>` and `npm test` in README is a script', () => {
    const named = [...readme.matchAll(/\bnpm (?:run (\S+?)|(test))(?=[\s`)]|$)/g)].map((m) => m[1] ?? m[2] ?? '');
    expect(named.length).toBeGreaterThan(2);
    expect(named.filter((n) => !(n in scripts))).toEqual([]);
  });
});
