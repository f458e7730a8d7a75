// The commander tree of `spike`. The command modules are loaded with
// `await import()`, and only the ones the command line needs: `spike operator
// restore …` loads operator-restore.ts alone, while help, `spike operator`
// without a known subcommand, unknown commands and anything starting with an
// option load them all (commander lists and suggests from what is
// registered). Anything heavy (TLS, x509, the HTTP client) is loaded with
// `await import()` inside nexus/identity.ts, only by commands that talk to
// Nexus.
import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import type { PilotDeps } from './runtime.js';
import { loadFormatSetting } from './config.js';
import { installFormatFlags } from './format-flags.js';

export const VERSION: string = pkg.version;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (restore: also "shard accepted, more shards needed")
  1  SPIKE Nexus unreachable or answered with an error
  2  usage error or invalid input (bad flag, malformed shard, invalid path,
     rotate without --yes and without a terminal)
  3  identity failure (no SVID in time, wrong role, server is not SPIKE Nexus)
  4  local filesystem failure (recovery directory unsafe or unwritable, a
     policy file that cannot be read, an output file that cannot be written)
  5  restore: Nexus did not take the shard (the shards held do not fit yet
     or belong to a previous root key, a drill shard does NOT match the root
     key or cannot be checked, or too many values for one id)
  130 interrupted (Ctrl-C at a prompt; nothing was sent)`;

export interface ProgramOutput {
  out(text: string): void;
  err(text: string): void;
}

/** A command module's `define…` function: options, texts and action of `cmd`. */
type DefineCommand = (cmd: Command, deps: () => PilotDeps, name?: string) => Command;

type Group = 'operator' | 'secret' | 'policy' | 'cipher';

/** One subcommand: where it hangs and how to load its module. */
export interface CommandSpec {
  readonly group: Group;
  readonly name: string;
  readonly load: () => Promise<DefineCommand>;
}

/** The group commands: name, description, examples (docs/cli.md § Help: every command's help has exit codes and an example). */
const GROUPS: readonly (readonly [Group, string, string?])[] = [
  ['operator', 'Manage admin operations', '  $ spike operator recover\n  $ spike operator restore'],
  ['secret', 'Manage secrets', '  $ spike secret put secrets/db/creds username=admin password=@./db-password.txt\n  $ spike secret get secrets/db/creds'],
  ['policy', 'Manage policies', "  $ spike policy list\n  $ spike policy get db-read"],
  ['cipher', 'Encrypt and decrypt data using SPIKE Nexus', '  $ spike cipher encrypt -f secret.txt -o secret.enc\n  $ spike cipher decrypt -f secret.enc -o secret.txt'],
];

/** The text after a group's option list (`examples`: `  $ spike …` lines). */
const groupHelp = (group: Group, examples = `  $ spike ${group} --help`): string => `
Run \`spike ${group} <command> --help\` for a command's flags, exit codes and example.

Exit codes:
  0  this help was asked for (--help)
  2  no command, or an unknown one (this help is printed on stderr)

Example:
${examples}`;

/** Every subcommand, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  { group: 'operator', name: 'recover', load: async () => (await import('./commands/operator-recover.js')).defineRecover },
  { group: 'operator', name: 'restore', load: async () => (await import('./commands/operator-restore.js')).defineRestore },
  // spike-ts break-glass additions (docs/runbook.md).
  { group: 'operator', name: 'status', load: async () => (await import('./commands/operator-status.js')).defineStatus },
  { group: 'operator', name: 'verify', load: async () => (await import('./commands/operator-verify.js')).defineVerify },
  { group: 'operator', name: 'preflight', load: async () => (await import('./commands/operator-preflight.js')).definePreflight },
  { group: 'operator', name: 'rotate', load: async () => (await import('./commands/operator-rotate.js')).defineRotate },
  { group: 'secret', name: 'put', load: async () => (await import('./commands/secret-put.js')).defineSecretPut },
  { group: 'secret', name: 'get', load: async () => (await import('./commands/secret-get.js')).defineSecretGet },
  { group: 'secret', name: 'list', load: async () => (await import('./commands/secret-list.js')).defineSecretList },
  { group: 'secret', name: 'delete', load: async () => (await import('./commands/secret-delete.js')).defineSecretDelete },
  { group: 'secret', name: 'undelete', load: async () => (await import('./commands/secret-undelete.js')).defineSecretUndelete },
  { group: 'secret', name: 'metadata', load: async () => (await import('./commands/secret-metadata-get.js')).defineSecretMetadata },
  { group: 'policy', name: 'create', load: async () => (await import('./commands/policy-create.js')).definePolicyCreate },
  { group: 'policy', name: 'apply', load: async () => (await import('./commands/policy-apply.js')).definePolicyApply },
  { group: 'policy', name: 'list', load: async () => (await import('./commands/policy-list.js')).definePolicyList },
  { group: 'policy', name: 'get', load: async () => (await import('./commands/policy-get.js')).definePolicyGet },
  { group: 'policy', name: 'delete', load: async () => (await import('./commands/policy-delete.js')).definePolicyDelete },
  { group: 'cipher', name: 'encrypt', load: async () => (await import('./commands/cipher-encrypt.js')).defineCipherEncrypt },
  { group: 'cipher', name: 'decrypt', load: async () => (await import('./commands/cipher-decrypt.js')).defineCipherDecrypt },
];

/**
 * Top-level commands outside the groups. They are registered only when every
 * command is (their own command line, help, unknown words), never on a line
 * that names a group command: `spike completion` reads the whole tree.
 */
export const TOP_LEVEL: readonly { readonly name: string; readonly load: () => Promise<DefineCommand> }[] = [
  { name: 'completion', load: async () => (await import('./commands/completion.js')).defineCompletion },
];

/** The seed documents' older spelling: `spike recover` / `spike restore`, top-level aliases of the operator commands. */
const ALIASES: readonly string[] = ['recover', 'restore'];

function specOf(group: string, name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.group === group && c.name === name);
}

/**
 * The subcommands a command line needs (`argv` as process.argv: node,
 * script, args…): the one it names when it starts with `<group> <name>` or an
 * alias, else every one (help, a group alone, unknown words, leading options).
 */
export function commandsFor(argv: readonly string[]): readonly CommandSpec[] {
  const [first, second] = argv.slice(2);
  if (first !== undefined && ALIASES.includes(first)) {
    const spec = specOf('operator', first);
    if (spec !== undefined) return [spec];
  }
  if (first !== undefined && second !== undefined) {
    const spec = specOf(first, second);
    if (spec !== undefined) return [spec];
  }
  return COMMANDS;
}

/**
 * The `spike` program with the subcommands `argv` needs (all of them when
 * `argv` is not given), their modules loaded.
 */
export async function buildProgram(deps: () => PilotDeps, output: ProgramOutput, argv?: readonly string[]): Promise<Command> {
  const wanted = argv === undefined ? COMMANDS : commandsFor(argv);
  const defines = new Map(await Promise.all(wanted.map(async (c) => [c, await c.load()] as const)));
  const topLevel = wanted === COMMANDS ? await Promise.all(TOP_LEVEL.map(async (t) => [t.name, await t.load()] as const)) : [];
  const program = new Command('spike');
  // Set before adding subcommands: commander copies these settings to them.
  program
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s), outputError: () => undefined })
    .exitOverride()
    // Program options only before the subcommand: `spike cipher decrypt --version 1` is the command's flag, not -V.
    .enablePositionalOptions()
    .helpCommand(true)
    .description(`SPIKE v${VERSION}\n>> Secure your secrets with SPIFFE: https://spike.ist/ #`)
    .version(VERSION, '-V, --version', 'Print the version of spike')
    .addHelpText('after', `${EXIT_CODES_HELP}

Example:
  $ spike operator recover      # save recovery shards (while SPIKE Nexus is healthy)
  $ spike operator restore      # feed one shard to SPIKE Nexus after a total failure
  $ spike operator verify       # check shard files offline against the manifest
  $ spike operator rotate       # replace the root key (then run recover again)
  $ spike secret put secrets/db/creds username=admin password=@./db-password.txt
  $ spike secret get secrets/db/creds
  $ spike policy list
  $ source <(spike completion bash)   # tab completion (zsh, fish: spike completion --help)`);

  for (const [group, description, examples] of GROUPS) {
    const specs = COMMANDS.filter((c) => c.group === group && defines.has(c));
    if (specs.length === 0) continue;
    const parent = program.command(group).description(description).addHelpText('after', groupHelp(group, examples));
    for (const spec of specs) (defines.get(spec) as DefineCommand)(parent.command(spec.name), deps);
  }
  for (const alias of ALIASES) {
    const spec = specOf('operator', alias);
    const define = spec === undefined ? undefined : defines.get(spec);
    if (define !== undefined) define(program.command(alias), deps, alias).summary(`Alias of \`spike operator ${alias}\``);
  }
  for (const [name, define] of topLevel) define(program.command(name), deps);
  installFormatFlags(program, () => loadFormatSetting(deps().env));
  return program;
}
