// A small strict JSON (RFC 8259) parser over bytes, for Nexus answers that
// carry shards: integers are computed from the digits (no intermediate string
// of the shard bytes), and duplicate object keys are an error (JSON.parse
// silently keeps the last one, which would hide a duplicate shard id).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class JsonBytesError extends Error {
  override readonly name = 'JsonBytesError';
}

const MAX_DEPTH = 32;

export function parseJsonBytes(buf: Uint8Array): JsonValue {
  let pos = 0;

  const fail = (what: string): never => {
    throw new JsonBytesError(`${what} at byte ${pos}`);
  };
  const ws = (): void => {
    while (pos < buf.length) {
      const c = buf[pos];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };
  const expect = (c: number): void => {
    if (buf[pos] !== c) fail(`expected '${String.fromCharCode(c)}'`);
    pos++;
  };
  const literal = (word: string, v: JsonValue): JsonValue => {
    for (let i = 0; i < word.length; i++) {
      if (buf[pos + i] !== word.charCodeAt(i)) fail('invalid literal');
    }
    pos += word.length;
    return v;
  };

  const number = (): number => {
    const start = pos;
    let neg = false;
    if (buf[pos] === 0x2d) {
      neg = true;
      pos++;
    }
    const intStart = pos;
    if (buf[pos] === 0x30) pos++;
    else if ((buf[pos] ?? 0) >= 0x31 && (buf[pos] ?? 0) <= 0x39) {
      while ((buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x39) pos++;
    } else fail('invalid number');
    let integral = true;
    if (buf[pos] === 0x2e) {
      integral = false;
      pos++;
      if (!((buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x39)) fail('invalid number');
      while ((buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x39) pos++;
    }
    if (buf[pos] === 0x65 || buf[pos] === 0x45) {
      integral = false;
      pos++;
      if (buf[pos] === 0x2b || buf[pos] === 0x2d) pos++;
      if (!((buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x39)) fail('invalid number');
      while ((buf[pos] ?? 0) >= 0x30 && (buf[pos] ?? 0) <= 0x39) pos++;
    }
    if (integral && pos - intStart <= 15) {
      let n = 0;
      for (let i = intStart; i < pos; i++) n = n * 10 + ((buf[i] as number) - 0x30);
      return neg ? -n : n;
    }
    return Number(Buffer.from(buf.subarray(start, pos)).toString('latin1'));
  };

  const string = (): string => {
    expect(0x22);
    const start = pos;
    let simple = true;
    while (pos < buf.length && buf[pos] !== 0x22) {
      const c = buf[pos] as number;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        simple = false;
        pos += 2;
      } else pos++;
    }
    if (pos >= buf.length) fail('unterminated string');
    const raw = Buffer.from(buf.subarray(start, pos));
    pos++;
    if (simple) return raw.toString('utf8');
    try {
      return JSON.parse(`"${raw.toString('utf8')}"`) as string;
    } catch {
      return fail('invalid string escape');
    }
  };

  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = buf[pos];
    if (c === 0x7b) {
      pos++;
      const obj: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
      ws();
      if (buf[pos] === 0x7d) {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        const key = string();
        if (Object.hasOwn(obj, key)) fail(`duplicate key ${JSON.stringify(key.slice(0, 20))}`);
        ws();
        expect(0x3a);
        obj[key] = value(depth + 1);
        ws();
        if (buf[pos] === 0x2c) {
          pos++;
          continue;
        }
        expect(0x7d);
        return obj;
      }
    }
    if (c === 0x5b) {
      pos++;
      const arr: JsonValue[] = [];
      ws();
      if (buf[pos] === 0x5d) {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (buf[pos] === 0x2c) {
          pos++;
          continue;
        }
        expect(0x5d);
        return arr;
      }
    }
    if (c === 0x22) return string();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return number();
  };

  const v = value(0);
  ws();
  if (pos !== buf.length) fail('trailing data');
  return v;
}

export function isJsonObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go encoding/json field lookup: exact key first, else a case-insensitive match. */
export function goField(obj: { [key: string]: JsonValue }, name: string): JsonValue | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  let found: JsonValue | undefined;
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) found = obj[k];
  return found;
}
