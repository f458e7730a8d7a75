// The lookup functions that the bash and zsh scripts share (both read the
// same `case` syntax): which word names a subcommand, whether a flag takes a
// value and which, and what the positional arguments are. Each sets REPLY.
// Values are encoded as one word: '' (a flag without a value), `any`,
// `file`, or `choices:<value> <value>…`.
import { allNodes, namesOf, type CompletionNode, type ValueKind } from './model.js';

/** `s` as one single-quoted shell word (bash, zsh and fish alike for these characters). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A ValueKind as the scripts' one-word encoding. */
export function encodeValue(v: ValueKind): string {
  if (v.kind === 'none') return '';
  if (v.kind === 'choices') return `choices:${v.values.join(' ')}`;
  return v.kind;
}

/** The command path as the scripts spell it: words joined by one space ('' for spike itself). */
export function pathKey(node: CompletionNode): string {
  return node.path.join(' ');
}

/** The positional arguments of `node`, `|`-separated, the last one ending in `+` when it repeats. */
export function encodeArgs(node: CompletionNode): string {
  return node.args.map((a) => `${encodeValue(a.value) || 'any'}${a.variadic ? '+' : ''}`).join('|');
}

/** One `case "$key" in … esac` that sets REPLY, with `''` for any other key. */
export function caseFunction(name: string, comment: string, key: string, entries: readonly (readonly [readonly string[], string])[]): string {
  const lines = [`# ${comment}`, `${name}() {`, `  case "${key}" in`];
  for (const [patterns, value] of entries) lines.push(`    ${patterns.map(shellQuote).join('|')}) REPLY=${shellQuote(value)} ;;`);
  lines.push(`    *) REPLY='' ;;`, '  esac', '}');
  return lines.join('\n');
}

/** Lookup-table entries: the `<path>|<word>` keys a value answers to, and the value. */
export type TableEntries = (readonly [readonly string[], string])[];

/** `<path>|<word>` → the subcommand a word names (its name or an alias), over `nodes`. */
export function childTable(nodes: readonly CompletionNode[]): TableEntries {
  return nodes.flatMap((n) => n.children.map((c) => [namesOf(c).map((w) => `${pathKey(n)}|${w}`), c.name] as const));
}

/** `<path>|<flag>` → the encoded value of every flag that takes one, over `nodes`. */
export function flagValueTable(nodes: readonly CompletionNode[]): TableEntries {
  return nodes.flatMap((n) =>
    n.flags.filter((f) => f.value.kind !== 'none').map((f) => [f.names.map((w) => `${pathKey(n)}|${w}`), encodeValue(f.value)] as const),
  );
}

/** The lookup functions of bash and zsh for the tree under `root`; `prefix` names them (`_spike`). */
export function lookupFunctions(root: CompletionNode, prefix: string): string {
  const nodes = allNodes(root);
  const child = childTable(nodes);
  const subcommands = nodes.filter((n) => n.children.length > 0).map((n) => [[pathKey(n)], n.children.flatMap(namesOf).join(' ')] as const);
  const flags = nodes.map((n) => [[pathKey(n)], n.flags.flatMap((f) => f.names).join(' ')] as const);
  const flagValues = flagValueTable(nodes);
  const args = nodes.filter((n) => n.args.length > 0).map((n) => [[pathKey(n)], encodeArgs(n)] as const);
  return [
    caseFunction(`${prefix}_child`, '$1 command path, $2 word: the subcommand the word names (aliases too), or empty', '$1|$2', child),
    caseFunction(`${prefix}_subcommands`, '$1 command path: its subcommands and their aliases', '$1', subcommands),
    caseFunction(`${prefix}_flags`, '$1 command path: its flags', '$1', flags),
    caseFunction(`${prefix}_flag_value`, "$1 command path, $2 flag: what its value is (any, file, choices:…), empty for a flag without a value", '$1|$2', flagValues),
    caseFunction(`${prefix}_args`, "$1 command path: its positional arguments, |-separated (a trailing + repeats)", '$1', args),
  ].join('\n\n');
}
