// `spike completion zsh`: a zsh completion script (compsys) for the tree
// under `root`, with the descriptions of commands and flags. It works
// sourced (after compinit) or as the file `_spike` in a directory of $fpath.
import { allNodes, namesOf, type CompletionNode } from './model.js';
import { lookupFunctions, pathKey, shellQuote } from './shell-data.js';

/** `name:description` for _describe (a colon in the name escaped, the description on one line). */
function item(name: string, description: string): string {
  return `${name.replace(/:/g, '\\:')}:${description.replace(/\s+/g, ' ').trim()}`;
}

function itemsFunction(name: string, comment: string, entries: readonly (readonly [string, readonly string[]])[]): string {
  const lines = [`# ${comment}`, `${name}() {`, '  case "$1" in'];
  for (const [key, items] of entries) lines.push(`    ${shellQuote(key)}) _spike_list=(${items.map(shellQuote).join(' ')}) ;;`);
  lines.push('    *) _spike_list=() ;;', '  esac', '}');
  return lines.join('\n');
}

function describedFunctions(root: CompletionNode): string {
  const nodes = allNodes(root);
  const commands = nodes
    .filter((n) => n.children.length > 0)
    .map((n) => [pathKey(n), n.children.flatMap((c) => namesOf(c).map((w) => item(w, c.description)))] as const);
  const flags = nodes.map((n) => [pathKey(n), n.flags.flatMap((f) => f.names.map((w) => item(w, f.description)))] as const);
  return [
    itemsFunction('_spike_command_items', '$1 command path: its subcommands as name:description, in _spike_list (compsys uses reply itself)', commands),
    itemsFunction('_spike_flag_items', '$1 command path: its flags as flag:description', flags),
  ].join('\n\n');
}

const MAIN = `# Completes the word under the cursor from the command path named by the words before it.
_spike() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmdpath='' w kind='' REPLY
  local -a _spike_list kinds
  local -i i=2 nargs=0 n
  while (( i < CURRENT )); do
    w=\${words[i]}
    case $w in
      -*=*) ;;
      -*) _spike_flag_value "$cmdpath" "$w"; [[ -n $REPLY ]] && (( i++ )) ;;
      *)
        _spike_child "$cmdpath" "$w"
        if [[ -n $REPLY ]] && (( nargs == 0 )); then cmdpath=\${cmdpath:+$cmdpath }$REPLY; else (( nargs++ )); fi
        ;;
    esac
    (( i++ ))
  done
  if [[ $cur == -*=* ]]; then
    _spike_flag_value "$cmdpath" "\${cur%%=*}"; kind=$REPLY
    compset -P '*='
  elif [[ $prev == -* && $prev != *=* ]] && (( CURRENT > 2 )); then
    _spike_flag_value "$cmdpath" "$prev"; kind=$REPLY
  fi
  if [[ -n $kind ]]; then _spike_value "$kind"; return; fi
  if [[ $cur == -* ]]; then
    _spike_flag_items "$cmdpath"
    _describe -t options 'spike flag' _spike_list
    return
  fi
  if (( nargs == 0 )); then
    _spike_command_items "$cmdpath"
    if (( \${#_spike_list} > 0 )); then _describe -t commands 'spike command' _spike_list; return; fi
  fi
  _spike_args "$cmdpath"
  kinds=(\${(s:|:)REPLY})
  n=\${#kinds}
  (( n == 0 )) && return 1
  if (( nargs >= n )); then
    kind=\${kinds[n]}
    [[ $kind == *+ ]] || return 1
  else
    kind=\${kinds[nargs+1]}
  fi
  _spike_value "\${kind%+}"
}

# $1 what may stand here (any, file, choices:…).
_spike_value() {
  case $1 in
    file) _files ;;
    choices:*) compadd -- \${=\${1#choices:}} ;;
    *) return 1 ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _spike "$@"
else
  compdef _spike spike
fi`;

export function zshScript(root: CompletionNode, version: string): string {
  return `#compdef spike
# zsh completion for spike ${version}, written by \`spike completion zsh\`.
# Enable it for this shell (after compinit):  source <(spike completion zsh)
# or for every new shell:  spike completion zsh > "\${fpath[1]}/_spike"  (then start a new shell)

${lookupFunctions(root, '_spike')}

${describedFunctions(root)}

${MAIN}
`;
}
