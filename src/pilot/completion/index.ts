// The completion scripts of `spike completion <shell>`, made from the live
// commander tree (commands/completion.ts loads this module in its action only).
import type { Command } from 'commander';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { completionTree } from './model.js';
import { zshScript } from './zsh.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script of `shell` for the program `root` (spike itself, with every command registered). */
export function completionScript(shell: Shell, root: Command, version: string): string {
  const tree = completionTree(root);
  if (shell === 'bash') return bashScript(tree, version);
  if (shell === 'zsh') return zshScript(tree, version);
  return fishScript(tree, version);
}
