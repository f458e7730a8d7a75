// `spike secret put`/`get` with keys named after Object.prototype members:
// parsed, read, sent, decoded and printed like any other key.
import { describe, expect, it } from 'vitest';
import { decodeGetResponse, renderSecret, renderSecretForTerminal } from '../../../../src/pilot/commands/secret-get.js';
import { getSecret, putSecret } from '../../../../src/client/api.js';
import type { SpikeHttpClient } from '../../../../src/client/transport.js';
import { parsePutPairs, resolvePutValues } from '../../../../src/pilot/secret/values.js';
import type { PilotIo } from '../../../../src/pilot/runtime.js';

const KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
const GO_BODY = '{"data":{"__proto__":"a","constructor":"b","prototype":"c"}}';

function stub(answer: string): { client: SpikeHttpClient; sent: string[] } {
  const sent: string[] = [];
  const client: SpikeHttpClient = {
    postJson: (_url, b) => {
      sent.push(Buffer.from(b).toString());
      return Promise.resolve({ status: 200, body: Buffer.from(answer) });
    },
    close: () => undefined,
  };
  return { client, sent };
}

describe('prototype-named secret keys in the Pilot', () => {
  it('parsePutPairs and resolvePutValues keep every key', async () => {
    const pairs = parsePutPairs(KEYS.map((k, i) => `${k}=v${i}`));
    expect(pairs.map((p) => p.key)).toEqual(KEYS);
    // Only literal values: the io is never used.
    const values = await resolvePutValues({} as PilotIo, pairs);
    expect(Object.keys(values)).toEqual(KEYS);
    KEYS.forEach((k, i) => expect(values[k]).toBe(`v${i}`));
  });

  it('the client sends them all (Go byte order) and returns them all', async () => {
    const values = await resolvePutValues({} as PilotIo, parsePutPairs(['__proto__=a', 'constructor=b', 'prototype=c']));
    const s = stub('{}');
    await putSecret(s.client, new URL('https://n:1'), 'p', values);
    expect(s.sent[0]).toBe('{"path":"p","values":{"__proto__":"a","constructor":"b","prototype":"c"}}');
    const got = await getSecret(stub(GO_BODY).client, new URL('https://n:1'), 'p');
    expect(Object.keys(got)).toEqual(['__proto__', 'constructor', 'prototype']);
  });

  it('decodeGetResponse and every output format show all of them', () => {
    const data = decodeGetResponse(Buffer.from(GO_BODY));
    expect(data).toBeDefined();
    const d = data ?? {};
    expect(renderSecret(d, undefined, 'human')).toBe('__proto__: a\nconstructor: b\nprototype: c\n');
    // json.MarshalIndent(m, "", "    ")
    expect(renderSecret(d, undefined, 'json')).toBe('{\n    "__proto__": "a",\n    "constructor": "b",\n    "prototype": "c"\n}\n');
    // yaml.v3: non-letters sort before letters.
    expect(renderSecret(d, undefined, 'yaml')).toBe('__proto__: a\nconstructor: b\nprototype: c\n\n');
    expect(renderSecret(d, '__proto__', 'human')).toBe('a\n');
    expect(renderSecretForTerminal(d, undefined, 'human')).toBe('__proto__: a\nconstructor: b\nprototype: c\n');
    expect(renderSecretForTerminal(d, 'constructor', 'human')).toBe('b\n');
    // A key that is only inherited is not there.
    expect(() => renderSecret(d, 'toString', 'human')).toThrow('Key not found.');
  });
});
