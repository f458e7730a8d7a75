// Validation of Nexus's recover answer `{"shards":{"<id>":[32 numbers]}}`
// before anything touches the disk (docs/design.md § Recovery directory and files). Stricter than
// upstream's Go decoder: no shards, null, wrong length, all-zero values,
// duplicate or non-canonical ids and ids outside 1..n are refused (exit 1).
import { CliError, ExitCode } from '../output/exit.js';
import { goRawNode } from '../../gocompat/json/decode.js';
import { DecodeError } from '../../gocompat/json/errors.js';
import type { JsonNode } from '../../gocompat/json/parse.js';
import { decodeGoStruct, field } from '../../gocompat/json/struct.js';
import { SHARD_BYTES } from './shard.js';
import { quoteForMessage } from '../../util/quote-for-message.js';

function bad(detail: string): CliError {
  return new CliError(ExitCode.nexus, `Failed to retrieve recovery shards. (invalid answer from SPIKE Nexus: ${detail})`);
}

function zeroAll(m: Map<number, Buffer>): void {
  for (const v of m.values()) v.fill(0);
}

/** The response's `shards` and `err` as sent, found the way Go matches keys (case-insensitive, last wins). */
const answerSpec = { shards: field('shards', goRawNode, () => undefined), err: field('err', goRawNode, () => undefined) };

/**
 * Decodes and validates a 200 recover body. Returns shards keyed by id
 * (1..n, n = number of shards); the caller zeroes the values.
 */
export function decodeRecoverResponse(body: Uint8Array, maxShareCount: number): Map<number, Buffer> {
  let answer: { shards: JsonNode | undefined; err: JsonNode | undefined };
  try {
    answer = decodeGoStruct(body, answerSpec, 'recover answer');
  } catch (e) {
    throw bad(e instanceof DecodeError ? e.message : 'malformed JSON');
  }
  const { shards, err } = answer;
  if (err?.kind === 'string' && err.value !== '') {
    throw new CliError(ExitCode.nexus, `Failed to retrieve recovery shards. (${printableCode(err.value)})`);
  }
  if (shards === undefined || shards.kind === 'null') throw new CliError(ExitCode.nexus, 'No shards found.');
  if (shards.kind !== 'object') throw bad('"shards" is not an object');
  const n = shards.entries.length;
  if (n === 0) throw new CliError(ExitCode.nexus, 'No shards found.');
  const out = new Map<number, Buffer>();
  try {
    for (const [key, v] of shards.entries) {
      if (!/^[1-9][0-9]{0,9}$/.test(key)) throw bad(`invalid shard id ${quoteForMessage(key.slice(0, 12))}`);
      const id = Number(key);
      if (id > n || id > maxShareCount) throw bad(`shard id ${id} outside 1..${Math.min(n, maxShareCount)}`);
      if (out.has(id)) throw bad(`duplicate key ${quoteForMessage(key)}`);
      if (v.kind === 'null') throw bad(`shard ${id} is null`);
      if (v.kind !== 'array' || v.items.length !== SHARD_BYTES) throw bad(`shard ${id} is not an array of ${SHARD_BYTES} bytes`);
      const buf = Buffer.alloc(SHARD_BYTES);
      out.set(id, buf);
      v.items.forEach((b, i) => {
        // Decimal digits only: Go's uint8 refuses 1.0, 1e0 and -0.
        if (b.kind !== 'number' || !/^[0-9]{1,3}$/.test(b.raw) || Number(b.raw) > 255) throw bad(`shard ${id} has a value that is not a byte`);
        buf[i] = Number(b.raw);
      });
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
