// Validation of Nexus's recover answer `{"shards":{"<id>":[32 numbers]}}`
// before anything touches the disk (docs/design.md § Recovery directory and files). Stricter than
// upstream's Go decoder: no shards, null, wrong length, all-zero values,
// duplicate or non-canonical ids and ids outside 1..n are refused (exit 1).
import { CliError, ExitCode } from '../exit.js';
import { goField, isJsonObject, JsonBytesError, parseJsonBytes, type JsonValue } from '../jsonbytes.js';
import { SHARD_BYTES } from '../shard.js';

function bad(detail: string): CliError {
  return new CliError(ExitCode.nexus, `Failed to retrieve recovery shards. (invalid answer from SPIKE Nexus: ${detail})`);
}

function zeroAll(m: Map<number, Buffer>): void {
  for (const v of m.values()) v.fill(0);
}

/**
 * Decodes and validates a 200 recover body. Returns shards keyed by id
 * (1..n, n = number of shards); the caller zeroes the values.
 */
export function decodeRecoverResponse(body: Uint8Array, maxShareCount: number): Map<number, Buffer> {
  let root: JsonValue;
  try {
    root = parseJsonBytes(body);
  } catch (e) {
    throw bad(e instanceof JsonBytesError ? e.message : 'malformed JSON');
  }
  if (!isJsonObject(root)) throw bad('not a JSON object');
  const err = goField(root, 'err');
  if (typeof err === 'string' && err !== '') {
    throw new CliError(ExitCode.nexus, `Failed to retrieve recovery shards. (${printableCode(err)})`);
  }
  const shards = goField(root, 'shards');
  if (shards === undefined || shards === null) throw new CliError(ExitCode.nexus, 'No shards found.');
  if (!isJsonObject(shards)) throw bad('"shards" is not an object');
  const keys = Object.keys(shards);
  if (keys.length === 0) throw new CliError(ExitCode.nexus, 'No shards found.');
  const n = keys.length;
  const out = new Map<number, Buffer>();
  try {
    for (const key of keys) {
      if (!/^[1-9][0-9]{0,9}$/.test(key)) throw bad(`invalid shard id ${JSON.stringify(key.slice(0, 12))}`);
      const id = Number(key);
      if (id > n || id > maxShareCount) throw bad(`shard id ${id} outside 1..${Math.min(n, maxShareCount)}`);
      if (out.has(id)) throw bad(`duplicate shard id ${id}`);
      const v = shards[key];
      if (v === null) throw bad(`shard ${id} is null`);
      if (!Array.isArray(v) || v.length !== SHARD_BYTES) throw bad(`shard ${id} is not an array of ${SHARD_BYTES} bytes`);
      const buf = Buffer.alloc(SHARD_BYTES);
      out.set(id, buf);
      for (let i = 0; i < SHARD_BYTES; i++) {
        const b = v[i];
        if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) throw bad(`shard ${id} has a value that is not a byte`);
        buf[i] = b;
      }
      // The parsed array holds the shard bytes as numbers: clear it.
      v.fill(0);
      if (buf.every((x) => x === 0)) throw new CliError(ExitCode.nexus, 'Empty shard found.');
    }
  } catch (e) {
    zeroAll(out);
    throw e;
  }
  return out;
}

function printableCode(s: string): string {
  return s.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
}
