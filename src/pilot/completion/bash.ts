// `spike completion bash`: a bash completion script (bash 3.2 and later) for
// the tree under `root`. The command tree is written into the script (lookup
// functions: shell-data.ts), so completing runs no `spike` process.
import type { CompletionNode } from './model.js';
import { lookupFunctions } from './shell-data.js';

/** The walk over the words before the cursor, and what to offer for the current one. */
const MAIN = `# Completes the word under the cursor from the command path named by the words before it.
_spike() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev='' cmdpath='' w kind='' REPLY
  local i=1 nargs=0
  COMPREPLY=()
  while [ "$i" -lt "$COMP_CWORD" ]; do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      -*=*) ;;
      -*)
        _spike_flag_value "$cmdpath" "$w"
        if [ -n "$REPLY" ]; then
          # Its value follows (bash splits --format=json into --format = json).
          if [ "\${COMP_WORDS[i+1]}" = '=' ]; then i=$((i + 2)); else i=$((i + 1)); fi
        fi
        ;;
      *)
        _spike_child "$cmdpath" "$w"
        if [ -n "$REPLY" ] && [ "$nargs" -eq 0 ]; then
          cmdpath="\${cmdpath:+$cmdpath }$REPLY"
        else
          nargs=$((nargs + 1))
        fi
        ;;
    esac
    i=$((i + 1))
  done
  if [ "$COMP_CWORD" -ge 1 ]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  if [ "$cur" = '=' ] && [ "\${prev#-}" != "$prev" ]; then
    _spike_flag_value "$cmdpath" "$prev"; kind="$REPLY"; cur=''
  elif [ "$prev" = '=' ] && [ "$COMP_CWORD" -ge 2 ]; then
    _spike_flag_value "$cmdpath" "\${COMP_WORDS[COMP_CWORD-2]}"; kind="$REPLY"
  elif [ "\${prev#-}" != "$prev" ] && [ "$COMP_CWORD" -ge 2 ]; then
    _spike_flag_value "$cmdpath" "$prev"; kind="$REPLY"
  fi
  if [ -n "$kind" ]; then _spike_reply "$kind" "$cur"; return 0; fi
  case "$cur" in
    -*) _spike_flags "$cmdpath"; _spike_reply "choices:$REPLY" "$cur"; return 0 ;;
  esac
  if [ "$nargs" -eq 0 ]; then
    _spike_subcommands "$cmdpath"
    if [ -n "$REPLY" ]; then _spike_reply "choices:$REPLY" "$cur"; return 0; fi
  fi
  _spike_args "$cmdpath"
  local IFS='|'
  local -a kinds
  kinds=($REPLY)
  IFS=' '
  local n="\${#kinds[@]}"
  if [ "$n" -eq 0 ]; then return 0; fi
  if [ "$nargs" -ge "$n" ]; then
    kind="\${kinds[n-1]}"
    if [ "\${kind%+}" = "$kind" ]; then return 0; fi
  else
    kind="\${kinds[nargs]}"
  fi
  _spike_reply "\${kind%+}" "$cur"
}

# $1 what may stand here (any, file, choices:…), $2 the word typed so far: sets COMPREPLY.
# compgen prints one candidate a line: split its output on line breaks only.
_spike_reply() {
  local IFS='
'
  case "$1" in
    file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$2"))
      ;;
    choices:*)
      COMPREPLY=($(IFS=' '; compgen -W "\${1#choices:}" -- "$2"))
      ;;
    *) COMPREPLY=() ;;
  esac
}

complete -F _spike spike`;

export function bashScript(root: CompletionNode, version: string): string {
  return `# bash completion for spike ${version}, written by \`spike completion bash\`.
# Enable it for this shell:       source <(spike completion bash)
# or for every new shell:         spike completion bash > ~/.local/share/bash-completion/completions/spike
# (needs the bash-completion package; without it, add the first line to ~/.bashrc).

${lookupFunctions(root, '_spike')}

${MAIN}
`;
}
