// `spike completion fish`: a fish completion script for the tree under
// `root`: one `complete` line per subcommand, flag and argument, each with a
// condition on the command path typed so far (__spike_state walks the words
// before the cursor the way the bash and zsh scripts do).
import { allNodes, namesOf, type CompletionNode, type ValueKind } from './model.js';
import { childTable, flagValueTable, pathKey } from './shell-data.js';

/** `s` as one single-quoted fish word (in fish quotes only \\ and \' are escapes). */
function fishQuote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function switchFunction(name: string, comment: string, args: string, key: string, entries: readonly (readonly [readonly string[], string])[]): string {
  const lines = [`# ${comment}`, `function ${name} --argument-names ${args}`, `    switch "${key}"`];
  for (const [patterns, value] of entries) lines.push(`        case ${patterns.map(fishQuote).join(' ')}`, `            echo ${fishQuote(value)}`);
  lines.push('    end', 'end');
  return lines.join('\n');
}

/** The `complete` options for a value of kind `v`. */
function valueOptions(v: ValueKind): string {
  if (v.kind === 'file') return ' -r -F';
  if (v.kind === 'choices') return ` -x -a ${fishQuote(v.values.join(' '))}`;
  if (v.kind === 'any') return ' -x';
  return '';
}

function completeLines(root: CompletionNode): string[] {
  const lines: string[] = [];
  for (const n of allNodes(root)) {
    const at = fishQuote(pathKey(n));
    for (const c of n.children) {
      for (const w of namesOf(c)) lines.push(`complete -c spike -n "__spike_command ${at}" -a ${fishQuote(w)} -d ${fishQuote(oneLine(c.description))}`);
    }
    for (const f of n.flags) {
      const names = f.names.map((w) => (w.startsWith('--') ? ` -l ${fishQuote(w.slice(2))}` : ` -s ${fishQuote(w.slice(1))}`)).join('');
      lines.push(`complete -c spike -n "__spike_at ${at}"${names} -d ${fishQuote(oneLine(f.description))}${valueOptions(f.value)}`);
    }
    if (n.children.length === 0) {
      n.args.forEach((a, i) => {
        if (a.value.kind === 'file' || a.value.kind === 'choices') {
          const opts = a.value.kind === 'file' ? ' -F' : ` -a ${fishQuote(a.value.values.join(' '))}`;
          lines.push(`complete -c spike -n "__spike_arg ${at} ${i} ${a.variadic ? 1 : 0}"${opts}`);
        }
      });
    }
  }
  return lines;
}

const STATE = `# Prints the number of positional arguments typed so far, then the command path.
function __spike_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l nargs 0
    set -l skip 0
    for w in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case '-*=*'
            case '-*'
                set -l v (__spike_flag_value "$cmdpath" $w)
                if test -n "$v"
                    set skip 1
                end
            case '*'
                set -l c (__spike_child "$cmdpath" $w)
                if test -n "$c"; and test $nargs -eq 0
                    set cmdpath (string trim -- "$cmdpath $c")
                else
                    set nargs (math $nargs + 1)
                end
        end
    end
    echo $nargs
    echo $cmdpath
end

# True when the words so far name the command $argv[1].
function __spike_at
    set -l s (__spike_state)
    test "$s[2]" = "$argv[1]"
end

# True when the words so far name the command $argv[1] and a subcommand may follow.
function __spike_command
    set -l s (__spike_state)
    test "$s[2]" = "$argv[1]"; and test "$s[1]" -eq 0
end

# True when the words so far name the command $argv[1] and the next word is its
# positional argument number $argv[2] (or a later one when $argv[3] is 1).
function __spike_arg
    set -l s (__spike_state)
    test "$s[2]" = "$argv[1]"; or return 1
    if test "$argv[3]" = 1
        test "$s[1]" -ge "$argv[2]"
    else
        test "$s[1]" -eq "$argv[2]"
    end
end`;

export function fishScript(root: CompletionNode, version: string): string {
  const nodes = allNodes(root);
  const child = childTable(nodes);
  const flagValues = flagValueTable(nodes);
  return `# fish completion for spike ${version}, written by \`spike completion fish\`.
# Enable it for this shell:   spike completion fish | source
# or for every new shell:     spike completion fish > ~/.config/fish/completions/spike.fish

${switchFunction('__spike_child', '$argv[1] command path, $argv[2] word: the subcommand the word names (aliases too)', 'cmdpath word', '$cmdpath|$word', child)}

${switchFunction('__spike_flag_value', '$argv[1] command path, $argv[2] flag: what its value is (any, file, choices:…), nothing for a flag without a value', 'cmdpath flag', '$cmdpath|$flag', flagValues)}

${STATE}

complete -c spike -e
complete -c spike -f
${completeLines(root).join('\n')}
`;
}
