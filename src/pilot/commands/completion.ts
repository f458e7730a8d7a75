// `spike completion bash|zsh|fish`: prints a shell completion script for
// every command, subcommand, alias, flag and flag value of this `spike`,
// read from the commander tree it runs in (completion/**, loaded only here).
import { Argument, type Command } from 'commander';
import type { PilotDeps } from '../runtime.js';

export const COMPLETION_SUMMARY = 'Print a shell completion script (bash, zsh or fish)';

/** The `spike` program that `cmd` hangs in. */
function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent !== null) c = c.parent;
  return c;
}

export function defineCompletion(cmd: Command, deps: () => PilotDeps): Command {
  return cmd
    .description(COMPLETION_SUMMARY)
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Completes commands, subcommands, aliases, flags and the values of flags that
take a fixed set (-f/--format, --for, --permissions) or a file (--file, -i,
-m, -R, -o). Secret paths and policy names are not completed (that would need
SPIKE Nexus). Enable it:
  bash  source <(spike completion bash)             in ~/.bashrc
  zsh   source <(spike completion zsh)              in ~/.zshrc, after compinit
  fish  spike completion fish > ~/.config/fish/completions/spike.fish

Exit codes:
  0  the script was printed
  2  usage error (no shell, or one that is not bash, zsh or fish)

Example:
  $ spike completion bash > ~/.local/share/bash-completion/completions/spike
  $ source <(spike completion zsh)`,
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish', _opts: unknown, self: Command) => {
      const { completionScript } = await import('../completion/index.js');
      const root = rootOf(self);
      deps().io.out(completionScript(shell, root, root.version() ?? ''));
    });
}
