// Log and audit lines carry request text (a path, a policy name): the
// characters JSON.stringify leaves raw (U+2028/U+2029, DEL, C1, bidi
// controls) are written \uXXXX, so no line holds one raw, and each line still
// parses back to the same values (src/common/log.ts, escapeJsonForLog).
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/common/log.js';
import { escapeJsonForLog } from '../../../src/util/quote-for-message.js';

const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const NASTY = 'secrets/a\u202eb\u2028c\u0085d\u009be\u007ff\u2066g\u061ch';

describe('log lines escape what JSON.stringify leaves raw', () => {
  const lines: string[] = [];
  const log = createLogger({ component: 'nexus', level: 'debug', out: (l) => lines.push(l), auditOut: (l) => lines.push(l) });

  it.each([
    ['audit', () => log.audit('secret_put', { caller: 'spiffe://x/y', path: NASTY, outcome: 'ok' })],
    ['info', () => log.info(`policy ${NASTY} refused`, { name: NASTY })],
    ['debug', () => log.debug('d', { path: NASTY })],
    ['event', () => log.event('e', { path: NASTY })],
    ['error', () => log.error('x', { list: [NASTY] })],
  ])('%s', (_kind, emit) => {
    lines.length = 0;
    emit();
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(RAW_UNSAFE.test(line)).toBe(false);
    expect(line).toContain('secrets/a\\u202eb\\u2028c\\u0085d\\u009be\\u007ff\\u2066g\\u061ch');
    expect(JSON.stringify(JSON.parse(line))).toContain(NASTY); // the same values once parsed
  });
});

describe('escapeJsonForLog', () => {
  it('leaves plain JSON as it is (the same string)', () => {
    const json = JSON.stringify({ a: 'plain ascii, é, 日本, \u{1f600}', n: 1 });
    expect(escapeJsonForLog(json)).toBe(json);
  });

  it('escapes every unsafe code unit and keeps the value', () => {
    for (let c = 0x7f; c <= 0x206f; c++) {
      const v = { s: `x${String.fromCharCode(c)}y` };
      const out = escapeJsonForLog(JSON.stringify(v));
      expect(JSON.parse(out)).toEqual(v);
      expect(RAW_UNSAFE.test(out), c.toString(16)).toBe(false);
    }
  });
});
