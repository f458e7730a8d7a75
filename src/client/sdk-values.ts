// Converting SpikeClient's values to and from the wire's shapes: secret
// values are Buffers for the caller (UTF-8 bytes it can zero), strings on
// the wire (upstream's map[string]string); Go times become Dates.
import type { GoTimeValue } from '../protocol/messages.js';
import { quoteForMessage } from '../util/quote-for-message.js';

/** A secret read through SpikeClient: its values as Buffers the caller zeroes. */
export interface Secret {
  readonly path: string;
  /** Each key's value, as bytes (UTF-8). The Buffers are the caller's: zero them when done. */
  readonly values: Map<string, Buffer>;
  /** Fills every value with zeros and empties the map. */
  zero(): void;
}

/** What putSecret takes: a Map or a plain object of string or UTF-8 byte values. */
export type SecretInput = ReadonlyMap<string, string | Uint8Array> | Readonly<Record<string, string | Uint8Array>>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A null-prototype record of the values as strings; a byte value must be valid UTF-8 (the wire carries JSON strings). */
export function secretValuesToStrings(values: SecretInput): Record<string, string> {
  if (values === null || typeof values !== 'object') throw new RangeError('SpikeClient: secret values must be a Map or an object');
  const entries = values instanceof Map ? [...(values as ReadonlyMap<string, string | Uint8Array>).entries()] : Object.entries(values);
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of entries) {
    if (typeof k !== 'string') throw new RangeError('SpikeClient: secret keys must be strings');
    if (typeof v === 'string') out[k] = v;
    else if (v instanceof Uint8Array) {
      try {
        out[k] = strictUtf8.decode(v);
      } catch {
        throw new RangeError(`SpikeClient: the value of key ${quoteForMessage(k)} is not valid UTF-8 (SPIKE stores text values)`);
      }
    } else throw new RangeError(`SpikeClient: the value of key ${quoteForMessage(k)} must be a string or bytes`);
  }
  return out;
}

/** A Secret holding each value as its own Buffer (UTF-8). */
export function secretValuesFromStrings(path: string, data: Readonly<Record<string, string>>): Secret {
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(data)) values.set(k, Buffer.from(v, 'utf8'));
  return {
    path,
    values,
    zero(): void {
      for (const b of values.values()) b.fill(0);
      values.clear();
    },
  };
}

/** A Go time (RFC 3339 text as decoded, or a Date) as a Date. */
export function goTimeToDate(t: GoTimeValue): Date {
  return t instanceof Date ? t : new Date(t);
}
