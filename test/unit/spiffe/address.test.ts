import { describe, expect, it } from 'vitest';
import { WorkloadApiAddressError, parseWorkloadApiAddress } from '../../../src/spiffe/address.js';

describe('parseWorkloadApiAddress', () => {
  it.each([
    ['unix:///tmp/agent.sock', 'unix:/tmp/agent.sock', 'unix'],
    ['unix:/tmp/agent.sock', 'unix:/tmp/agent.sock', 'unix'],
    ['unix:///tmp/a%20b.sock', 'unix:/tmp/a b.sock', 'unix'],
    ['tcp://127.0.0.1:8000', 'ipv4:127.0.0.1:8000', 'tcp'],
    ['TCP://127.0.0.1:8000', 'ipv4:127.0.0.1:8000', 'tcp'],
    ['tcp://[::1]:8000', 'ipv6:[::1]:8000', 'tcp'],
    // Accepted by go-spiffe: an authority with no leading '/' names a relative socket path.
    ['unix://tmp/a.sock', 'unix:tmp/a.sock', 'unix'],
  ])('%s → %s', (addr, target, kind) => {
    const a = parseWorkloadApiAddress(addr);
    expect(a.target).toBe(target);
    expect(a.kind).toBe(kind);
    expect(a.display).toBe(addr);
  });

  it('the address shown in messages has its line-breaking and bidi characters escaped (the socket path itself is kept)', () => {
    const a = parseWorkloadApiAddress('unix:///tmp/\u202egpj.sock\u2028x');
    expect(a.target).toBe('unix:/tmp/\u202egpj.sock\u2028x');
    expect(a.display).toBe(String.raw`unix:///tmp/\u202egpj.sock\u2028x`);
    // The URL parser drops a newline from the input; the message still shows it, escaped.
    expect(parseWorkloadApiAddress('unix:///tmp/a\nb.sock').display).toBe(String.raw`unix:///tmp/a\nb.sock`);
  });

  it('tcp targets disable HTTP proxies', () => {
    expect(parseWorkloadApiAddress('tcp://127.0.0.1:1').channelOptions).toEqual({ 'grpc.enable_http_proxy': 0 });
  });

  it.each([
    ['', /empty/],
    ['/tmp/agent.sock', /not a URI/],
    ['unix:tmp/a.sock', /absolute/],
    ['unix://', /must include the socket path/],
    ['unix:', /must include the socket path/],
    ['unix:///tmp/a.sock?x=1', /query/],
    ['unix:///tmp/a.sock#f', /fragment/],
    ['unix://user@x/tmp/a.sock', /userinfo/],
    [`unix:///tmp/${'x'.repeat(120)}.sock`, /longer than 107/],
    ['tcp://localhost:5', /IP address/],
    ['tcp://1.2.3.4', /port/],
    ['tcp://1.2.3.4:0', /port 0/],
    ['tcp://1.2.3.4:5/path', /path/],
    ['tcp://1.2.3.4:5/', /path/],
    ['tcp://u:p@1.2.3.4:5', /userinfo/],
    ['tcp://1.2.3.4:5?q', /query/],
    ['http://127.0.0.1:5', /unsupported scheme "http"/],
    ['dns:///127.0.0.1:5', /unsupported scheme/],
  ])('rejects %j', (addr, why) => {
    expect(() => parseWorkloadApiAddress(addr)).toThrow(WorkloadApiAddressError);
    expect(() => parseWorkloadApiAddress(addr)).toThrow(why);
  });
});

describe('parseWorkloadApiAddress: the address in its error', () => {
  // Escaped forms written by hand: a line separator, a bidi override and DEL
  // show as \uXXXX, so the one-line error can be neither broken nor reordered.
  it.each([
    ['a refused unix address', 'unix:///tmp/a\u2028\u202e\u007f.sock?q', String.raw`invalid Workload API address "unix:///tmp/a\u2028\u202e\u007f.sock?q": a query is not allowed`],
    ['a refused tcp address', 'tcp://\u202e1.2.3.4:5', String.raw`invalid Workload API address "tcp://\u202e1.2.3.4:5": the host of a tcp address must be an IP address`],
    ['an address of only a line separator', '\u2028', String.raw`invalid Workload API address "\u2028": empty`],
  ])('%s', (_what, addr, message) => {
    expect(() => parseWorkloadApiAddress(addr)).toThrow(new WorkloadApiAddressError(message));
  });
});
