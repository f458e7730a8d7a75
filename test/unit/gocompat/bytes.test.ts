// [32]byte and []byte against json.Marshal (test/fixtures/gocompat.json).
import { describe, expect, it } from 'vitest';
import { GoJsonWriter } from '../../../src/gocompat/json/encode.js';
import { fixture } from './fixture.js';

const bytesOf = (hex: string | null): Uint8Array | null => (hex === null ? null : new Uint8Array(Buffer.from(hex, 'hex')));

describe('bytes32 = json.Marshal(*[32]byte)', () => {
  it.each(fixture.bytes32.map((c) => [c.hex ?? 'nil', c] as const))('%s', (_, c) => {
    expect(new GoJsonWriter().bytes32(bytesOf(c.hex)).finish().toString('utf8')).toBe(c.out);
  });
  it('refuses another length', () => {
    expect(() => new GoJsonWriter().bytes32(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('base64 = json.Marshal([]byte)', () => {
  it.each(fixture.base64.map((c) => [c.hex ?? 'nil', c] as const))('%s', (_, c) => {
    expect(new GoJsonWriter().base64(bytesOf(c.hex)).finish().toString('utf8')).toBe(c.out);
  });
});
