// The one rule for `-f json` (docs/cli.md § Output formats): one JSON
// document as Go's json.MarshalIndent(v, "", "  ") writes it — two-space
// indent, `": "` after keys, `{}`/`[]` when empty, `<`, `>`, `&`, U+2028 and
// U+2029 escaped — followed by exactly one newline. Upstream's commands print
// their Go values this way; spike-ts's own commands (status, verify,
// preflight, recover, restore) print plain objects through jsonDocument().
// The one exception is upstream's own: `secret get` indents by four spaces.
import type { GoJsonWriter } from '../../gocompat/json/encode.js';
import { goIndent, goMarshalIndent } from '../../gocompat/json/indent.js';

export const JSON_INDENT = '  ';

/**
 * Writes JSON data: strings, numbers, booleans, null, arrays and plain
 * objects (keys in insertion order, i.e. struct order; undefined fields
 * omitted as JSON.stringify and omitempty do). Anything else is a bug: TypeError.
 */
function write(w: GoJsonWriter, v: unknown): void {
  if (v === null) w.null();
  else if (typeof v === 'string') w.string(v);
  else if (typeof v === 'boolean') w.bool(v);
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) w.int(v);
    else if (Number.isFinite(v)) w.raw(String(v));
    else throw new RangeError('JSON cannot hold NaN or Infinity');
  } else if (Array.isArray(v)) w.array(v as readonly unknown[], write);
  else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const fields = Object.entries(v as Record<string, unknown>)
      .filter((e) => e[1] !== undefined)
      .map(([k, x]) => [k, (z: GoJsonWriter) => write(z, x)] as const);
    w.object(fields);
  } else throw new TypeError(`not JSON data: ${typeof v}`);
}

/** Compact JSON bytes (a Go codec's output) indented by the rule. */
export function indentedJsonDocument(compact: Uint8Array): string {
  return `${goIndent(compact, '', JSON_INDENT)}\n`;
}

/** A Go-built document (upstream's shapes: `build` writes it) by the rule. */
export function goJsonDocument(build: (w: GoJsonWriter) => void, indent = JSON_INDENT): string {
  return `${goMarshalIndent(build, '', indent)}\n`;
}

/** A plain value by the rule. */
export function jsonDocument(value: unknown): string {
  return goJsonDocument((w) => write(w, value));
}
