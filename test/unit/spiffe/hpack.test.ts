// HPACK decoding (src/spiffe/hpack.ts) against the examples of RFC 7541
// Appendix C (with and without Huffman coding, dynamic table and eviction),
// and what the request encoder writes read back by the decoder.
import { describe, expect, it } from 'vitest';
import { encodeLiteralHeaders, HpackDecoder, HpackError, huffmanDecode } from '../../../src/spiffe/hpack.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('HPACK decoder (RFC 7541 Appendix C)', () => {
  it('C.3: requests without Huffman, one decoder (dynamic table)', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(d.decode(hex('8286 84be 5808 6e6f 2d63 6163 6865'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(d.decode(hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'))).toEqual([
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  it('C.4: requests with Huffman, one decoder', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
    ]);
    expect(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
      [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
    ]);
    expect(d.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
      [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
    ]);
  });

  it('C.6: responses with Huffman, a 256-octet table (entries evicted)', () => {
    const d = new HpackDecoder(256);
    expect(
      d.decode(hex('4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3')),
    ).toEqual([[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']]);
    expect(d.decode(hex('4883 640e ffc1 c0bf'))).toEqual([
      [':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com'],
    ]);
    expect(
      d.decode(
        hex(
          '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
        ),
      ),
    ).toEqual([
      [':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'],
      ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
    ]);
  });

  it('refuses what breaks the format', () => {
    expect(() => new HpackDecoder().decode(hex('80'))).toThrow(HpackError); // index 0
    expect(() => new HpackDecoder().decode(hex('be'))).toThrow(HpackError); // empty dynamic table
    expect(() => new HpackDecoder().decode(hex('0f77'))).toThrow(HpackError); // truncated
    expect(() => new HpackDecoder().decode(hex('3fe21f'))).toThrow(HpackError); // table size above our 4096
    expect(() => new HpackDecoder().decode(hex('82 20'))).toThrow(HpackError); // size update after a field
    expect(() => huffmanDecode(hex('ffffffff'))).toThrow(HpackError); // EOS
    expect(() => huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f400'))).toThrow(HpackError); // padding of zeros
    expect(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff')).toString('latin1')).toBe('www.example.com');
  });

  it('the request encoder writes literals the decoder reads back', () => {
    const headers: [string, string][] = [[':method', 'POST'], [':path', `/${'x'.repeat(200)}`], ['workload.spiffe.io', 'true'], ['empty', '']];
    expect(new HpackDecoder().decode(encodeLiteralHeaders(headers))).toEqual(headers);
  });
});
