// The recovery shard text format `spike:<id>:<64 hex>` (upstream restore.go),
// parsed strictly (docs/design.md § Restore input) and produced byte-exactly for the
// recovery files. Works on bytes so that a shard value never becomes a JS
// string; callers zero the buffers they own.
import { CliError, ExitCode } from '../output/exit.js';

/** A shard value is a 32-byte big-endian P-256 scalar. */
export const SHARD_BYTES = 32;
export const SHARD_HEX_CHARS = SHARD_BYTES * 2;
/** Most input `spike operator restore` reads (upstream's io.LimitReader size). */
export const MAX_SHARD_INPUT_BYTES = 4096;

export interface ParsedShard {
  id: number;
  /** 32 bytes; the caller zeroes it after use. */
  value: Buffer;
}

const COLON = 0x3a;
const PREFIX = Buffer.from('spike', 'ascii');

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** The sub-range of `input` without leading/trailing ASCII whitespace (no copy). */
export function trimAsciiSpace(input: Uint8Array): Uint8Array {
  let start = 0;
  let end = input.length;
  while (start < end && isSpace(input[start] as number)) start++;
  while (end > start && isSpace(input[end - 1] as number)) end--;
  return input.subarray(start, end);
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Decodes 64 hex characters (either case) into a fresh 32-byte Buffer, or undefined. */
function decodeHex(hex: Uint8Array): Buffer | undefined {
  const out = Buffer.alloc(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex[2 * i] as number);
    const lo = nibble(hex[2 * i + 1] as number);
    if (hi < 0 || lo < 0) {
      out.fill(0);
      return undefined;
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Canonical decimal 1..max: no sign, no leading zeros, no spaces, no 0x. */
function parseIndex(text: Uint8Array, max: number): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  if (text[0] === 0x30) return undefined; // "0" and leading zeros
  let n = 0;
  for (const c of text) {
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n >= 1 && n <= max ? n : undefined;
}

/** The index part for an error message: printable and short (it is never the secret part). */
function showIndex(text: Uint8Array): string {
  const s = Buffer.from(text.subarray(0, 20)).toString('latin1').replace(/[^\x20-\x7e]/g, '?');
  return text.length > 20 ? `${s}…` : s;
}

/**
 * Parses a recovery shard from raw input (surrounding whitespace allowed).
 * Throws CliError (exit 2) with upstream's texts; messages never contain the
 * hex part. Does not modify or zero `input`.
 */
export function parseShard(input: Uint8Array, maxShareCount: number): ParsedShard {
  if (input.length > MAX_SHARD_INPUT_BYTES) {
    throw new CliError(ExitCode.usage, `Input too long: more than ${MAX_SHARD_INPUT_BYTES} bytes.`);
  }
  const text = trimAsciiSpace(input);
  if (text.length === 0) throw new CliError(ExitCode.usage, 'No recovery shard provided.');
  const c1 = text.indexOf(COLON);
  const c2 = c1 < 0 ? -1 : text.indexOf(COLON, c1 + 1);
  if (c1 < 0 || c2 < 0) throw new CliError(ExitCode.usage, 'Invalid shard format.');
  const prefix = text.subarray(0, c1);
  if (!Buffer.from(prefix).equals(PREFIX)) throw new CliError(ExitCode.usage, 'Invalid shard format.');
  const indexText = text.subarray(c1 + 1, c2);
  const hex = text.subarray(c2 + 1);
  if (hex.length !== SHARD_HEX_CHARS) {
    throw new CliError(ExitCode.usage, `Invalid hex shard length: ${hex.length} (expected ${SHARD_HEX_CHARS}).`);
  }
  const value = decodeHex(hex);
  if (value === undefined) throw new CliError(ExitCode.usage, 'Failed to decode recovery shard.');
  const id = parseIndex(indexText, maxShareCount);
  if (id === undefined) {
    value.fill(0);
    throw new CliError(ExitCode.usage, `Invalid shard index: ${showIndex(indexText)}`);
  }
  if (value.every((b) => b === 0)) {
    throw new CliError(ExitCode.usage, 'Invalid shard: the value is all zeros.');
  }
  return { id, value };
}

const HEX = Buffer.from('0123456789abcdef', 'ascii');

/**
 * The content of a recovery file, byte-exact as upstream:
 * `spike:<id>:<64 lowercase hex>` without a newline. Built in a Buffer (the
 * caller zeroes it after writing).
 */
export function formatShardFile(id: number, value: Uint8Array): Buffer {
  if (value.length !== SHARD_BYTES) throw new RangeError('shard value must be 32 bytes');
  const head = Buffer.from(`spike:${id}:`, 'ascii');
  const out = Buffer.alloc(head.length + SHARD_HEX_CHARS);
  head.copy(out, 0);
  let o = head.length;
  for (const b of value) {
    out[o++] = HEX[b >> 4] as number;
    out[o++] = HEX[b & 0x0f] as number;
  }
  return out;
}
