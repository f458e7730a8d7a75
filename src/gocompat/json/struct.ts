// Go struct decoding (json.Unmarshal into a struct): `null` leaves the struct
// as it was; anything but an object is an error; each key is matched to a
// field by its exact JSON name first, else case-insensitively (Unicode
// simple folding: K/k/U+212A and S/s/U+017F fold together); every matching
// key is decoded in order into the field's current value, so the last one
// wins; unknown keys are ignored.
import { type FieldDecoder, wipe } from './decode.js';
import { DecodeError } from './errors.js';
import { type JsonNode, parseGoJson } from './parse.js';

/** One field of a Go struct: its JSON key, decoder and zero value. */
export interface FieldSpec<T> {
  readonly key: string;
  readonly decode: FieldDecoder<T>;
  readonly zero: () => T;
}

export type StructSpec<S> = { readonly [K in keyof S]: FieldSpec<S[K]> };

export function field<T>(key: string, decode: FieldDecoder<T>, zero: () => T): FieldSpec<T> {
  return { key, decode, zero };
}

/** Go's key folding for field names (ASCII names: letters fold case; U+212A → k, U+017F → s). */
function foldKey(s: string): string {
  return s.replace(/[A-Z\u212a\u017f]/g, (c) => (c === '\u212a' ? 'k' : c === '\u017f' ? 's' : c.toLowerCase()));
}

/** The struct with every field at its zero value. */
export function zeroStruct<S>(spec: StructSpec<S>): S {
  const out = {} as S;
  for (const n of Object.keys(spec) as (keyof S & string)[]) out[n] = spec[n].zero();
  return out;
}

/** Decodes `node` into a copy of `base` (or of the zero struct). `what` names the struct in errors. */
export function decodeStruct<S>(node: JsonNode, spec: StructSpec<S>, what: string, base?: S): S {
  const names = Object.keys(spec) as (keyof S & string)[];
  const out = base === undefined ? zeroStruct(spec) : { ...base };
  if (node.kind === 'null') return out;
  if (node.kind !== 'object') throw new DecodeError(`${what} must be a JSON object`);
  const exact = new Map<string, keyof S & string>();
  const folded = new Map<string, keyof S & string>();
  for (const n of names) {
    exact.set(spec[n].key, n);
    const f = foldKey(spec[n].key);
    if (!folded.has(f)) folded.set(f, n);
  }
  try {
    for (const [k, v] of node.entries) {
      const name = exact.get(k) ?? folded.get(foldKey(k));
      if (name === undefined) continue;
      const fs = spec[name];
      const prev = out[name];
      out[name] = fs.decode(v, prev, fs.key);
      // A repeated key (Go keeps the last): bytes decoded for the earlier one are zeroed, not dropped.
      if (prev instanceof Uint8Array && out[name] !== prev) prev.fill(0);
    }
  } catch (e) {
    for (const n of names) wipe(out[n]);
    throw e;
  }
  return out;
}

/** A nested struct as a field decoder (Go decodes into the existing struct value). */
export function goStruct<S>(spec: StructSpec<S>, what: string): FieldDecoder<S> {
  return (node, prev) => decodeStruct(node, spec, what, prev);
}

/** Parses `body` and decodes it as the Go struct described by `spec`. */
export function decodeGoStruct<S>(body: Uint8Array | string, spec: StructSpec<S>, what: string): S {
  return decodeStruct(parseGoJson(body), spec, what);
}
