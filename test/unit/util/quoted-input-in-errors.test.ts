import { describe, expect, it } from 'vitest';
import { parseFailpointSpec } from '../../../src/common/failpoint.js';
import { devDir, devTrustDomain } from '../../../src/devagent/config.js';
import { parseEntries, validateWorkloadName } from '../../../src/devagent/entries.js';
import { parseHttpsUrl, readBool, readDuration, readEnum, readInt, readListenAddress, readTrustRootList } from '../../../src/protocol/config/env.js';
import { loadKeeperPeerList, nexusApiUrls } from '../../../src/protocol/config/shared.js';
import { parseSpiffeId } from '../../../src/spiffe/id.js';

// Config and entry errors that quote outside input show it through
// quoteForMessage: a line separator, a C1 control (NEL), DEL and a bidi
// override in the input appear as \uXXXX escapes in the one-line message.
// The escaped form is written by hand.
const BAD = 'x\u2028\u0085\u007f\u202ey';
const SHOWN = String.raw`"x\u2028\u0085\u007f\u202ey"`;

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const cases: Array<[string, () => unknown]> = [
  ['readInt', () => readInt({ V: BAD }, 'V', 1, 0, 10)],
  ['readBool', () => readBool({ V: BAD }, 'V', false)],
  ['readEnum', () => readEnum({ V: BAD }, 'V', 'a', ['a', 'b'])],
  ['readDuration', () => readDuration({ V: BAD }, 'V', 1, 0, 10)],
  ['readListenAddress', () => readListenAddress({ V: BAD }, 'V', ':1')],
  ['readTrustRootList', () => readTrustRootList({ V: BAD }, 'V')],
  ['parseHttpsUrl (not a URL)', () => parseHttpsUrl('V', BAD)],
  ['keeper pinned ID', () => loadKeeperPeerList({ SPIKE_NEXUS_KEEPER_PEERS: `https://k1=${BAD}` }, ['spike.ist'])],
  ['devDir', () => devDir({ SPIKE_DEV_DIR: BAD })],
  ['devTrustDomain', () => devTrustDomain({ SPIKE_DEV_TRUST_DOMAIN: BAD })],
  ['workload name', () => validateWorkloadName(BAD)],
  ['entries.json name', () => parseEntries(JSON.stringify({ [BAD]: 1 }), 'spike.ist')],
  ['failpoint spec', () => parseFailpointSpec(BAD, ['a'])],
  ['SPIFFE ID', () => parseSpiffeId(BAD)],
];

describe('outside input quoted in config and entry errors', () => {
  it.each(cases)('%s', (_name, f) => {
    const msg = messageOf(f);
    expect(msg).toContain(SHOWN);
    expect(msg).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  });

  it('a URL with such characters in its path is quoted escaped', () => {
    const msg = messageOf(() => parseHttpsUrl('V', `http://h/${BAD}`));
    expect(msg).toContain(String.raw`got "http://h/x\u2028\u0085\u007f\u202ey"`);
  });

  it('a URL with a password is shown with the password replaced by ***', () => {
    const msg = messageOf(() => parseHttpsUrl('V', 'https://user:Zq9-s3cr3t@h:8553/p'));
    expect(msg).toBe('V: must not contain credentials, query or fragment: "https://user:***@h:8553/p"');
    expect(messageOf(() => parseHttpsUrl('V', 'https://user@h/?q=1'))).toBe('V: must not contain credentials, query or fragment: "https://user@h/?q=1"');
  });

  it('a repeated Nexus URL is quoted escaped', () => {
    const url = 'https://a/p\u202e';
    const msg = messageOf(() => nexusApiUrls({ SPIKE_NEXUS_API_URL: `${url},${url}` }));
    expect(msg).toContain(String.raw`element 2 ("https://a/p\u202e") repeats element 1`);
  });

  it('a known failpoint given twice is quoted (plain ASCII as JSON.stringify shows it)', () => {
    expect(messageOf(() => parseFailpointSpec('a,a', ['a']))).toBe('failpoint "a" given twice');
  });
});
