// Go `json.MarshalIndent(v, "", indent)` for the shapes `spike` prints:
// structs (fields in declaration order), maps (keys given already sorted),
// slices (nil → null), strings (Go's HTML-safe escaping), integers, null.
import { goJsonString } from './secretapi.js';

export type GoJson =
  | null
  | string
  | number
  | { readonly kind: 'raw'; readonly text: string }
  | readonly GoJson[]
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, GoJson])[] };

export const obj = (entries: readonly (readonly [string, GoJson])[]): GoJson => ({ kind: 'object', entries });

export function goMarshalIndent(v: GoJson, indent: string): string {
  return write(v, indent, '');
}

function write(v: GoJson, indent: string, prefix: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number') return String(v);
  const inner = prefix + indent;
  if (Array.isArray(v)) {
    const items = v as readonly GoJson[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((x) => inner + write(x, indent, inner)).join(',\n')}\n${prefix}]`;
  }
  const o = v as Exclude<GoJson, null | string | number | readonly GoJson[]>;
  if (o.kind === 'raw') return o.text;
  if (o.entries.length === 0) return '{}';
  return `{\n${o.entries.map(([k, x]) => `${inner}${goJsonString(k)}: ${write(x, indent, inner)}`).join(',\n')}\n${prefix}}`;
}
