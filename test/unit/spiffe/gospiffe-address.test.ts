// Cases ported from go-spiffe v2 workloadapi/addr_test.go (TestValidateAddress)
// and workloadapi/addr_posix_test.go (validateAddressCasesOS): same inputs,
// same accept/refuse verdicts. Where go-spiffe accepts an address that grpc-go
// later cannot dial (`unix://foo`), we accept it too and name the relative
// socket path `foo`.
import { describe, expect, it } from 'vitest';
import { WorkloadApiAddressError, parseWorkloadApiAddress } from '../../../src/spiffe/address.js';

describe('go-spiffe workloadapi TestValidateAddress (POSIX cases included)', () => {
  it.each([
    ['\t', /not a URI|unsupported scheme|empty/],
    ['blah', /not a URI|unsupported scheme/],
    ['tcp:opaque', /IP address|port/],
    ['tcp://', /IP address/],
    ['tcp://1.2.3.4:5?whatever', /query/],
    ['tcp://1.2.3.4:5#whatever', /fragment/],
    ['tcp://john:doe@1.2.3.4:5/path', /userinfo/],
    ['tcp://1.2.3.4:5/path', /path/],
    ['tcp://foo', /IP address/],
    ['tcp://1.2.3.4', /port/],
    ['unix:opaque', /absolute/],
    ['unix://', /must include the socket path/],
    ['unix://foo?whatever', /query/],
    ['unix://foo#whatever', /fragment/],
    ['unix://john:doe@foo/path', /userinfo/],
  ])('refuses %j', (addr, why) => {
    expect(() => parseWorkloadApiAddress(addr)).toThrow(expect.objectContaining({ name: WorkloadApiAddressError.name, message: expect.stringMatching(why) }));
  });

  it.each([
    ['tcp://1.2.3.4:5', 'ipv4:1.2.3.4:5'],
    ['unix://foo', 'unix:foo'],
    ['unix://foo/agent.sock', 'unix:foo/agent.sock'],
  ])('accepts %j (target %s)', (addr, target) => {
    expect(parseWorkloadApiAddress(addr).target).toBe(target);
  });
});
